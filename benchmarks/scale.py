"""Scale: list, ready, show, dep tree, blocked and stats at growing database sizes (a realistic
graph: ~1.5 dependencies per issue, parent-child trees, 20% closed), through the daemon and
direct, plus the daemon's resident memory."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bd_trio.client.blocking import BlockingClient
from harness import Direct, children_of, daemon, make_workspace, rss_mb, summarize_ms

QUERIES: dict[str, tuple[str, dict[str, Any]]] = {
    "list (limit 50)": ("list", {"limit": 50}),
    "ready (limit 50)": ("ready", {"limit": 50}),
    "show": ("show", {"id": "{busy}"}),
    "dep tree (depth 10)": ("dep_tree", {"id": "{busy}", "max_depth": 10}),
    "stats": ("stats", {}),
    "blocked": ("blocked", {}),  # last: its large answer raises the daemon's memory high-water
}


def _args(template: dict[str, Any], busy: str) -> dict[str, Any]:
    return {k: v.format(busy=busy) if isinstance(v, str) else v for k, v in template.items()}


def busiest(direct: Direct) -> str:
    """The newest issue with the most dependencies: a deep tree and a full `show`."""
    row = direct.store.conn.execute(
        "SELECT issue_id FROM dependencies GROUP BY issue_id "
        "ORDER BY COUNT(*) DESC, issue_id DESC LIMIT 1"
    ).fetchone()
    return str(row[0]) if row else "bd-1"


def _measure(backend: Any, op: str, args: dict[str, Any], rounds: int) -> dict[str, Any]:
    answer = backend.call(op, args)  # warms the cache
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        backend.call(op, args)
        samples.append(time.perf_counter() - start)
    return {**summarize_ms(samples), "answer_size": len(answer) if isinstance(answer, list) else 1}


def scale(base: Path, sizes: list[int], rounds: int) -> list[dict[str, Any]]:
    rows = []
    for size in sizes:
        start = time.perf_counter()
        workspace = make_workspace(base / f"scale-{size}", issues=size)
        built = time.perf_counter() - start
        direct = Direct(workspace)
        busy = busiest(direct)
        direct_results = {
            name: _measure(direct, op, _args(args, busy), rounds)
            for name, (op, args) in QUERIES.items()
        }
        direct.close()
        memory: dict[str, float] = {}
        readers: dict[str, float] = {}  # the reader processes' resident size, summed
        daemon_results: dict[str, dict[str, Any]] = {}
        with daemon(workspace) as pid, BlockingClient(workspace.socket_path, timeout=600) as client:
            memory["after start"] = rss_mb(pid)
            for name, (op, args) in QUERIES.items():
                daemon_results[name] = _measure(client, op, _args(args, busy), rounds)
                memory[name] = rss_mb(pid)  # resident size after this query's rounds
                readers[name] = sum(rss_mb(child) for child in children_of(pid))
        for name in QUERIES:
            rows.append(
                {
                    "size": size,
                    "query": name,
                    "answer_size": daemon_results[name]["answer_size"],
                    "direct_p50_ms": direct_results[name]["p50_ms"],
                    "daemon_p50_ms": daemon_results[name]["p50_ms"],
                    "daemon_p99_ms": daemon_results[name]["p99_ms"],
                    "daemon_rss_mb": memory[name],
                    "readers_rss_mb": round(readers[name], 1),
                    "daemon_rss_after_start_mb": memory["after start"],
                    "build_s": round(built, 2),
                }
            )
        print(
            f"  scale {size:>7,}: built in {built:.1f} s, daemon RSS {memory} MB; "
            + ", ".join(f"{n} {daemon_results[n]['p50_ms']:.1f} ms" for n in QUERIES),
            flush=True,
        )
    return rows
