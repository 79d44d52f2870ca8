"""The daemon against the floor of its own design (benchmarks/floor_server.py), side by side:
fresh servers, alternating run by run, 8 agent processes x 100 creates each, measured two ways:

- `client` agents use the project's BlockingClient (what agents really run);
- `raw` agents are a minimal client (a socket, cbor2, one frame out and one in), so less of the
  two cores goes to the agents and more of the server's own cost shows.

Reports ops/s, p50/p99, the server's CPU per create (user + system from /proc, of all its
threads and child processes) split by thread: the event loop (main thread), the writer (the
database thread; the daemon's JSONL export runs there too), worker threads (trio's: reads in
threads, git) and reader processes; and the ratios daemon / floor for each agent kind."""

from __future__ import annotations

import os
import signal
import socket as stdlib_socket
import statistics
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import cbor2

from harness import children_of, daemon, make_workspace, released_together, summarize_ms
from sweep import run_agents

FLOOR_SERVER = str(Path(__file__).resolve().parent / "floor_server.py")
TICK = os.sysconf("SC_CLK_TCK")
HEADER = struct.Struct(">I")
AGENT_KINDS = ("client", "raw")
PARTS = ("loop", "writer", "worker_threads", "reader_processes")


def _cpu(stat_path: Path) -> float:
    fields = stat_path.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def cpu_parts(pid: int) -> dict[str, float]:
    """CPU seconds so far of a server process, by part: its main thread (the event loop),
    trio's worker threads (named "Trio thread N"), its other threads (the writer's database
    thread) and its child processes (reader processes)."""
    parts = dict.fromkeys(PARTS, 0.0)
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            seconds = _cpu(task / "stat")
            name = (task / "comm").read_text().strip()
        except OSError:
            continue  # the thread ended meanwhile
        if int(task.name) == pid:
            parts["loop"] += seconds
        elif name.startswith("Trio thread"):
            parts["worker_threads"] += seconds
        else:
            parts["writer"] += seconds
    for child in children_of(pid):
        with suppress(OSError):
            parts["reader_processes"] += _cpu(Path(f"/proc/{child}/stat"))
    return parts


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


def _raw_agent(socket_path: str, n: int, count: int, barrier: Any, out: Any) -> None:
    """A minimal agent: one socket, one CBOR frame out and one in per create."""
    sock = stdlib_socket.socket(stdlib_socket.AF_UNIX, stdlib_socket.SOCK_STREAM)
    sock.connect(socket_path)
    reader = sock.makefile("rb")
    latencies: list[float] = []
    errors = 0
    barrier.wait()
    start = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        body = cbor2.dumps(
            {"v": 1, "id": i, "op": "create", "args": {"title": f"agent {n} issue {i}"}}
        )
        sock.sendall(HEADER.pack(len(body)) + body)
        (length,) = HEADER.unpack(reader.read(HEADER.size))
        if not cbor2.loads(reader.read(length)).get("ok"):
            errors += 1
        latencies.append(time.perf_counter() - t0)
    end = time.perf_counter()
    sock.close()
    out.put((start, end, latencies, errors))


def run_raw_agents(socket_path: Path, agents: int, count: int) -> dict[str, Any]:
    results = released_together(_raw_agent, agents, lambda n: (str(socket_path), n, count))
    start, end = min(r[0] for r in results), max(r[1] for r in results)
    total = agents * count
    return {
        "agents": agents,
        "ops": total,
        "ops_per_s": round(total / (end - start), 1),
        "errors": sum(r[3] for r in results),
        **summarize_ms([x for r in results for x in r[2]]),
    }


def _measured(pid: int, target: Any, kind: str, agents: int, count: int) -> dict[str, Any]:
    before = cpu_parts(pid)
    if kind == "raw":
        row = run_raw_agents(target.socket_path, agents, count)
    else:
        row = run_agents("daemon", target, agents, count)
    after = cpu_parts(pid)
    ops = row["ops"]
    split = {part: round((after[part] - before[part]) / ops * 1e6, 1) for part in PARTS}
    row["cpu_us_per_create"] = round(sum(split.values()), 1)
    row["loop_cpu_us_per_create"] = split["loop"]
    row["cpu_split_us"] = split
    return row


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    rows.sort(key=lambda r: r["ops_per_s"])
    median = rows[len(rows) // 2]
    return {
        "ops_per_s": median["ops_per_s"],
        "p50_ms": median["p50_ms"],
        "p99_ms": median["p99_ms"],
        "errors": median["errors"],
        "cpu_us_per_create": statistics.median(r["cpu_us_per_create"] for r in rows),
        "loop_cpu_us_per_create": statistics.median(r["loop_cpu_us_per_create"] for r in rows),
        "cpu_split_us": {
            part: statistics.median(r["cpu_split_us"][part] for r in rows) for part in PARTS
        },
        "all_ops_per_s": [r["ops_per_s"] for r in rows],
    }


def against_floor(base: Path, agents: int, count: int, repeats: int) -> dict[str, Any]:
    """Both agent kinds against both servers, alternating daemon and floor run by run."""
    runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for attempt in range(repeats):
        for kind in AGENT_KINDS:
            workspace = make_workspace(base / f"daemon-{kind}-{attempt}")
            with daemon(workspace) as pid:
                runs.setdefault(("daemon", kind), []).append(
                    _measured(pid, workspace, kind, agents, count)
                )
            directory = base / f"floor-{kind}-{attempt}"
            with floor_server(directory) as (pid, socket):
                target = _Socket(directory / "floor.db", socket)
                runs.setdefault(("floor", kind), []).append(
                    _measured(pid, target, kind, agents, count)
                )
    out: dict[str, Any] = {"agents": agents, "creates_per_agent": count, "repeats": repeats}
    for kind in AGENT_KINDS:
        d, f = _summary(runs[("daemon", kind)]), _summary(runs[("floor", kind)])
        section = {
            "daemon": d,
            "floor": f,
            "throughput_ratio": round(d["ops_per_s"] / f["ops_per_s"], 3),
            # CPU is counted in clock ticks (10 ms): a short run may show none (quick mode).
            "cpu_ratio": (
                round(d["cpu_us_per_create"] / f["cpu_us_per_create"], 3)
                if f["cpu_us_per_create"]
                else None
            ),
        }
        out[kind] = section
        split = ", ".join(f"{k} {v:.0f}" for k, v in d["cpu_split_us"].items())
        print(
            f"  floor ({kind} agents): daemon {d['ops_per_s']:,.0f} ops/s "
            f"{d['cpu_us_per_create']:.0f} us/create ({split}) | floor {f['ops_per_s']:,.0f} "
            f"ops/s {f['cpu_us_per_create']:.0f} us/create | throughput "
            f"{section['throughput_ratio']:.2f}x, CPU {section['cpu_ratio']}x",
            flush=True,
        )
    # The project-client figures stay where earlier reports read them.
    out.update({k: out["client"][k] for k in ("daemon", "floor", "throughput_ratio", "cpu_ratio")})
    return out
