"""Keeping `.beads/issues.jsonl` and the database in step.

- `auto_import`: before a command, import the file if it changed since we last wrote or
  imported it (cheap stat check first, then the content hash).
- `flush`: after writes, export the dirty issues. When the file on disk is the one we last
  wrote, only the dirty lines are rebuilt; otherwise the whole file is regenerated.
Both run inside the caller's write transaction, so concurrent processes take turns.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bd_trio.errors import BdError
from bd_trio.store import meta
from bd_trio.sync import jsonl

if TYPE_CHECKING:
    from bd_trio.sync.summary import ImportOptions, ImportSummary
from bd_trio.sync.records import build_records
from bd_trio.workspace import write_atomic

HASH_KEY = "jsonl_hash"
STAT_KEY = "jsonl_stat"


def _stat_token(path: Path) -> str | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def file_changed(conn: sqlite3.Connection, path: Path) -> bool:
    """Cheap test: has the file changed since we last wrote or imported it?"""
    token = _stat_token(path)
    if token is None:
        return False
    return token != meta.get_metadata(conn, STAT_KEY)


def _remember(conn: sqlite3.Connection, path: Path, digest: str) -> None:
    meta.set_metadata(conn, HASH_KEY, digest)
    token = _stat_token(path)
    if token is not None:
        meta.set_metadata(conn, STAT_KEY, token)


def auto_import(conn: sqlite3.Connection, path: Path, opts: ImportOptions) -> ImportSummary | None:
    """Import the file if its content differs from what we last saw. Returns the summary, or
    None when there was nothing to do."""
    if not file_changed(conn, path):
        return None
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest == meta.get_metadata(conn, HASH_KEY):
        _remember(conn, path, digest)  # touched but identical (checkout, copy)
        return None
    # Imported here: merging is needed only after a pull, not on every command.
    from bd_trio.sync.merge import import_records

    summary = import_records(conn, jsonl.parse(data.decode("utf-8")), opts)
    _remember(conn, path, digest)
    return summary


@dataclass(slots=True)
class FlushResult:
    written: bool
    issues: int  # lines rebuilt


def flush(conn: sqlite3.Connection, path: Path, *, force: bool = False) -> FlushResult:
    dirty = [row[0] for row in conn.execute("SELECT issue_id FROM dirty_issues")]
    on_disk: bytes | None
    try:
        on_disk = path.read_bytes()
    except FileNotFoundError:
        on_disk = None
    if (
        on_disk is not None
        and file_changed(conn, path)
        and hashlib.sha256(on_disk).hexdigest() != meta.get_metadata(conn, HASH_KEY)
    ):
        # Someone else wrote it (git pull, merge, editor): never overwrite unread changes.
        raise BdError(
            "conflict",
            f"{path} changed on disk since bd last read it (a git pull or an edit?); "
            "not overwriting it. Run any bd command without --no-auto-import to import it "
            "(and resolve any merge conflict in it first)",
            path=str(path),
        )
    has_issues = conn.execute("SELECT 1 FROM issues LIMIT 1").fetchone() is not None
    if not dirty and not force and (on_disk is not None or not has_issues):
        return FlushResult(False, 0)
    ours = on_disk is not None and hashlib.sha256(on_disk).hexdigest() == meta.get_metadata(
        conn, HASH_KEY
    )
    if ours and on_disk is not None and not force:
        lines: dict[str, str] = {}
        for line in on_disk.decode("utf-8").split("\n"):
            issue_id = jsonl.line_id(line)
            if issue_id is not None:
                lines[issue_id] = line
        fresh = {r["id"]: jsonl.dumps_record(r) for r in build_records(conn, dirty)}
        for issue_id in dirty:
            if issue_id in fresh:
                lines[issue_id] = fresh[issue_id]
            else:
                lines.pop(issue_id, None)
        data = "".join(lines[k] + "\n" for k in sorted(lines)).encode("utf-8")
        rebuilt = len(dirty)
    else:
        records = build_records(conn)
        data = jsonl.encode(records)
        rebuilt = len(records)
    if data != on_disk:
        write_atomic(path, data)
    _remember(conn, path, hashlib.sha256(data).hexdigest())
    conn.execute("DELETE FROM dirty_issues")
    return FlushResult(True, rebuilt)
