"""The counts the triggers keep (store/counts.py) against a full recount, after random sequences
of real operations on a real SQLite file: creates, status changes, closes, reopens,
dependencies added and removed, deletes, renumbering. `stats`, `ready` and `blocked` answered
from the kept counts agree with a plain-Python model of the same graph."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bd_trio.errors import BdError
from bd_trio.model import clock
from bd_trio.store import counts
from bd_trio.store.renumber import renumber
from conftest import OpRunner

ISSUES = 8
pick = st.integers(min_value=0, max_value=ISSUES)
_dep = st.tuples(
    st.just("dep_add"),
    st.tuples(pick, pick),
    st.sampled_from(["blocks", "blocks", "parent-child", "related"]),
)
step = st.one_of(
    _dep,
    _dep,
    st.tuples(
        st.just("create"),
        pick,
        st.sampled_from(["open", "in_progress", "blocked", "hooked", "deferred", "pinned"]),
    ),
    st.tuples(st.just("close"), pick, st.none()),
    st.tuples(st.just("reopen"), pick, st.none()),
    st.tuples(
        st.just("status"),
        pick,
        st.sampled_from(["open", "in_progress", "blocked", "hooked", "deferred", "pinned"]),
    ),
    st.tuples(st.just("dep_remove"), st.tuples(pick, pick), st.none()),
    st.tuples(st.just("delete"), pick, st.none()),
    st.tuples(st.just("renumber"), pick, st.none()),
)


def _apply(ops: OpRunner, ids: list[str], action: str, target: Any, value: Any) -> None:
    def iid(n: int) -> str:
        return ids[n % len(ids)]

    if action != "create" and not ids:
        return
    if action == "create":
        created = ops("create", title=f"issue {target}")
        ids.append(created["id"])
        if value != "open":
            ops("update", id=created["id"], status=value)
    elif action == "close":
        ops("close", id=iid(target))
    elif action == "reopen":
        ops("reopen", id=iid(target))
    elif action == "status":
        ops("update", id=iid(target), status=value)
    elif action == "dep_add":
        ops("dep_add", issue_id=iid(target[0]), depends_on_id=iid(target[1]), type=value)
    elif action == "dep_remove":
        ops("dep_remove", issue_id=iid(target[0]), depends_on_id=iid(target[1]))
    elif action == "delete":
        gone = iid(target)
        ops("delete", ids=[gone], force=True)
        ids.remove(gone)
    elif action == "renumber":
        old = iid(target)
        new = f"bd-r{len(ids)}x{target}"
        with ops.store.transaction() as conn:
            renumber(conn, old, new, "tester", clock.now())
        ids[ids.index(old)] = new


def reference(conn: Any) -> tuple[set[str], set[str]]:
    """(ready ids, blocked ids) computed in Python from the raw rows."""
    status = dict(conn.execute("SELECT id, status FROM issues"))
    deps = list(conn.execute("SELECT issue_id, depends_on_id, type FROM dependencies"))
    direct = {a for a, b, t in deps if t == "blocks" and status[b] not in counts.DONE_STATUSES}
    parents: dict[str, list[str]] = {}
    for a, b, t in deps:
        if t == "parent-child":
            parents.setdefault(a, []).append(b)

    def blocked(issue: str, seen: frozenset[str] = frozenset()) -> bool:
        if issue in direct:
            return True
        return any(p not in seen and blocked(p, seen | {issue}) for p in parents.get(issue, ()))

    ready = {i for i, s in status.items() if s == "open" and not blocked(i)}
    blocked_ids = {i for i in direct if status[i] not in counts.DONE_STATUSES}
    return ready, blocked_ids


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.sampled_from(["open", "in_progress", "blocked", "closed", "hooked", "deferred"]),
        max_size=ISSUES,
    ),
    st.lists(step, min_size=1, max_size=40),
)
def test_kept_counts_match_a_full_recount(
    first: list[str], steps: list[tuple[str, Any, Any]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        ops = OpRunner(Path(tmp) / "counts.db")
        try:
            ids: list[str] = []
            for n, status in enumerate(first):
                _apply(ops, ids, "create", n, "open" if status == "closed" else status)
                if status == "closed":
                    _apply(ops, ids, "close", len(ids) - 1, None)
            for action, target, value in steps:
                # A refused step (self-dependency, cycle, ...) changes nothing.
                with contextlib.suppress(BdError):
                    _apply(ops, ids, action, target, value)
            conn = ops.store.conn
            fresh, fresh_blockers = counts.recount(conn)
            assert counts.read_counts(conn).as_tuple() == fresh.as_tuple()
            assert counts.kept_blockers(conn) == fresh_blockers
            ready, blocked = reference(conn)
            stats = ops("stats")
            assert stats["ready_issues"] == len(ready)
            assert stats["blocked_issues"] == len(blocked)
            assert (
                stats["total_issues"] == conn.execute("SELECT COUNT(*) FROM issues").fetchone()[0]
            )
            assert {i["id"] for i in ops("ready", limit=0)} == ready
            assert {i["id"] for i in ops("ready", limit=3)} <= ready
            assert {i["id"] for i in ops("blocked")} == blocked
        finally:
            ops.store.close()


def test_counts_survive_a_migration_of_an_existing_database(tmp_path: Path) -> None:
    """A database filled before the counts existed gets them computed by the migration."""
    ops = OpRunner(tmp_path / "old.db")
    a = ops("create", title="a")["id"]
    b = ops("create", title="b")["id"]
    ops("dep_add", issue_id=b, depends_on_id=a)
    ops("close", id=ops("create", title="c")["id"])
    conn = ops.store.conn
    conn.execute("DELETE FROM issue_counts")
    conn.execute("DELETE FROM open_blockers")
    conn.executescript(counts.BACKFILL)
    fresh, blockers = counts.recount(conn)
    assert counts.read_counts(conn).as_tuple() == fresh.as_tuple()
    assert counts.kept_blockers(conn) == blockers == {b: (1, 0)}
    ops.store.close()


def test_a_reader_remembers_the_blocked_walk_only_until_a_commit(tmp_path: Path) -> None:
    """`per_commit` on a read-only connection: the same answer while nothing was committed,
    a fresh one after any other connection's commit (and never a stale one)."""
    from bd_trio.ops import OpContext, get_op
    from bd_trio.store import Store
    from bd_trio.store.connection import per_commit

    writer = OpRunner(tmp_path / "memo.db")
    reader = Store(tmp_path / "memo.db", read_only=True)
    spec = get_op("stats")

    def stats() -> dict[str, Any]:
        with reader.read() as conn:
            return spec.run(conn, None, OpContext(actor="t", prefix="bd"))  # type: ignore[no-any-return]

    epic, child, blocker = (writer("create", title=t)["id"] for t in ("epic", "child", "b"))
    writer("dep_add", issue_id=child, depends_on_id=epic, type="parent-child")
    assert stats()["ready_issues"] == 3
    writer("dep_add", issue_id=epic, depends_on_id=blocker)
    assert stats()["ready_issues"] == 1  # the epic and, through it, the child
    assert stats()["ready_issues"] == 1
    writer("close", id=blocker)
    assert stats()["ready_issues"] == 2
    calls: list[int] = []
    with reader.read() as conn:
        per_commit(conn, "probe", lambda: calls.append(1))
        per_commit(conn, "probe", lambda: calls.append(1))
    with reader.read() as conn:
        per_commit(conn, "probe", lambda: calls.append(1))
    assert calls == [1]  # remembered while nothing was committed
    writer("create", title="another")
    with reader.read() as conn:
        per_commit(conn, "probe", lambda: calls.append(1))
    assert calls == [1, 1]
    with writer.store.read() as conn:  # a writing connection never remembers
        per_commit(conn, "probe", lambda: calls.append(1))
        per_commit(conn, "probe", lambda: calls.append(1))
    assert calls == [1, 1, 1, 1]
    reader.close()
    writer.store.close()


def test_a_later_migration_may_rebuild_the_issues_table(tmp_path: Path) -> None:
    """A migration that rebuilds `issues` (create, copy, drop, rename: as adding a status
    would) runs with the counts' triggers out of the way; they come back afterwards, with the
    counts recomputed, and keep counting."""
    from bd_trio.store import schema

    ops = OpRunner(tmp_path / "rebuilt.db")
    a = ops("create", title="a")["id"]
    b = ops("create", title="b")["id"]
    ops("dep_add", issue_id=b, depends_on_id=a)
    conn = ops.store.conn
    table = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'issues'").fetchone()[0]
    rebuild = f"""
        {table.replace("CREATE TABLE issues", "CREATE TABLE issues_copy", 1)};
        INSERT INTO issues_copy SELECT * FROM issues;
        DROP TABLE issues;
        ALTER TABLE issues_copy RENAME TO issues;
    """
    last = len(schema.MIGRATIONS) - 1  # the counts' migration, as if it were still to run
    assert schema.MIGRATIONS[last] == counts.MIGRATION
    conn.execute(f"PRAGMA user_version = {last}")
    original = schema.MIGRATIONS
    schema.MIGRATIONS = (*original[:last], counts.MIGRATION + rebuild)
    try:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("DROP TABLE issue_counts")
        conn.execute("DROP TABLE open_blockers")
        conn.execute("DROP INDEX idx_events_created")
        conn.execute("DROP INDEX idx_issues_deferred")
        conn.execute("DROP INDEX idx_issues_ephemeral")
        schema.migrate(conn)
        conn.execute("PRAGMA foreign_keys=ON")
    finally:
        schema.MIGRATIONS = original
    assert set(counts.TRIGGER_NAMES) <= {
        name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type='trigger'")
    }
    ops("create", title="c")
    fresh, blockers = counts.recount(conn)
    assert counts.read_counts(conn).as_tuple() == fresh.as_tuple()
    assert counts.read_counts(conn).statuses == {"open": 3}
    assert counts.kept_blockers(conn) == blockers == {b: (1, 0)}
    ops.store.close()


def test_doctor_finds_and_recounts_counts_out_of_step(tmp_path: Path) -> None:
    ops = OpRunner(tmp_path / "doctor.db")
    a = ops("create", title="a")["id"]
    b = ops("create", title="b")["id"]
    ops("dep_add", issue_id=b, depends_on_id=a)
    assert ops("doctor", check="counts")["ok"]
    ops.store.conn.execute("UPDATE issue_counts SET n = n + 5 WHERE name = 'status:open'")
    ops.store.conn.execute("DELETE FROM open_blockers")
    found = ops("doctor", check="counts")["checks"][0]
    assert not found["ok"] and "open blockers" in found["detail"]
    fixed = ops("doctor", check="counts", fix=True)["checks"][0]
    assert fixed["fixed"] == "recounted"
    assert ops("doctor", check="counts")["ok"]
    assert ops("stats")["open_issues"] == 2 and ops("stats")["blocked_issues"] == 1
    ops.store.close()


def test_stats_ready_count_leaves_out_deferred_work(tmp_path: Path) -> None:
    """Deferred issues (defer_until in the future) are not ready, blocked or not; stats agrees
    with ready."""
    ops = OpRunner(tmp_path / "deferred.db")
    a, b, c = (ops("create", title=t)["id"] for t in ("a", "b", "c"))
    ops("dep_add", issue_id=b, depends_on_id=a)
    for issue_id in (b, c):  # b is blocked too: counted once
        ops.store.conn.execute(
            "UPDATE issues SET defer_until = '2999-01-01T00:00:00Z' WHERE id = ?", (issue_id,)
        )
    assert [i["id"] for i in ops("ready", limit=0)] == [a]
    assert ops("stats")["ready_issues"] == 1
    ops.store.conn.execute("UPDATE issues SET defer_until = '2000-01-01T00:00:00Z'")
    assert ops("stats")["ready_issues"] == len(ops("ready", limit=0)) == 2
    ops.store.close()
