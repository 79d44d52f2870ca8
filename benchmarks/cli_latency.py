"""Whole-process latency of `bd` commands, measured in pairs run by run.

Each pair (A, B) runs A, B, A, B, ... and the ratio A/B is taken pair by pair (the machine's
drift hits both sides); the median ratio is reported with both medians:
- `bd ready --json` and `bd show ID --json` through the daemon against the floor of a Python
  client (benchmarks/minimal_client.py: connect, one CBOR frame, print JSON);
- direct mode (`--no-daemon`) against the daemon path, for `ready`, `show` and `create`.
Also the number of modules the daemon path imports. Uses the venv's own `bd` console script
(no pyenv shim in the way), with bytecode compiled as an installed package would have it.
"""

from __future__ import annotations

import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import ROOT, daemon, make_workspace

MINIMAL_CLIENT = str(Path(__file__).resolve().parent / "minimal_client.py")


def bd_executable() -> list[str]:
    script = Path(sys.executable).parent / "bd"
    if script.exists():
        return [str(script)]
    found = shutil.which("bd")
    return [found] if found else [sys.executable, "-m", "bd_trio"]


def _run(cwd: Path, argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


def paired(
    cwd: Path, a: list[str], b: list[str], runs: int, env: dict[str, str]
) -> dict[str, float]:
    _run(cwd, a, env)  # warm-up: file caches, bytecode
    _run(cwd, b, env)
    a_times, b_times, ratios = [], [], []
    for _ in range(runs):
        ta, tb = _run(cwd, a, env), _run(cwd, b, env)
        a_times.append(ta)
        b_times.append(tb)
        ratios.append(ta / tb)
    return {
        "a_ms": round(statistics.median(a_times) * 1000, 2),
        "b_ms": round(statistics.median(b_times) * 1000, 2),
        "ratio": round(statistics.median(ratios), 3),
        "runs": runs,
    }


def imported_modules(cwd: Path, argv: list[str], env: dict[str, str]) -> int:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return sum(
        1
        for line in proc.stderr.splitlines()
        if line.startswith("import time:") and "imported package" not in line
    )


def cli_latency(base: Path, runs: int) -> dict[str, Any]:
    compileall.compile_dir(str(ROOT / "src" / "bd_trio"), quiet=1)
    workspace = make_workspace(base / "cli", issues=1000)
    bd = bd_executable()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["BD_ACTOR"] = "bench"
    socket = str(workspace.socket_path)
    floor = [sys.executable, MINIMAL_CLIENT, socket]
    rows: list[dict[str, Any]] = []
    with daemon(workspace):
        via_daemon = dict(env, BD_REQUIRE_DAEMON="1")
        pairs = [
            ("bd ready --json (daemon) / minimal client", [*bd, "ready", "--json"],
             [*floor, "ready", "limit=10"], via_daemon, "<= 1.15"),
            ("bd show ID --json (daemon) / minimal client", [*bd, "show", "bd-500", "--json"],
             [*floor, "show", "id=bd-500"], via_daemon, "<= 1.15"),
            ("bd ready --json: direct / daemon", [*bd, "ready", "--json", "--no-daemon"],
             [*bd, "ready", "--json"], env, "<= 1.3"),
            ("bd show ID --json: direct / daemon", [*bd, "show", "bd-500", "--json", "--no-daemon"],
             [*bd, "show", "bd-500", "--json"], env, ""),
            ("bd create: direct / daemon", [*bd, "create", "probe", "--json", "--no-daemon"],
             [*bd, "create", "probe", "--json"], env, ""),
            ("python -c pass / minimal client", [sys.executable, "-c", "pass"],
             [*floor, "ping"], env, ""),
        ]  # fmt: skip
        for name, a, b, pair_env, goal in pairs:
            result = paired(workspace.root, a, b, runs, pair_env)
            rows.append({"pair": name, "goal": goal, **result})
            print(
                f"  cli {name:46} {result['a_ms']:6.1f} / {result['b_ms']:6.1f} ms = "
                f"{result['ratio']:.2f}x",
                flush=True,
            )
        script = bd[1:] if bd[0] == sys.executable else bd  # run under -X importtime
        modules = imported_modules(workspace.root, [*script, "ready", "--json"], via_daemon)
        floor_modules = imported_modules(workspace.root, [MINIMAL_CLIENT, socket, "ping"], env)
    print(f"  cli modules imported: bd ready (daemon) {modules}, minimal client {floor_modules}")
    return {"pairs": rows, "modules": {"bd_ready_daemon": modules, "minimal_client": floor_modules}}
