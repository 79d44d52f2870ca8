"""100,000 issues: built in seconds, queried through indexes (plans checked, not timings),
and the ready/blocked answers checked against a plain-Python model of the same graph."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bd_trio.devtools.synthetic import build
from bd_trio.ops import OpContext, get_op
from bd_trio.ops.rows import materialized
from bd_trio.store import Store

pytestmark = pytest.mark.slow  # builds a 100,000-issue database

N = 100_000


def reference_ready(status: dict[str, str], deps: dict[tuple[str, str], str]) -> set[str]:
    blocked_direct = {a for (a, b), t in deps.items() if t == "blocks" and status[b] != "closed"}
    parents: dict[str, list[str]] = {}
    for (a, b), t in deps.items():
        if t == "parent-child":
            parents.setdefault(a, []).append(b)
    memo: dict[str, bool] = {}

    def blocked(issue: str) -> bool:
        if issue not in memo:
            memo[issue] = issue in blocked_direct or any(blocked(p) for p in parents.get(issue, ()))
        return memo[issue]

    # Ids only point to earlier ids, so filling the memo in id order keeps recursion shallow.
    for number in range(1, len(status) + 1):
        blocked(f"bd-{number}")
    return {i for i, s in status.items() if s == "open" and not blocked(i)}


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, dict[str, Any]]]:
    store = Store(tmp_path_factory.mktemp("scale") / "big.db", synchronous="OFF")
    graph = build(store, N)
    yield store, {"status": graph.status, "deps": graph.deps}
    store.close()


def run(store: Store, op: str, **args: Any) -> Any:
    spec = get_op(op)
    with store.read() as conn:
        return materialized(
            spec.run(conn, spec.parse_args(args), OpContext(actor="t", prefix="bd"))
        )


def plans_of(store: Store, action: Callable[[], Any]) -> list[str]:
    """Every query plan line of the statements that `action` runs."""
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        action()
    finally:
        store.conn.set_trace_callback(None)
    lines = []
    for sql in statements:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql):
            lines.append(str(row[3]))
    return lines


def assert_indexed(lines: list[str], *, sorted_by_index: bool) -> None:
    assert lines, "no queries were traced"
    for line in lines:
        assert "AUTOMATIC" not in line, line
        # A full scan of a big table is only acceptable through an index (covering scans of
        # the small CTE tables are fine).
        if line.startswith("SCAN ") and line.split()[1] in (
            "issues",
            "i",
            "dependencies",
            "d",
            "labels",
            "l",
        ):
            assert "INDEX" in line, line
        if sorted_by_index:
            # ready/list read rows in output order and stop at the limit; a sort step would
            # mean reading every candidate first.
            assert "TEMP B-TREE FOR ORDER BY" not in line, line


def test_build_is_fast_enough_to_test(big: tuple[Store, dict[str, Any]]) -> None:
    store, graph = big
    assert store.conn.execute("SELECT COUNT(*) FROM issues").fetchone()[0] == N
    assert len(graph["deps"]) > N  # about 1.5 per issue


@pytest.mark.parametrize(
    ("op", "args"),
    [
        ("ready", {"limit": 10}),
        ("ready", {"limit": 50, "priority": 1}),
        ("list", {"limit": 50}),
        ("list", {"limit": 50, "status": "open"}),
        ("list", {"limit": 50, "labels": ["area-3"]}),
        ("show", {"id": "bd-5000"}),
        ("dep_tree", {"id": "bd-99999", "max_depth": 3}),
        ("blocked", {}),
        ("stats", {}),
    ],
)
def test_queries_use_indexes(
    big: tuple[Store, dict[str, Any]], op: str, args: dict[str, Any]
) -> None:
    store, _ = big
    lines = plans_of(store, lambda: run(store, op, **args))
    assert_indexed(lines, sorted_by_index=op in ("ready", "list"))


def test_ready_and_blocked_match_a_reference_model(big: tuple[Store, dict[str, Any]]) -> None:
    store, graph = big
    expected = reference_ready(graph["status"], graph["deps"])
    ready = run(store, "ready", limit=0)
    assert {i["id"] for i in ready} == expected
    order = [(i["priority"], i["created_at"]) for i in ready]
    assert order == sorted(order)
    blocked = run(store, "blocked")
    expected_blocked = {
        a
        for (a, b), t in graph["deps"].items()
        if t == "blocks" and graph["status"][b] != "closed" and graph["status"][a] != "closed"
    }
    assert {i["id"] for i in blocked} == expected_blocked
    stats = run(store, "stats")
    assert stats["ready_issues"] == len(expected)
    assert stats["blocked_issues"] == len(expected_blocked)


def test_list_limit_returns_newest_first(big: tuple[Store, dict[str, Any]]) -> None:
    store, _ = big
    top = run(store, "list", limit=5, priority=0)
    assert [i["priority"] for i in top] == [0] * 5
    assert [i["created_at"] for i in top] == sorted((i["created_at"] for i in top), reverse=True)


def test_plan_check_catches_a_missing_index(tmp_path: Path) -> None:
    """The plan check is not vacuous: without the index, the same query is flagged."""
    store = Store(tmp_path / "noindex.db")
    try:
        build(store, 200)
        store.conn.execute("DROP INDEX idx_issues_list")
        with pytest.raises(AssertionError):
            assert_indexed(
                plans_of(store, lambda: run(store, "list", limit=5)), sorted_by_index=True
            )
    finally:
        store.close()
