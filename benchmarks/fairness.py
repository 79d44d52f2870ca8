"""Fairness: while one agent runs a 5,000-operation batch, four other agents create issues one
at a time; their latency is measured for as long as the batch runs. A non-atomic batch runs a
chunk per group commit (other agents are served between chunks); an atomic batch is one
transaction, which is how every batch ran before, so it shows the difference."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path
from typing import Any

from bd_trio.client.blocking import BlockingClient
from harness import daemon, make_workspace, summarize_ms


def _batcher(socket: str, size: int, atomic: bool, started: Any, out: Any) -> None:
    operations = [{"op": "create", "args": {"title": f"batch {i}"}} for i in range(size)]
    with BlockingClient(socket, timeout=600) as client:
        started.set()
        begin = time.perf_counter()
        result = client.call("batch", {"operations": operations, "atomic": atomic})
        out.put(("batch", time.perf_counter() - begin, result["ok"]))


def _single(socket: str, n: int, started: Any, done: Any, out: Any) -> None:
    samples = []
    with BlockingClient(socket, timeout=600) as client:
        started.wait()
        time.sleep(0.01)
        while not done.is_set():
            begin = time.perf_counter()
            client.call("create", {"title": f"single {n}"})
            samples.append(time.perf_counter() - begin)
    out.put(("single", samples, n))


def run(base: Path, size: int, atomic: bool) -> dict[str, Any]:
    workspace = make_workspace(base / f"fair-{'atomic' if atomic else 'chunked'}")
    ctx = mp.get_context("fork")
    with daemon(workspace):
        socket = str(workspace.socket_path)
        started, done, out = ctx.Event(), ctx.Event(), ctx.Queue()
        batcher = ctx.Process(target=_batcher, args=(socket, size, atomic, started, out))
        singles = [
            ctx.Process(target=_single, args=(socket, n, started, done, out)) for n in range(4)
        ]
        for p in [batcher, *singles]:
            p.start()
        _kind, batch_s, ok = out.get(timeout=600)
        done.set()
        samples = [x for _ in singles for x in out.get(timeout=600)[1]]
        for p in [batcher, *singles]:
            p.join(timeout=60)
    return {
        "batch": "atomic (one transaction)" if atomic else "non-atomic (a chunk per commit)",
        "batch_s": round(batch_s, 3),
        "batch_ok": ok,
        "singles": summarize_ms(samples),
    }


def fairness(base: Path, size: int) -> list[dict[str, Any]]:
    rows = [run(base, size, atomic=False), run(base, size, atomic=True)]
    for row in rows:
        print(
            f"  fairness {row['batch']:32}: batch {row['batch_s']:.2f} s; others' creates p50 "
            f"{row['singles']['p50_ms']:.1f} ms p99 {row['singles']['p99_ms']:.1f} ms "
            f"(n={row['singles']['n']})",
            flush=True,
        )
    return rows
