"""Dependency operations: add (refusing cycles of any type but relates-to), remove, relate and
unrelate (relates-to both ways), tree, cycles."""

from __future__ import annotations

import sqlite3
from typing import Any

from bd_trio.errors import BdError
from bd_trio.model import validate
from bd_trio.model.enums import DepType
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import no_args, operation
from bd_trio.store import claims, graph
from bd_trio.store import issues as rows
from bd_trio.store.issues import DepRecord

# bd's JSON RPC used from_id / to_id / dep_type.
DEP_ALIASES = {"from_id": "issue_id", "to_id": "depends_on_id", "dep_type": "type"}


def parse_dep_pair(a: Args) -> tuple[str, str]:
    issue_id = validate.issue_id(a.text("issue_id", required=True), "issue_id")
    depends_on_id = validate.issue_id(a.text("depends_on_id", required=True), "depends_on_id")
    if issue_id == depends_on_id:
        raise BdError("validation", f"{issue_id} cannot depend on itself", field="depends_on_id")
    return issue_id, depends_on_id


def parse_dep_add(a: Args) -> tuple[str, str, str]:
    issue_id, depends_on_id = parse_dep_pair(a)
    dep_type = a.checked("type", validate.dep_type, DepType.BLOCKS)
    return issue_id, depends_on_id, dep_type.value


@operation("dep_add", parse=parse_dep_add, writes=True, aliases=DEP_ALIASES)
def dep_add(
    conn: sqlite3.Connection, parsed: tuple[str, str, str], ctx: OpContext
) -> dict[str, Any]:
    issue_id, depends_on_id, dep_type = parsed
    rows.require_issue(conn, issue_id)
    rows.require_issue(conn, depends_on_id)
    existing = rows.get_dep(conn, issue_id, depends_on_id)
    if existing is not None:
        if existing.type == dep_type:
            raise BdError(
                "conflict",
                f"{issue_id} already depends on {depends_on_id} ({dep_type})",
                issue_id=issue_id,
            )
        raise BdError(
            "conflict",
            f"{issue_id} already depends on {depends_on_id} as {existing.type}: "
            f"remove it first to change the type to {dep_type}",
            issue_id=issue_id,
        )
    if dep_type != DepType.RELATES_TO and graph.reaches(conn, depends_on_id, issue_id):
        raise BdError(
            "cycle",
            f"adding {issue_id} -> {depends_on_id} ({dep_type}) would create a cycle: "
            f"{depends_on_id} already depends on {issue_id}",
            issue_id=issue_id,
            depends_on_id=depends_on_id,
        )
    rows.insert_dep(conn, DepRecord(issue_id, depends_on_id, dep_type, ctx.now, ctx.actor))
    claims.touch(conn, issue_id, ctx.actor, ctx.now)
    rows.add_event(
        conn,
        issue_id,
        "dependency_added",
        ctx.actor,
        ctx.now,
        new=f"{dep_type}:{depends_on_id}",
    )
    rows.mark_dirty(conn, [issue_id], ctx.now)
    return {
        "status": "added",
        "issue_id": issue_id,
        "depends_on_id": depends_on_id,
        "type": dep_type,
    }


@operation("dep_remove", parse=parse_dep_pair, writes=True, aliases=DEP_ALIASES)
def dep_remove(conn: sqlite3.Connection, parsed: tuple[str, str], ctx: OpContext) -> dict[str, Any]:
    issue_id, depends_on_id = parsed
    rows.require_issue(conn, issue_id)
    rows.require_issue(conn, depends_on_id)
    existing = rows.get_dep(conn, issue_id, depends_on_id)
    if existing is None:
        raise BdError(
            "not_found",
            f"{issue_id} does not depend on {depends_on_id}",
            issue_id=issue_id,
        )
    rows.delete_dep(conn, issue_id, depends_on_id)
    claims.touch(conn, issue_id, ctx.actor, ctx.now)
    rows.add_event(
        conn,
        issue_id,
        "dependency_removed",
        ctx.actor,
        ctx.now,
        old=f"{existing.type}:{depends_on_id}",
    )
    rows.mark_dirty(conn, [issue_id], ctx.now)
    return {"status": "removed", "issue_id": issue_id, "depends_on_id": depends_on_id}


def parse_relate(a: Args) -> tuple[str, str]:
    id1 = validate.issue_id(a.text("id1", required=True), "id1")
    id2 = validate.issue_id(a.text("id2", required=True), "id2")
    if id1 == id2:
        raise BdError("validation", f"cannot relate {id1} to itself", field="id2")
    return id1, id2


@operation("dep_relate", parse=parse_relate, writes=True)
def dep_relate(conn: sqlite3.Connection, parsed: tuple[str, str], ctx: OpContext) -> dict[str, Any]:
    """A `relates-to` dependency each way (Go bd's `bd dep relate`), in one transaction.
    A direction that already exists as relates-to is kept; another type there is refused."""
    id1, id2 = parsed
    rows.require_issue(conn, id1)
    rows.require_issue(conn, id2)
    for a, b in ((id1, id2), (id2, id1)):
        existing = rows.get_dep(conn, a, b)
        if existing is not None and existing.type != DepType.RELATES_TO:
            raise BdError(
                "conflict",
                f"{a} already depends on {b} as {existing.type}: remove it first "
                f"(bd dep remove {a} {b}) to relate them",
                issue_id=a,
            )
    for a, b in ((id1, id2), (id2, id1)):
        if rows.get_dep(conn, a, b) is None:
            relation = DepType.RELATES_TO.value
            rows.insert_dep(conn, DepRecord(a, b, relation, ctx.now, ctx.actor))
            claims.touch(conn, a, ctx.actor, ctx.now)
            rows.add_event(conn, a, "dependency_added", ctx.actor, ctx.now, new=f"{relation}:{b}")
            rows.mark_dirty(conn, [a], ctx.now)
    return {"id1": id1, "id2": id2, "related": True}


@operation("dep_unrelate", parse=parse_relate, writes=True)
def dep_unrelate(
    conn: sqlite3.Connection, parsed: tuple[str, str], ctx: OpContext
) -> dict[str, Any]:
    """Remove the `relates-to` dependencies between two issues, both ways (other types stay)."""
    id1, id2 = parsed
    rows.require_issue(conn, id1)
    rows.require_issue(conn, id2)
    removed = 0
    for a, b in ((id1, id2), (id2, id1)):
        existing = rows.get_dep(conn, a, b)
        if existing is not None and existing.type == DepType.RELATES_TO:
            rows.delete_dep(conn, a, b)
            removed += 1
            claims.touch(conn, a, ctx.actor, ctx.now)
            rows.add_event(
                conn, a, "dependency_removed", ctx.actor, ctx.now, old=f"{existing.type}:{b}"
            )
            rows.mark_dirty(conn, [a], ctx.now)
    if not removed:
        raise BdError("not_found", f"{id1} and {id2} are not related (relates-to)", issue_id=id1)
    return {"id1": id1, "id2": id2, "unrelated": True}


def parse_tree(a: Args) -> tuple[str, int]:
    issue_id = validate.issue_id(a.text("id", required=True))
    return issue_id, a.integer("max_depth", 50, minimum=0)


@operation("dep_tree", parse=parse_tree, writes=False)
def dep_tree(
    conn: sqlite3.Connection, parsed: tuple[str, int], ctx: OpContext
) -> list[dict[str, Any]]:
    issue_id, max_depth = parsed
    root = rows.require_issue(conn, issue_id)
    return [
        {
            **node.issue.to_dict(),
            "depth": node.depth,
            "dependency_type": node.dep_type,
            "truncated": node.truncated,
        }
        for node in graph.dependency_tree(conn, root, max_depth)
    ]


@operation("dep_cycles", parse=no_args, writes=False)
def dep_cycles(conn: sqlite3.Connection, _: None, ctx: OpContext) -> list[list[dict[str, Any]]]:
    cycles = graph.find_cycles(conn)
    return [[issue.to_dict() for issue in graph.issues_by_ids(conn, cycle)] for cycle in cycles]
