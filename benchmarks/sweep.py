"""Concurrency sweep: N agents x M creates, each agent a separate process with its own
connection (daemon) or its own database connection (direct), started together at a barrier.
Also: ping latency while 8 agents write."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path
from typing import Any

from bd_trio.client.blocking import BlockingClient
from bd_trio.errors import BdError
from bd_trio.workspace import Workspace
from harness import Direct, daemon, make_workspace, percentile, released_together, summarize_ms


def _agent(
    mode: str, db_path: str, socket_path: str, n: int, count: int, barrier: Any, out: Any
) -> None:
    workspace = Workspace(Path(db_path).parent, Path(db_path))
    latencies: list[float] = []
    errors = 0
    backend: Any = (
        Direct(workspace)
        if mode == "direct"
        else BlockingClient(socket_path, actor=f"agent-{n}").connect()
    )
    barrier.wait()
    start = time.perf_counter()
    for i in range(count):
        t0 = time.perf_counter()
        try:
            backend.call("create", {"title": f"agent {n} issue {i}"})
        except BdError:
            errors += 1
        latencies.append(time.perf_counter() - t0)
    end = time.perf_counter()
    backend.close()
    out.put((start, end, latencies, errors))


def run_agents(mode: str, workspace: Workspace, agents: int, count: int) -> dict[str, Any]:
    paths = (str(workspace.db_path), str(workspace.socket_path))
    results = released_together(_agent, agents, lambda n: (mode, *paths, n, count))
    start = min(r[0] for r in results)
    end = max(r[1] for r in results)
    latencies = [x for r in results for x in r[2]]
    total = agents * count
    return {
        "mode": mode,
        "agents": agents,
        "ops": total,
        "seconds": round(end - start, 4),
        "ops_per_s": round(total / (end - start), 1),
        "errors": sum(r[3] for r in results),
        **summarize_ms(latencies),
    }


def sweep(
    base: Path, agent_counts: list[int], count: int, repeats: int = 1
) -> list[dict[str, Any]]:
    """Each point is run `repeats` times (a fresh workspace each time); the run with the median
    throughput is kept, with all throughputs listed (the machine is noisy)."""
    rows = []
    for agents in agent_counts:
        for mode in ("direct", "daemon"):
            runs = []
            for attempt in range(repeats):
                workspace = make_workspace(base / f"{mode}-{agents}-{attempt}", issues=0)
                if mode == "daemon":
                    with daemon(workspace):
                        runs.append(run_agents(mode, workspace, agents, count))
                else:
                    runs.append(run_agents(mode, workspace, agents, count))
            runs.sort(key=lambda r: r["ops_per_s"])
            row = {**runs[len(runs) // 2], "all_ops_per_s": [r["ops_per_s"] for r in runs]}
            rows.append(row)
            print(
                f"  sweep {mode:6} x{agents:<3} {row['ops_per_s']:>9,.0f} ops/s  "
                f"p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms  "
                f"errors {row['errors']}  (runs: {row['all_ops_per_s']})",
                flush=True,
            )
    return rows


def _pinger(socket_path: str, done: Any, out: Any, barrier: Any) -> None:
    client = BlockingClient(socket_path).connect()
    barrier.wait()
    latencies = []
    while not done.is_set():
        t0 = time.perf_counter()
        client.ping()
        latencies.append(time.perf_counter() - t0)
        time.sleep(0.0002)
    client.close()
    out.put(latencies)


def ping_idle(socket_path: Path, rounds: int) -> list[float]:
    latencies = []
    with BlockingClient(socket_path) as client:
        for _ in range(rounds):
            t0 = time.perf_counter()
            client.ping()
            latencies.append(time.perf_counter() - t0)
    return latencies


def ping_under_load(base: Path, writers: int, count: int) -> dict[str, Any]:
    """Ping latency with no load, then while `writers` agents create `count` issues each."""
    workspace = make_workspace(base / "ping-under-load", issues=0)
    ctx = mp.get_context("fork")
    with daemon(workspace):
        idle = ping_idle(workspace.socket_path, 2000)
        barrier = ctx.Barrier(writers + 1)
        out = ctx.Queue()
        pings = ctx.Queue()
        done = ctx.Event()
        agents = [
            ctx.Process(
                target=_agent,
                args=(
                    "daemon",
                    str(workspace.db_path),
                    str(workspace.socket_path),
                    n,
                    count,
                    barrier,
                    out,
                ),
            )
            for n in range(writers)
        ]
        pinger = ctx.Process(
            target=_pinger, args=(str(workspace.socket_path), done, pings, barrier)
        )
        for p in [*agents, pinger]:
            p.start()
        results = [out.get(timeout=600) for _ in agents]
        done.set()
        loaded = pings.get(timeout=60)
        for p in [*agents, pinger]:
            p.join(timeout=60)
    ops = writers * count
    seconds = max(r[1] for r in results) - min(r[0] for r in results)
    return {
        "idle": summarize_ms(idle),
        "under_load": summarize_ms(loaded),
        "writers": writers,
        "writer_ops_per_s": round(ops / seconds, 1),
        "max_ms": round(max(loaded) * 1000, 3) if loaded else None,
        "p999_ms": round(percentile([x * 1000 for x in loaded], 99.9), 3) if loaded else None,
    }
