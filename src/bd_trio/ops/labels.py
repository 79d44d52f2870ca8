"""Label operations."""

from __future__ import annotations

import sqlite3
from typing import Any

from bd_trio.model import validate
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import no_args, operation
from bd_trio.store import claims
from bd_trio.store import issues as rows


def parse_label(a: Args) -> tuple[str, str]:
    return validate.issue_id(a.text("id", required=True)), validate.label(
        a.text("label", required=True)
    )


@operation("label_add", parse=parse_label, writes=True, aliases={"issue_id": "id"})
def label_add(conn: sqlite3.Connection, parsed: tuple[str, str], ctx: OpContext) -> dict[str, Any]:
    issue_id, label = parsed
    rows.require_issue(conn, issue_id)
    if not rows.add_label(conn, issue_id, label):
        return {"issue_id": issue_id, "label": label, "status": "exists"}
    claims.touch(conn, issue_id, ctx.actor, ctx.now)
    rows.add_event(conn, issue_id, "label_added", ctx.actor, ctx.now, new=label)
    rows.mark_dirty(conn, [issue_id], ctx.now)
    return {"issue_id": issue_id, "label": label, "status": "added"}


@operation("label_remove", parse=parse_label, writes=True, aliases={"issue_id": "id"})
def label_remove(
    conn: sqlite3.Connection, parsed: tuple[str, str], ctx: OpContext
) -> dict[str, Any]:
    issue_id, label = parsed
    rows.require_issue(conn, issue_id)
    if not rows.remove_label(conn, issue_id, label):
        return {"issue_id": issue_id, "label": label, "status": "absent"}
    claims.touch(conn, issue_id, ctx.actor, ctx.now)
    rows.add_event(conn, issue_id, "label_removed", ctx.actor, ctx.now, old=label)
    rows.mark_dirty(conn, [issue_id], ctx.now)
    return {"issue_id": issue_id, "label": label, "status": "removed"}


def parse_issue_id(a: Args) -> str:
    return str(validate.issue_id(a.text("id", required=True)))


@operation("label_list", parse=parse_issue_id, writes=False, aliases={"issue_id": "id"})
def label_list(conn: sqlite3.Connection, issue_id: str, ctx: OpContext) -> list[str]:
    return rows.require_issue(conn, issue_id).labels


@operation("label_list_all", parse=no_args, writes=False)
def label_list_all(conn: sqlite3.Connection, _: None, ctx: OpContext) -> list[dict[str, Any]]:
    return rows.label_counts(conn)
