"""Ready work, blocked issues, cycles, trees and stats over real dependency graphs."""

from __future__ import annotations

import pytest

from bd_trio.errors import BdError
from conftest import OpRunner


def ids_of(items: list[dict[str, object]]) -> list[object]:
    return [item["id"] for item in items]


def make(ops: OpRunner, n: int, **args: object) -> list[str]:
    return [ops("create", title=f"issue {i}", **args)["id"] for i in range(n)]


def test_blocks_dependency_hides_issue_until_blocker_closes(ops: OpRunner) -> None:
    a, b = make(ops, 2)
    ops("dep_add", issue_id=b, depends_on_id=a)
    assert ids_of(ops("ready")) == [a]
    assert [(i["id"], i["blocked_by"]) for i in ops("blocked")] == [(b, [a])]
    ops("close", id=a)
    assert ids_of(ops("ready")) == [b]
    assert ops("blocked") == []


def test_non_blocking_types_do_not_block(ops: OpRunner) -> None:
    a, b, c = make(ops, 3)
    ops("dep_add", issue_id=b, depends_on_id=a, type="related")
    ops("dep_add", issue_id=c, depends_on_id=a, type="discovered-from")
    assert ids_of(ops("ready")) == [a, b, c]


def test_blockage_is_inherited_through_parent_child(ops: OpRunner) -> None:
    blocker, epic, child, grandchild, free = make(ops, 5)
    ops("dep_add", issue_id=epic, depends_on_id=blocker)
    ops("dep_add", issue_id=child, depends_on_id=epic, type="parent-child")
    ops("dep_add", issue_id=grandchild, depends_on_id=child, type="parent-child")
    assert ids_of(ops("ready")) == [blocker, free]
    # `blocked` lists direct blockage only; the children are simply not ready.
    assert ids_of(ops("blocked")) == [epic]
    ops("close", id=blocker)
    assert ids_of(ops("ready")) == [epic, child, grandchild, free]


def test_ready_only_lists_open_issues_in_priority_then_age_order(ops: OpRunner) -> None:
    low = ops("create", title="low", priority=3)["id"]
    high_old = ops("create", title="high old", priority=0)["id"]
    high_new = ops("create", title="high new", priority=0)["id"]
    busy = ops("create", title="busy")["id"]
    ops("update", id=busy, status="in_progress")
    assert ids_of(ops("ready")) == [high_old, high_new, low]
    assert ids_of(ops("ready", limit=1)) == [high_old]
    assert ids_of(ops("ready", priority=3)) == [low]


def test_closed_issue_with_open_blocker_is_not_blocked(ops: OpRunner) -> None:
    a, b = make(ops, 2)
    ops("dep_add", issue_id=b, depends_on_id=a)
    ops("close", id=b)
    assert ops("blocked") == []


@pytest.mark.parametrize("dep_type", ["blocks", "related", "parent-child", "discovered-from"])
def test_cycles_are_refused_for_every_type(ops: OpRunner, dep_type: str) -> None:
    a, b, c = make(ops, 3)
    ops("dep_add", issue_id=a, depends_on_id=b, type=dep_type)
    ops("dep_add", issue_id=b, depends_on_id=c, type="related")
    before = ops.snapshot()
    with pytest.raises(BdError) as info:
        ops("dep_add", issue_id=c, depends_on_id=a, type=dep_type)
    assert info.value.code == "cycle"
    assert ops.snapshot() == before
    # Mixed types form cycles too.
    with pytest.raises(BdError):
        ops("dep_add", issue_id=c, depends_on_id=a, type="blocks")


def test_duplicate_dependency_is_a_conflict(ops: OpRunner) -> None:
    a, b = make(ops, 2)
    ops("dep_add", issue_id=b, depends_on_id=a)
    with pytest.raises(BdError) as info:
        ops("dep_add", issue_id=b, depends_on_id=a, type="related")
    assert info.value.code == "conflict"
    assert "remove it first" in info.value.message


def test_dep_tree_depth_and_truncation(ops: OpRunner) -> None:
    a, b, c, d = make(ops, 4)
    ops("dep_add", issue_id=a, depends_on_id=b)
    ops("dep_add", issue_id=b, depends_on_id=c, type="parent-child")
    ops("dep_add", issue_id=c, depends_on_id=d)
    ops("dep_add", issue_id=a, depends_on_id=d, type="related")
    tree = ops("dep_tree", id=a)
    assert [(n["id"], n["depth"]) for n in tree] == [(a, 0), (b, 1), (c, 2), (d, 3)]
    assert tree[2]["dependency_type"] == "parent-child"
    short = ops("dep_tree", id=a, max_depth=1)
    assert [(n["id"], n["truncated"]) for n in short] == [(a, False), (b, True), (d, False)]


def test_cycles_brought_in_by_import_are_reported(ops: OpRunner) -> None:
    a, b, c, lone = make(ops, 4)
    ops("dep_add", issue_id=a, depends_on_id=b)
    ops("dep_add", issue_id=b, depends_on_id=c)
    assert ops("dep_cycles") == []
    # dep add refuses cycles, so write one the way an import of a merged file could.
    with ops.store.transaction() as conn:
        conn.execute(
            "INSERT INTO dependencies VALUES (?, ?, 'related', '2026-01-01T00:00:00Z', '', '')",
            (c, a),
        )
    cycles = ops("dep_cycles")
    assert [[i["id"] for i in cycle] for cycle in cycles] == [[a, b, c]]
    assert lone not in str(cycles)


def test_stats_counts(ops: OpRunner) -> None:
    a, b, c, d = make(ops, 4)
    ops("dep_add", issue_id=b, depends_on_id=a)
    ops("update", id=c, status="in_progress")
    ops("close", id=d)
    stats = ops("stats")
    summary = stats.pop("summary")
    activity = stats.pop("recent_activity")
    assert summary == {**stats, "tombstone_issues": 0}  # the newer shape: the same counts
    assert activity["issues_created"] == 4 and activity["issues_closed"] == 1
    assert stats == {
        "total_issues": 4,
        "open_issues": 2,
        "in_progress_issues": 1,
        "closed_issues": 1,
        "blocked_issues": 1,
        "ready_issues": 1,
        "average_lead_time_hours": stats["average_lead_time_hours"],
    }
    assert 0 <= stats["average_lead_time_hours"] < 0.01
