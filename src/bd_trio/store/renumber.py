"""Giving an issue a new id: every row that names it follows (dependencies both ways, labels,
comments, events, claims), and so do mentions of it in text (title, description, design,
acceptance criteria, notes, comments), inside the caller's transaction. `bd sync` renumbers
local issues that were never pushed when the remote uses their id for another issue."""

from __future__ import annotations

import re
import sqlite3

from bd_trio.errors import BdError
from bd_trio.model.issue import TEXT_FIELDS
from bd_trio.store import ids
from bd_trio.store import issues as rows

_TABLES = (
    ("dependencies", "issue_id"),
    ("dependencies", "depends_on_id"),
    ("labels", "issue_id"),
    ("comments", "issue_id"),
    ("events", "issue_id"),
    ("claims", "issue_id"),
)


def mention_pattern(issue_id: str) -> re.Pattern[str]:
    """`issue_id` as a whole word: not inside `xbd-5`, `bd-50`, `bd-5.1` (a child) or
    `bd-5-x`, but at the end of a sentence (`bd-5.`) or in `(bd-5)`."""
    return re.compile(rf"(?<![\w.-]){re.escape(issue_id)}(?!\w|[.-]\w)")


def renumber(conn: sqlite3.Connection, old: str, new: str, actor: str, now: str) -> None:
    if rows.issue_exists(conn, new):
        raise BdError("conflict", f"cannot renumber {old} to {new}: {new} exists", issue_id=new)
    conn.execute("PRAGMA defer_foreign_keys = ON")  # checked at COMMIT, when all rows moved
    dependents = [d.issue_id for d in rows.dependents_of(conn, old)]
    conn.execute("UPDATE issues SET id = ? WHERE id = ?", (new, old))
    for table, column in _TABLES:
        conn.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", (new, old))
    # a comment read from a file may name its issue in its kept keys (upstream's issue_id)
    conn.execute(
        "UPDATE comments SET extra = json_set(extra, '$.issue_id', ?) "
        "WHERE issue_id = ? AND extra != '' AND json_extract(extra, '$.issue_id') = ?",
        (new, new, old),
    )
    ids.note_explicit_id(conn, new)
    mentioning = _rewrite_mentions(conn, old, new)
    changed = sorted({*dependents, *mentioning} - {new})
    for issue_id in changed:
        rows.touch(conn, issue_id, now)
    rows.add_event(conn, new, "renumbered", actor, now, old=old, new=new)
    # The old id leaves the file (it was never pushed); the new one and the others change.
    rows.mark_dirty(conn, [old, new, *changed], now)


def _rewrite_mentions(conn: sqlite3.Connection, old: str, new: str) -> set[str]:
    """Rewrite whole-word mentions of `old` in every issue's text and every comment; returns
    the issues whose text changed. LIKE narrows the rows; the pattern decides."""
    pattern = mention_pattern(old)
    like = "%" + old.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    changed: set[str] = set()
    where = " OR ".join(f"{name} LIKE ? ESCAPE '\\'" for name in TEXT_FIELDS)
    columns = ", ".join(TEXT_FIELDS)
    update = f"UPDATE issues SET {', '.join(f'{name} = ?' for name in TEXT_FIELDS)} WHERE id = ?"
    for issue_id, *texts in conn.execute(
        f"SELECT id, {columns} FROM issues WHERE {where}", [like] * len(TEXT_FIELDS)
    ).fetchall():
        rewritten = [pattern.sub(new, text) for text in texts]
        if rewritten != texts:
            conn.execute(update, (*rewritten, issue_id))
            changed.add(issue_id)
    for comment_id, issue_id, text in conn.execute(
        "SELECT id, issue_id, text FROM comments WHERE text LIKE ? ESCAPE '\\'", (like,)
    ).fetchall():
        rewritten_text = pattern.sub(new, text)
        if rewritten_text != text:
            conn.execute("UPDATE comments SET text = ? WHERE id = ?", (rewritten_text, comment_id))
            changed.add(issue_id)
    return changed
