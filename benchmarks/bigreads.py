"""Big reads at scale: 50,000 issues, almost all blocked by one open issue, while two
connections run `ready --limit 10` (which must look through the blocked ones) and `blocked`
(which answers nearly all of them) back to back; meanwhile ping and create latency are
measured on two other connections. Each client is its own process."""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path
from typing import Any

from bd_trio.client.blocking import BlockingClient
from bd_trio.store import Store
from bd_trio.workspace import Workspace
from harness import daemon, make_workspace, summarize_ms


def build_blocked_world(workspace: Workspace, issues: int) -> None:
    """`issues` issues; every one but the first depends on (is blocked by) bd-1, the lowest
    priority, so `ready` walks past all of them before it finds bd-1."""
    store = Store(workspace.db_path)
    rows = [
        (
            f"bd-{n}",
            f"issue {n}",
            "",
            "open",
            4 if n == 1 else n % 4,
            f"2026-01-01T00:00:00.{n:06d}Z",
            f"2026-01-01T00:00:00.{n:06d}Z",
        )
        for n in range(1, issues + 1)
    ]
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO issues (id, title, description, status, priority, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        conn.executemany(
            "INSERT INTO dependencies (issue_id, depends_on_id, type, created_at) "
            "VALUES (?, 'bd-1', 'blocks', '2026-01-01T00:00:00Z')",
            [(f"bd-{n}",) for n in range(2, issues + 1)],
        )
        conn.execute("INSERT INTO issue_counters (prefix, last_id) VALUES ('bd', ?)", (issues,))
    store.close()


def _reader(socket: str, op: str, args: dict[str, Any], stop: Any, out: Any) -> None:
    done = 0
    with BlockingClient(socket, timeout=600) as client:
        while not stop.is_set():
            client.call(op, args)
            done += 1
    out.put((op, done))


def _prober(socket: str, op: str, stop: Any, out: Any) -> None:
    samples = []
    with BlockingClient(socket, timeout=600) as client:
        while not stop.is_set():
            start = time.perf_counter()
            if op == "ping":
                client.call("ping")
            else:
                client.call("create", {"title": "while big reads run"})
            samples.append(time.perf_counter() - start)
            time.sleep(0.002)
    out.put((op, samples))


def big_reads(base: Path, issues: int, seconds: float) -> dict[str, Any]:
    workspace = make_workspace(base / "big-reads")
    build_blocked_world(workspace, issues)
    ctx = mp.get_context("fork")
    with daemon(workspace):
        socket = str(workspace.socket_path)
        stop = ctx.Event()
        out = ctx.Queue()
        procs = [
            ctx.Process(target=_reader, args=(socket, "ready", {"limit": 10}, stop, out)),
            ctx.Process(target=_reader, args=(socket, "blocked", {}, stop, out)),
            ctx.Process(target=_prober, args=(socket, "ping", stop, out)),
            ctx.Process(target=_prober, args=(socket, "create", stop, out)),
        ]
        for p in procs:
            p.start()
        time.sleep(seconds)
        stop.set()
        results = dict(out.get(timeout=600) for _ in procs)
        for p in procs:
            p.join(timeout=60)
    row = {
        "issues": issues,
        "seconds": seconds,
        "ready_calls": results["ready"],
        "blocked_calls": results["blocked"],
        "ping": summarize_ms(results["ping"]),
        "create": summarize_ms(results["create"]),
    }
    print(
        f"  big reads at {issues:,}: ping p50 {row['ping']['p50_ms']:.2f} p99 "
        f"{row['ping']['p99_ms']:.2f} ms, create p50 {row['create']['p50_ms']:.2f} p99 "
        f"{row['create']['p99_ms']:.2f} ms ({row['ready_calls']} ready, "
        f"{row['blocked_calls']} blocked answered)",
        flush=True,
    )
    return row
