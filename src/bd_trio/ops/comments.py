"""Comment operations."""

from __future__ import annotations

import sqlite3
from typing import Any

from bd_trio.errors import BdError
from bd_trio.model import validate
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.labels import parse_issue_id
from bd_trio.ops.registry import operation
from bd_trio.store import claims
from bd_trio.store import issues as rows

COMMENT_MAX = 65536


@operation("comments", parse=parse_issue_id, writes=False, aliases={"issue_id": "id"})
def comments(conn: sqlite3.Connection, issue_id: str, ctx: OpContext) -> list[dict[str, Any]]:
    rows.require_issue(conn, issue_id)
    return rows.comments_of(conn, issue_id)


def parse_comment_add(a: Args) -> tuple[str, str]:
    issue_id = validate.issue_id(a.text("id", required=True))
    text = a.text("text", required=True)
    if not text.strip():
        raise BdError("validation", "comment text must not be empty", field="text")
    if len(text) > COMMENT_MAX:
        raise BdError(
            "validation", f"comment is longer than {COMMENT_MAX} characters", field="text"
        )
    return issue_id, text.strip()


@operation("comment_add", parse=parse_comment_add, writes=True, aliases={"issue_id": "id"})
def comment_add(
    conn: sqlite3.Connection, parsed: tuple[str, str], ctx: OpContext
) -> dict[str, Any]:
    issue_id, text = parsed
    rows.require_issue(conn, issue_id)
    comment = rows.add_comment(conn, issue_id, ctx.actor, text, ctx.now)
    claims.touch(conn, issue_id, ctx.actor, ctx.now)
    rows.add_event(conn, issue_id, "commented", ctx.actor, ctx.now, comment=text)
    rows.mark_dirty(conn, [issue_id], ctx.now)
    return comment


def parse_note(a: Args) -> tuple[str, str]:
    issue_id = validate.issue_id(a.text("id", required=True))
    text = a.text("text", required=True)
    if not text.strip():
        raise BdError("validation", "note text must not be empty", field="text")
    return issue_id, text.strip()


@operation("note_add", parse=parse_note, writes=True, aliases={"issue_id": "id"})
def note_add(conn: sqlite3.Connection, parsed: tuple[str, str], ctx: OpContext) -> dict[str, Any]:
    """Append a paragraph to the issue's notes (an update by the caller: audited, renews its
    claim)."""
    from bd_trio.ops.issues import apply_changes

    issue_id, text = parsed
    issue = rows.require_issue(conn, issue_id)
    notes = f"{issue.notes}\n\n{text}" if issue.notes else text
    return apply_changes(conn, issue, {"notes": notes}, ctx).to_dict()
