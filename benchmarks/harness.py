"""Shared pieces of the benchmarks: workspaces, a daemon process, the two backends, stats."""

from __future__ import annotations

import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bd_trio.client.blocking import BlockingClient
from bd_trio.devtools.synthetic import build
from bd_trio.ops import OpContext, get_op
from bd_trio.ops.rows import materialized
from bd_trio.store import Store
from bd_trio.store.meta import set_config
from bd_trio.workspace import Workspace, create

ROOT = Path(__file__).resolve().parent.parent


def bd_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bd_trio", *args]


def make_workspace(directory: Path, issues: int = 0) -> Workspace:
    """A workspace with `issues` synthetic issues, exported once (as a real one would be)."""
    directory.mkdir(parents=True, exist_ok=True)
    workspace = create(directory, "bd", "sequential")
    store = Store(workspace.db_path)
    with store.transaction() as conn:
        set_config(conn, "prefix", "bd")
    if issues:
        build(store, issues)
    store.close()
    return workspace


@contextmanager
def daemon(workspace: Workspace, *extra: str) -> Iterator[int]:
    """A real detached daemon (`bd daemon start`); yields its pid; stops it afterwards."""
    env = dict(os.environ, BD_ACTOR="bench")
    subprocess.run(
        bd_command("daemon", "start", *extra),
        cwd=workspace.root,
        check=True,
        capture_output=True,
        env=env,
    )
    with BlockingClient(workspace.socket_path) as client:
        pid = int(client.ping()["pid"])
    try:
        yield pid
    finally:
        subprocess.run(
            bd_command("daemon", "stop"),
            cwd=workspace.root,
            check=True,
            capture_output=True,
            env=env,
        )


class Direct:
    """Direct mode in-process: the operation table on a store, one transaction per call."""

    def __init__(self, workspace: Workspace, actor: str = "bench") -> None:
        self.store = Store(workspace.db_path)
        self.actor = actor

    def call(self, op: str, args: dict[str, Any] | None = None) -> Any:
        spec = get_op(op)
        parsed = spec.parse_args(args or {})
        ctx = OpContext(actor=self.actor, prefix="bd")
        if spec.writes:
            with self.store.transaction() as conn:
                return spec.run(conn, parsed, ctx)
        with self.store.read() as conn:
            return materialized(spec.run(conn, parsed, ctx))

    def close(self) -> None:
        self.store.close()


def released_together(
    target: Callable[..., None], agents: int, args_of: Callable[[int], tuple[Any, ...]]
) -> list[Any]:
    """`agents` forked processes, each running `target(*args_of(n), barrier, out)`: they wait
    at the barrier so they start together, and each puts one result on `out`. The results,
    in the order they arrived."""
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(agents)
    out = ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_of(n), barrier, out)) for n in range(agents)]
    for p in procs:
        p.start()
    results = [out.get(timeout=600) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    return results


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summarize_ms(seconds: list[float]) -> dict[str, float]:
    ms = [s * 1000 for s in seconds]
    return {
        "p50_ms": round(statistics.median(ms), 4),
        "p99_ms": round(percentile(ms, 99), 4),
        "mean_ms": round(statistics.fmean(ms), 4),
        "n": len(ms),
    }


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def children_of(pid: int) -> list[int]:
    """The pids of a process's children (a daemon's reader processes)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                out.append(int(entry.name))
    return out


def timed(fn: Any, *args: Any) -> float:
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start
