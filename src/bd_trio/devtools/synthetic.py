"""Realistic synthetic trackers, built fast with bulk SQL for scale tests and benchmarks.

The graph: about 1.5 dependencies per issue (mostly `blocks`, some `parent-child` trees, a few
`related`), each pointing to an earlier issue (so there are no cycles), 20% closed, 10% in
progress, every 7th issue assigned, a label on every third.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from bd_trio.store import Store


@dataclass(frozen=True, slots=True)
class Graph:
    status: dict[str, str]
    deps: dict[tuple[str, str], str]


def build(store: Store, n: int, seed: int = 7, prefix: str = "bd") -> Graph:
    rng = random.Random(seed)
    issues = []
    status: dict[str, str] = {}
    for i in range(1, n + 1):
        roll = rng.random()
        st = "closed" if roll < 0.2 else "in_progress" if roll < 0.3 else "open"
        seconds, micros = divmod(i, 1_000_000)
        ts = f"2026-01-01T00:{seconds // 60:02d}:{seconds % 60:02d}.{micros:06d}Z"
        issue_id = f"{prefix}-{i}"
        status[issue_id] = st
        issues.append(
            (
                issue_id,
                f"issue {i}",
                f"Synthetic issue number {i}.",
                st,
                rng.randint(0, 4),
                ts,
                ts,
                ts if st == "closed" else None,
                "alice" if i % 7 == 0 else "",
            )
        )
    deps: dict[tuple[str, str], str] = {}
    for i in range(2, n + 1):
        for _ in range(rng.choice((0, 1, 2, 2, 3))):
            target = rng.randint(max(1, i - 500), i - 1)
            kind = rng.choices(["blocks", "parent-child", "related"], [6, 3, 1])[0]
            deps.setdefault((f"{prefix}-{i}", f"{prefix}-{target}"), kind)
    with store.transaction() as conn:
        conn.executemany(
            "INSERT INTO issues (id, title, description, status, priority, created_at, "
            "updated_at, closed_at, assignee) VALUES (?,?,?,?,?,?,?,?,?)",
            issues,
        )
        conn.executemany(
            "INSERT INTO dependencies (issue_id, depends_on_id, type, created_at) "
            "VALUES (?, ?, ?, '2026-01-01T00:00:00.000000Z')",
            [(a, b, t) for (a, b), t in deps.items()],
        )
        conn.executemany(
            "INSERT INTO labels (issue_id, label) VALUES (?, ?)",
            [(f"{prefix}-{i}", f"area-{i % 10}") for i in range(1, n + 1, 3)],
        )
        conn.execute(
            "INSERT INTO issue_counters VALUES (?, ?) "
            "ON CONFLICT(prefix) DO UPDATE SET last_id = excluded.last_id",
            (prefix, n),
        )
    return Graph(status, deps)
