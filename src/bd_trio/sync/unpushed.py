"""The repository's issues.jsonl owns its ids: a local issue whose id the file gives to another
issue is renumbered before the file is imported.

Such a local issue is not in the file, so it was never committed here, nor pushed from here;
the file's issue came through git (a pull, a merge bd sync made and pushed) and may be on
every clone already. A pushed id never changes, so the local one moves: it gets the next free
number (references to it rewritten, store/renumber.py). This runs inside the import's own
transaction, so a write that lands while a sync works (the daemon keeps serving) cannot make
the import rename the pushed issue instead, which would leave it under two ids across the
fleet. An explicit `bd import` of some other file keeps merge.py's rule (the incoming issue
is renamed).
"""

from __future__ import annotations

import json
import sqlite3

from bd_trio.errors import BdError
from bd_trio.model import clock
from bd_trio.store.ids import next_free_id
from bd_trio.store.renumber import renumber
from bd_trio.sync import jsonl, recordmap


def renumber_unpushed(
    conn: sqlite3.Connection, text: str, only: set[str] | None, actor: str
) -> dict[str, str]:
    """Renumber the local issues `text` (the repository's file) collides with; old -> new.
    `only`: the ids whose lines changed, when known (a collision is always on such a line)."""
    theirs: dict[str, str] = {}
    in_file: set[str] = set()
    for line in text.split("\n"):
        line_id = jsonl.line_id(line) if line.strip() else None
        if line_id is None:
            continue
        in_file.add(line_id)
        if only is not None and line_id not in only:
            continue
        try:  # what the import cannot read it refuses itself, with the line's number
            value = json.loads(line)
            if recordmap.kind_of(value) == "issue" and isinstance(value.get("created_at"), str):
                theirs[line_id] = clock.normalize_ts(value["created_at"])
        except (ValueError, OverflowError, BdError):
            continue
    if not theirs:
        return {}
    colliding: list[tuple[str, str]] = []
    for start in range(0, len(theirs), 500):
        chunk = list(theirs)[start : start + 500]
        marks = ",".join("?" * len(chunk))
        colliding.extend(
            (created, issue_id)
            for issue_id, created in conn.execute(
                f"SELECT id, created_at FROM issues WHERE id IN ({marks})", chunk
            )
            if theirs[issue_id] != created
        )
    if not colliding:
        return {}
    local_ids = {row[0] for row in conn.execute("SELECT id FROM issues")}
    # The same issue may be in the file under another id already (another clone renamed it):
    # then it takes that id, and stays one issue.
    elsewhere = {created: issue_id for issue_id, created in theirs.items()}
    renames = {
        old: elsewhere[created]
        for created, old in colliding
        if created in elsewhere and elsewhere[created] not in local_ids
    }
    rest = [old for created, old in sorted(colliding) if old not in renames]
    renames.update(next_free_ids(rest, in_file | local_ids | set(renames.values())))
    now = clock.now()
    for old, new in renames.items():
        renumber(conn, old, new, actor, now)
    return renames


def next_free_ids(olds: list[str], used: set[str]) -> dict[str, str]:
    """New ids for `olds` (in that order), free of every id in `used` and of each other, by
    the one renaming rule (store/ids.next_free_id: a child gets its parent's next child
    number, `prefix-N` the prefix's next number)."""
    taken = set(used)
    renames: dict[str, str] = {}
    for issue_id in olds:
        new_id = next_free_id(issue_id, taken)
        taken.add(new_id)
        renames[issue_id] = new_id
    return renames
