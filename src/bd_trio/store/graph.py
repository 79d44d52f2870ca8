"""Dependency-graph queries: ready work, blocked issues, trees, cycles, statistics.

Ready: status `open`, no `blocks` dependency on a non-closed issue, and no ancestor (through
`parent-child`, child -> parent) blocked that way. The check is a correlated subquery per
candidate, so `ready --limit 10` walks the ready index in output order and stops early instead
of computing the blocked set of the whole database.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any, NamedTuple

from bd_trio.model import clock
from bd_trio.model.issue import Issue
from bd_trio.store.issues import (
    DESCENDANTS,
    ISSUE_COLUMNS,
    add_label_filters,
    get_issues,
    issues_from_rows,
)

# True when issue `i` (outer alias) is blocked directly or through an ancestor.
_BLOCKED_SUBQUERY = """
    EXISTS (
        WITH RECURSIVE ancestors(id) AS (
            SELECT i.id
            UNION
            SELECT d.depends_on_id FROM dependencies d JOIN ancestors a ON d.issue_id = a.id
            WHERE d.type = 'parent-child'
        )
        SELECT 1 FROM ancestors a
        JOIN dependencies d ON d.issue_id = a.id AND d.type = 'blocks'
        JOIN issues b ON b.id = d.depends_on_id
        WHERE b.status != 'closed'
    )
"""


# Every issue blocked directly, or through an ancestor, computed for the whole graph in one
# pass (for counts: cheaper than the per-candidate check when every open issue is visited).
_ALL_BLOCKED = """
    WITH RECURSIVE blocked(id) AS (
        SELECT d.issue_id FROM dependencies d JOIN issues b ON b.id = d.depends_on_id
        WHERE d.type = 'blocks' AND b.status != 'closed'
        UNION
        SELECT d.issue_id FROM dependencies d JOIN blocked ON d.depends_on_id = blocked.id
        WHERE d.type = 'parent-child'
    )
"""


# Upstream's defer_until: deferred work is not offered before then (stored as UTC RFC 3339
# text, so it compares as text). Only `open` issues are ever ready: `deferred`, `pinned`,
# `hooked` and `blocked` ones never are.
NOT_DEFERRED = "(i.defer_until IS NULL OR i.defer_until <= ?)"


def ready_issues(
    conn: sqlite3.Connection,
    *,
    limit: int = 10,
    priority: int | None = None,
    assignee: str | None = None,
    claimable_by: str | None = None,
    filters: ReadyFilters | None = None,
    now: str | None = None,
) -> list[Issue]:
    """Ready work in output order (with `claimable_by`: only what that actor may claim, i.e.
    unassigned or assigned to it). With a limit, candidates are checked one by one in index
    order until the page is full; without one (`limit` 0) the blocked set of the whole graph
    is computed once instead (per-candidate checks would visit every open issue anyway)."""
    where = ["i.status = 'open'", NOT_DEFERRED]
    params: list[Any] = [now or clock.now()]
    sort = "priority"
    if filters is not None:
        filters.add_to(where, params)
        sort = filters.sort
    if priority is not None:
        where.append("i.priority = ?")
        params.append(priority)
    if assignee is not None:
        where.append("i.assignee = ?")
        params.append(assignee)
    if claimable_by is not None:
        where.append("(i.assignee = '' OR i.assignee = ?)")
        params.append(claimable_by)
    order = SORTS[sort]
    if limit > 0:
        index = "INDEXED BY idx_issues_ready " if sort == "priority" else ""
        sql = (
            f"SELECT {_prefixed('i')} FROM issues i {index}"
            f"WHERE {' AND '.join(where)} AND NOT {_BLOCKED_SUBQUERY} {order} LIMIT ?"
        )
        params.append(limit)
    else:
        sql = (
            f"{_ALL_BLOCKED} SELECT {_prefixed('i')} FROM issues i "
            f"WHERE {' AND '.join(where)} AND i.id NOT IN (SELECT id FROM blocked) {order}"
        )
    return issues_from_rows(conn, conn.execute(sql, params).fetchall())


# Ready orders: by priority then age (bd 0.12), oldest first, or hybrid: what was filed in the
# last 48 hours by priority first, then the older work oldest first (nothing waits for ever).
SORTS = {
    "priority": "ORDER BY i.priority, i.created_at, i.id",
    "oldest": "ORDER BY i.created_at, i.id",
    "hybrid": "ORDER BY (i.created_at < strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-48 hours')), "
    "CASE WHEN i.created_at >= strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-48 hours') "
    "THEN i.priority ELSE 0 END, i.created_at, i.id",
}


class ReadyFilters(NamedTuple):
    """The newer bd's filters of `ready` (and `--parent` of `list` and `blocked`)."""

    issue_type: str | None = None
    labels_all: tuple[str, ...] = ()
    labels_any: tuple[str, ...] = ()
    unassigned: bool = False
    parent: str | None = None
    sort: str = "priority"

    def add_to(self, where: list[str], params: list[Any]) -> None:
        if self.issue_type is not None:
            where.append("i.issue_type = ?")
            params.append(self.issue_type)
        add_label_filters(where, params, self.labels_all, self.labels_any)
        if self.unassigned:
            where.append("i.assignee = ''")
        if self.parent is not None:
            where.append(DESCENDANTS)
            params.append(self.parent)


def count_ready(conn: sqlite3.Connection, now: str | None = None) -> int:
    row = conn.execute(
        f"{_ALL_BLOCKED} SELECT COUNT(*) FROM issues i "
        f"WHERE i.status = 'open' AND {NOT_DEFERRED} AND i.id NOT IN (SELECT id FROM blocked)",
        (now or clock.now(),),
    ).fetchone()
    return int(row[0])


class BlockedIssue(NamedTuple):
    issue: Issue
    blocked_by: list[str]


# Open blockers per issue, in one pass over the `blocks` dependencies.
_DIRECT_BLOCKERS = """
    WITH blockers AS (
        SELECT d.issue_id AS id, group_concat(d.depends_on_id, char(31)) AS ids
        FROM dependencies d JOIN issues b ON b.id = d.depends_on_id
        WHERE d.type = 'blocks' AND b.status != 'closed'
        GROUP BY d.issue_id
    )
"""

_CHUNK = 1000


def iter_blocked(
    conn: sqlite3.Connection, parent: str | None = None
) -> Iterator[list[BlockedIssue]]:
    """Non-closed issues with at least one open `blocks` blocker, by priority then age, in
    chunks: a big answer never holds rows, issues and results all at once."""
    below = f"AND {DESCENDANTS} " if parent is not None else ""
    cursor = conn.execute(
        f"{_DIRECT_BLOCKERS} SELECT {_prefixed('i')}, blockers.ids AS blockers "
        f"FROM blockers JOIN issues i ON i.id = blockers.id WHERE i.status != 'closed' {below}"
        "ORDER BY i.priority, i.created_at, i.id",
        () if parent is None else (parent,),
    )
    while rows := cursor.fetchmany(_CHUNK):
        issues = issues_from_rows(conn, rows)
        yield [
            BlockedIssue(issue, sorted(row["blockers"].split("\x1f")))
            for issue, row in zip(issues, rows, strict=True)
        ]


def count_blocked(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        f"{_DIRECT_BLOCKERS} SELECT COUNT(*) FROM blockers JOIN issues i ON i.id = blockers.id "
        "WHERE i.status != 'closed'"
    ).fetchone()
    return int(row[0])


def reaches(conn: sqlite3.Connection, start: str, target: str) -> bool:
    """True when `start` depends on `target` through any chain of dependencies (any type)."""
    row = conn.execute(
        """
        WITH RECURSIVE reach(id) AS (
            SELECT ?
            UNION
            SELECT d.depends_on_id FROM dependencies d JOIN reach r ON d.issue_id = r.id
        )
        SELECT 1 FROM reach WHERE id = ? LIMIT 1
        """,
        (start, target),
    ).fetchone()
    return row is not None


class TreeNode(NamedTuple):
    issue: Issue
    depth: int
    dep_type: str | None  # type of the edge from the parent node; None for the root
    truncated: bool  # it has dependencies below the depth limit that are not shown


def dependency_tree(conn: sqlite3.Connection, root: Issue, max_depth: int) -> list[TreeNode]:
    """What `root` depends on, depth-first, root first; each issue shown once (first path)."""
    out: list[TreeNode] = []
    seen: set[str] = set()

    def visit(issue: Issue, depth: int, dep_type: str | None) -> None:
        seen.add(issue.id)
        children = conn.execute(
            f"SELECT {_prefixed('i')}, d.type AS dep_type FROM dependencies d "
            "JOIN issues i ON i.id = d.depends_on_id WHERE d.issue_id = ? "
            "ORDER BY i.priority, i.id",
            (issue.id,),
        ).fetchall()
        node = TreeNode(issue, depth, dep_type, truncated=bool(children) and depth >= max_depth)
        out.append(node)
        if depth >= max_depth:
            return
        child_issues = issues_from_rows(conn, children)
        for child, row in zip(child_issues, children, strict=True):
            if child.id not in seen:
                visit(child, depth + 1, row["dep_type"])

    visit(root, 0, None)
    return out


def find_cycles(conn: sqlite3.Connection) -> list[list[str]]:
    """Every dependency cycle (any type), each as a list of ids along the cycle.

    `dep add` refuses cycles, so they only arrive through imports. Tarjan's algorithm finds the
    strongly connected components; each one with more than one issue holds a cycle, which is
    reported as one path through it, starting at its smallest id.
    """
    graph: dict[str, list[str]] = {}
    for issue_id, depends_on_id in conn.execute(
        "SELECT issue_id, depends_on_id FROM dependencies ORDER BY issue_id, depends_on_id"
    ):
        graph.setdefault(issue_id, []).append(depends_on_id)
    components = _strongly_connected(graph)
    cycles = []
    for component in components:
        members = set(component)
        if len(members) < 2:
            continue
        cycles.append(_cycle_path(graph, members))
    cycles.sort()
    return cycles


def _strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    # Iterative Tarjan: a long chain must not hit Python's recursion limit.
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, int]] = [(root, 0)]
        while work:
            node, child_pos = work.pop()
            if child_pos == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = graph.get(node, [])
            recursed = False
            while child_pos < len(children):
                child = children[child_pos]
                child_pos += 1
                if child not in index:
                    work.append((node, child_pos))
                    work.append((child, 0))
                    recursed = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if recursed:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


def _cycle_path(graph: dict[str, list[str]], members: set[str]) -> list[str]:
    """A shortest cycle through the smallest member, staying inside the component."""
    start = min(members)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in graph.get(node, []):
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    path.reverse()
                    return path
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return sorted(members)  # unreachable for a real component


def status_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        row[0]: row[1]
        for row in conn.execute("SELECT status, COUNT(*) FROM issues GROUP BY status")
    }


def average_lead_time_hours(conn: sqlite3.Connection) -> float:
    row = conn.execute(
        "SELECT AVG((julianday(closed_at) - julianday(created_at)) * 24.0) FROM issues "
        "WHERE status = 'closed' AND closed_at IS NOT NULL"
    ).fetchone()
    return round(float(row[0]), 2) if row[0] is not None else 0.0


def _prefixed(alias: str) -> str:
    return ", ".join(f"{alias}.{column.strip()}" for column in ISSUE_COLUMNS.split(","))


def issues_by_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> list[Issue]:
    """Issues in the order of `ids` (unknown ids skipped)."""
    found = get_issues(conn, ids)
    return [found[i] for i in ids if i in found]
