"""Claim throughput: 8 agents drain a queue with `ready_claim` (claim the next ready issue in
one step), each agent a separate process started at a barrier; direct mode (the operation
table on the database, `BEGIN IMMEDIATE` per claim) and the daemon, alternating run by run."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bd_trio.client.blocking import BlockingClient
from bd_trio.errors import BdError
from bd_trio.ops import OpContext, get_op
from bd_trio.store import Store
from bd_trio.workspace import Workspace
from harness import Direct, daemon, make_workspace, released_together, summarize_ms


def fill_queue(workspace: Workspace, issues: int) -> None:
    store = Store(workspace.db_path)
    spec = get_op("create")
    ctx = OpContext(actor="bench", prefix="bd")
    with store.transaction() as conn:
        for n in range(issues):
            spec.run(conn, spec.parse_args({"title": f"work {n}", "priority": n % 4}), ctx)
    store.close()


def _agent(mode: str, db_path: str, socket_path: str, n: int, barrier: Any, out: Any) -> None:
    workspace = Workspace(Path(db_path).parent, Path(db_path))
    actor = f"agent-{n}"
    backend: Any = (
        Direct(workspace, actor)
        if mode == "direct"
        else BlockingClient(socket_path, actor=actor).connect()
    )
    claimed: list[str] = []
    latencies: list[float] = []
    errors = 0
    barrier.wait()
    start = time.perf_counter()
    while True:
        t0 = time.perf_counter()
        try:
            got = backend.call("ready_claim", {})
        except BdError:
            errors += 1
            continue
        latencies.append(time.perf_counter() - t0)
        if not got:
            break
        claimed.append(got[0]["id"])
    end = time.perf_counter()
    backend.close()
    out.put((start, end, latencies, errors, claimed))


def drain(mode: str, workspace: Workspace, agents: int) -> dict[str, Any]:
    paths = (str(workspace.db_path), str(workspace.socket_path))
    results = released_together(_agent, agents, lambda n: (mode, *paths, n))
    claimed = [issue for r in results for issue in r[4]]
    seconds = max(r[1] for r in results) - min(r[0] for r in results)
    return {
        "mode": mode,
        "agents": agents,
        "claims": len(claimed),
        "duplicates": len(claimed) - len(set(claimed)),
        "seconds": round(seconds, 4),
        "claims_per_s": round(len(claimed) / seconds, 1),
        "errors": sum(r[3] for r in results),
        **summarize_ms([x for r in results for x in r[2]]),
    }


def claim_throughput(base: Path, agents: int, issues: int, repeats: int) -> list[dict[str, Any]]:
    """Median run of each mode; the modes alternate run by run so noise hits both."""
    runs: dict[str, list[dict[str, Any]]] = {"direct": [], "daemon": []}
    for attempt in range(repeats):
        for mode in ("direct", "daemon"):
            workspace = make_workspace(base / f"claims-{mode}-{attempt}")
            fill_queue(workspace, issues)
            if mode == "daemon":
                with daemon(workspace):
                    runs[mode].append(drain(mode, workspace, agents))
            else:
                runs[mode].append(drain(mode, workspace, agents))
    rows = []
    for mode, results in runs.items():
        results.sort(key=lambda r: r["claims_per_s"])
        row = {
            **results[len(results) // 2],
            "all_claims_per_s": [r["claims_per_s"] for r in results],
        }
        rows.append(row)
        print(
            f"  claims {mode:6} x{agents}: {row['claims_per_s']:>8,.0f} claims/s  "
            f"p50 {row['p50_ms']:.2f} ms  p99 {row['p99_ms']:.2f} ms  "
            f"duplicates {row['duplicates']}  errors {row['errors']}",
            flush=True,
        )
    return rows
