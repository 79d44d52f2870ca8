"""The daemon against the floor of its own design (benchmarks/floor_server.py), side by side:
fresh servers, alternating run by run, 8 agent processes x 100 creates each. Reports ops/s,
p50/p99 and the server's CPU per create (user + system of all its threads from /proc, and
of its event-loop thread alone), and the ratios daemon / floor."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from harness import daemon, make_workspace
from sweep import run_agents

FLOOR_SERVER = str(Path(__file__).resolve().parent / "floor_server.py")
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> tuple[float, float]:
    """(all threads, the main thread) user + system CPU seconds of a process."""

    def read(path: str) -> float:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    return read(f"/proc/{pid}/stat"), read(f"/proc/{pid}/task/{pid}/stat")


@contextmanager
def floor_server(directory: Path) -> Iterator[tuple[int, Path]]:
    directory.mkdir(parents=True, exist_ok=True)
    socket = directory / "floor.sock"
    proc = subprocess.Popen(
        [sys.executable, FLOOR_SERVER, str(directory / "floor.db"), str(socket)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    try:
        yield proc.pid, socket
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


class _Socket:
    """What run_agents needs of a workspace: the database and socket paths."""

    def __init__(self, db_path: Path, socket_path: Path) -> None:
        self.db_path = db_path
        self.socket_path = socket_path


def _measured(pid: int, target: Any, agents: int, count: int) -> dict[str, Any]:
    before = cpu_seconds(pid)
    row = run_agents("daemon", target, agents, count)
    after = cpu_seconds(pid)
    ops = row["ops"]
    row["cpu_us_per_create"] = round((after[0] - before[0]) / ops * 1e6, 1)
    row["loop_cpu_us_per_create"] = round((after[1] - before[1]) / ops * 1e6, 1)
    return row


def against_floor(base: Path, agents: int, count: int, repeats: int) -> dict[str, Any]:
    runs: dict[str, list[dict[str, Any]]] = {"daemon": [], "floor": []}
    for attempt in range(repeats):
        workspace = make_workspace(base / f"daemon-{attempt}")
        with daemon(workspace) as pid:
            runs["daemon"].append(_measured(pid, workspace, agents, count))
        with floor_server(base / f"floor-{attempt}") as (pid, socket):
            target = _Socket(base / f"floor-{attempt}" / "floor.db", socket)
            runs["floor"].append(_measured(pid, target, agents, count))
    out: dict[str, Any] = {"agents": agents, "creates_per_agent": count, "repeats": repeats}
    for side, rows in runs.items():
        rows.sort(key=lambda r: r["ops_per_s"])
        median = rows[len(rows) // 2]
        out[side] = {
            "ops_per_s": median["ops_per_s"],
            "p50_ms": median["p50_ms"],
            "p99_ms": median["p99_ms"],
            "errors": median["errors"],
            "cpu_us_per_create": statistics.median(r["cpu_us_per_create"] for r in rows),
            "loop_cpu_us_per_create": statistics.median(r["loop_cpu_us_per_create"] for r in rows),
            "all_ops_per_s": [r["ops_per_s"] for r in rows],
        }
    d, f = out["daemon"], out["floor"]
    out["throughput_ratio"] = round(d["ops_per_s"] / f["ops_per_s"], 3)
    out["cpu_ratio"] = round(d["cpu_us_per_create"] / f["cpu_us_per_create"], 3)
    print(
        f"  floor: daemon {d['ops_per_s']:,.0f} ops/s {d['cpu_us_per_create']:.0f} us/create | "
        f"floor {f['ops_per_s']:,.0f} ops/s {f['cpu_us_per_create']:.0f} us/create | "
        f"throughput {out['throughput_ratio']:.2f}x, CPU {out['cpu_ratio']:.2f}x",
        flush=True,
    )
    time.sleep(0)
    return out
