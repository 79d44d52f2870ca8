"""Whole-process latency of `bd` commands, daemon vs direct (median of N runs).

Uses the venv's own `bd` console script when it exists (no pyenv shim in the way)."""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import daemon, make_workspace


def bd_executable() -> list[str]:
    script = Path(sys.executable).parent / "bd"
    if script.exists():
        return [str(script)]
    found = shutil.which("bd")
    return [found] if found else [sys.executable, "-m", "bd_trio"]


def time_command(cwd: Path, argv: list[str], runs: int, env: dict[str, str]) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            argv, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        samples.append(time.perf_counter() - start)
    return {
        "median_ms": round(statistics.median(samples) * 1000, 2),
        "min_ms": round(min(samples) * 1000, 2),
        "runs": runs,
    }


def cli_latency(base: Path, runs: int) -> list[dict[str, Any]]:
    workspace = make_workspace(base / "cli", issues=1000)
    bd = bd_executable()
    commands = {
        "bd create": ["create", "cli latency probe", "--json"],
        "bd ready --json": ["ready", "--json"],
        "bd show ID --json": ["show", "bd-500", "--json"],
    }
    env = dict(os.environ, BD_ACTOR="bench")
    python = {
        "median_ms": time_command(workspace.root, [sys.executable, "-c", "pass"], runs, env)[
            "median_ms"
        ]
    }
    rows = []
    # Direct first (no daemon), then the same commands through a daemon.
    direct = {
        name: time_command(workspace.root, [*bd, *args, "--no-daemon"], runs, env)
        for name, args in commands.items()
    }
    with daemon(workspace):
        daemon_env = dict(env, BD_REQUIRE_DAEMON="1")
        through = {
            name: time_command(workspace.root, [*bd, *args], runs, daemon_env)
            for name, args in commands.items()
        }
    for name in commands:
        rows.append(
            {
                "command": name,
                "direct_ms": direct[name]["median_ms"],
                "daemon_ms": through[name]["median_ms"],
                "ratio": round(direct[name]["median_ms"] / through[name]["median_ms"], 2),
                "runs": runs,
            }
        )
        print(
            f"  cli {name:18} direct {direct[name]['median_ms']:7.1f} ms   daemon "
            f"{through[name]['median_ms']:7.1f} ms",
            flush=True,
        )
    rows.append(
        {
            "command": "python -c pass",
            "direct_ms": python["median_ms"],
            "daemon_ms": python["median_ms"],
            "ratio": 1.0,
            "runs": runs,
        }
    )
    return rows
