"""Keeping `.beads/issues.jsonl` and the database in step.

- `auto_import`: before a command, import the file if it changed since we last wrote or
  imported it (cheap stat check first, then the content hash).
- `flush`: after writes, export the dirty issues. When the file on disk is the one we last
  wrote, only the dirty lines are rebuilt; otherwise the whole file is regenerated.
Both run inside the caller's write transaction, so concurrent processes take turns.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from bd_trio.errors import BdError
from bd_trio.store import meta
from bd_trio.store.connection import savepoint
from bd_trio.sync import jsonl, lines, refusal
from bd_trio.sync.records import build_lines
from bd_trio.sync.refusal import Refusal
from bd_trio.sync.watch import HASH_KEY, STAT_KEY, file_changed, stat_token
from bd_trio.workspace import write_atomic_chunks

if TYPE_CHECKING:
    from bd_trio.sync.summary import ImportOptions, ImportSummary


# The digest of the file last seen whose lines are in the order of their keys (jsonl.line_key:
# issues by id, then the records that are not issues): only such a file can take the
# incremental export (a binary search over its lines). Go bd 1.x writes its exports in
# priority order: imported, they are rewritten whole once, sorted.
SORTED_KEY = "jsonl_sorted_hash"


def _remember(
    conn: sqlite3.Connection, path: Path, digest: str, sorted_by_id: bool | None = None
) -> None:
    """The file as imported or written: in step with the database (no refusal stands)."""
    refusal.forget(conn)
    meta.set_metadata(conn, HASH_KEY, digest)
    if sorted_by_id is not None:
        meta.set_metadata(conn, SORTED_KEY, digest if sorted_by_id else "")
    token = stat_token(path)
    if token is not None:
        meta.set_metadata(conn, STAT_KEY, token)


def auto_import(
    conn: sqlite3.Connection,
    path: Path,
    opts: ImportOptions,
    only: set[str] | None = None,
) -> ImportSummary | None:
    """`import_changed` for callers that must stop when the file is refused (sync, export):
    its error is raised."""
    result = import_changed(conn, path, opts, only)
    if isinstance(result, Refusal):
        raise result.error
    return result


def import_changed(
    conn: sqlite3.Connection,
    path: Path,
    opts: ImportOptions,
    only: set[str] | None = None,
) -> ImportSummary | Refusal | None:
    """Import the file if its content differs from what we last saw. Returns the summary, None
    when there was nothing to do, or the `Refusal` of a file that cannot be imported (nothing
    of it is; the refusal is remembered in the caller's transaction, sync/refusal.py).
    `only`: the ids whose lines changed, when the caller knows them (bd sync, from the commits
    before and after its merge): the other lines are not even parsed."""
    if not file_changed(conn, path):
        return None
    refused = refusal.current(conn, path)
    if refused is not None:  # the same bad file as before: not read again
        return refused
    try:
        with savepoint(conn):
            return _import(conn, path, opts, only)
    except OSError as exc:
        error = BdError("validation", f"cannot read {path}: {exc.strerror}", file=str(path))
        return refusal.remember(conn, path, error)
    except BdError as exc:
        return refusal.remember(conn, path, exc)


def _import(
    conn: sqlite3.Connection, path: Path, opts: ImportOptions, only: set[str] | None
) -> ImportSummary | None:
    source = str(path)
    data = lines.read_file(path, source)
    digest = hashlib.sha256(data).hexdigest()
    if digest == meta.get_metadata(conn, HASH_KEY):
        _remember(conn, path, digest)  # touched but identical (checkout, copy)
        return None
    # Imported here: merging is needed only after a pull, not on every command.
    from bd_trio.sync.merge import import_records
    from bd_trio.sync.unpushed import renumber_unpushed

    whole = text = lines.decode(data, source)
    if only is not None:
        text = "\n".join(
            line for line in text.split("\n") if line.strip() and jsonl.line_key(line) in only
        )
    records = jsonl.parse(text, source)  # a broken file is refused here, with its line
    renumbered = renumber_unpushed(conn, whole, only, opts.actor)  # the file owns its ids
    summary = import_records(conn, records, dataclasses.replace(opts, file_wins=True))
    summary.renumbered = renumbered
    _remember(conn, path, digest, sorted_by_id(data))
    return summary


def sorted_by_id(data: bytes) -> bool:
    """Are the lines in the order of their keys (what the incremental export needs)?"""
    previous = b""
    start = 0
    try:
        while start < len(data):
            key = _id_at(data, start)
            if key < previous:
                return False
            previous = key
            start = _next_line(data, start)
    except _Unsorted:
        return False
    return True


class FlushResult(NamedTuple):
    written: bool
    issues: int  # lines rebuilt


# More dirty issues than this: regenerate the whole file instead of merging into it.
MERGE_LIMIT = 5000
EXPORT_CHUNK = 1000


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def flush(conn: sqlite3.Connection, path: Path, *, force: bool = False) -> FlushResult:
    """Export the dirty issues. Memory stays bounded whatever the size of the database: the
    whole file is streamed chunk by chunk, and a few dirty issues are merged into the existing
    (sorted) file line by line."""
    dirty = sorted(row[0] for row in conn.execute("SELECT issue_id FROM dirty_issues"))
    exists = path.exists()
    changed = exists and file_changed(conn, path)
    refused = refusal.current(conn, path) if changed else None
    if refused is not None:  # a file bd could not import: it stays as it is until fixed
        raise refused.error
    if changed and file_digest(path) != meta.get_metadata(conn, HASH_KEY):
        # Someone else wrote it (git pull, merge, editor): never overwrite unread changes.
        raise BdError(
            "conflict",
            f"{path} changed on disk since bd last read it (a git pull or an edit?); "
            "not overwriting it. Run any bd command without --no-auto-import to import it "
            "(and resolve any merge conflict in it first)",
            path=str(path),
        )
    has_issues = conn.execute("SELECT 1 FROM issues LIMIT 1").fetchone() is not None
    if not dirty and not force and (exists or not has_issues):
        return FlushResult(False, 0)
    digest = None
    incremental = meta.get_metadata(conn, SORTED_KEY) == meta.get_metadata(conn, HASH_KEY)
    if exists and not force and incremental and len(dirty) <= MERGE_LIMIT:
        try:
            digest = write_atomic_chunks(path, _merged(conn, path, dirty))
            rebuilt = len(dirty)
        except _Unsorted:  # not a file we wrote (hand-edited): regenerate it whole
            digest = None
    if digest is None:
        digest = write_atomic_chunks(path, _everything(conn))
        rebuilt = int(conn.execute("SELECT COUNT(*) FROM issues").fetchone()[0])
    _remember(conn, path, digest, sorted_by_id=True)  # as we write it
    conn.execute("DELETE FROM dirty_issues")
    return FlushResult(True, rebuilt)


def _everything(conn: sqlite3.Connection) -> Iterator[bytes]:
    ids = [
        row[0]
        for row in conn.execute("SELECT id FROM issues UNION SELECT id FROM tombstones ORDER BY 1")
    ]
    for start in range(0, len(ids), EXPORT_CHUNK):
        lines = build_lines(conn, ids[start : start + EXPORT_CHUNK])
        yield "".join(line + "\n" for _, line in lines).encode("utf-8")
    others = conn.execute("SELECT line FROM other_records ORDER BY key").fetchall()
    if others:
        yield "".join(row[0] + "\n" for row in others).encode("utf-8")


_HEADS = tuple(head.encode("utf-8") for head in jsonl.LINE_HEADS)


class _Unsorted(Exception):
    """The file is not sorted by its lines' keys (or holds a line without one): rewrite it
    whole."""


def _id_at(data: bytes, start: int) -> bytes:
    """The key of the line starting at `start` (jsonl.line_key, as UTF-8): an issue's id,
    read without parsing when the line begins with it (bd-trio's and Go bd's lines); any
    other line (spaces after the colons, a `_type` record after the issues) is parsed."""
    for head in _HEADS:
        if data.startswith(head, start):
            end = data.find(b'"', start + len(head))
            if end > 0 and data.find(b"\\", start + len(head), end) < 0:
                return data[start + len(head) : end]
            break
    try:
        line = data[start : _next_line(data, start)].decode("utf-8").strip()
    except UnicodeDecodeError:
        raise _Unsorted from None
    if not line:
        raise _Unsorted  # a blank line: not what an export writes
    return jsonl.line_key(line).encode("utf-8")


def _next_line(data: bytes, start: int) -> int:
    end = data.find(b"\n", start)
    return len(data) if end < 0 else end + 1


def _first_line_at_or_after(data: bytes, key: bytes, lo: int) -> int:
    """Binary search over the sorted lines from offset `lo` (a line start): the start of the
    first line whose id is >= key (len(data) if none)."""
    hi = len(data)
    while lo < hi:
        mid = (lo + hi) // 2
        start = max(lo, data.rfind(b"\n", lo, mid) + 1)  # the line holding `mid`
        if _id_at(data, start) < key:
            lo = _next_line(data, start)
        else:
            hi = start
    return lo


def _merged(conn: sqlite3.Connection, path: Path, dirty: list[str]) -> Iterator[bytes]:
    """The existing file (sorted by id) with the dirty issues' lines replaced, added or
    removed. The Python work follows the number of dirty issues (a binary search for each in
    the file's bytes); the unchanged stretches between them are copied as whole slices."""
    data = path.read_bytes()
    if data.startswith(lines.BOM.encode("utf-8")) or b"\r" in data:
        raise _Unsorted  # a Windows checkout (BOM, CRLF): written back whole, as bd writes it
    fresh = {
        key.encode("utf-8"): (line + "\n").encode("utf-8") for key, line in build_lines(conn, dirty)
    }
    if data and not data.endswith(b"\n"):
        data += b"\n"
    view = memoryview(data)
    pieces: list[bytes | memoryview] = []
    position = 0
    for issue_id in sorted(key.encode("utf-8") for key in dirty):
        start = _first_line_at_or_after(data, issue_id, position)
        pieces.append(view[position:start])
        position = start
        if start < len(data) and _id_at(data, start) == issue_id:
            position = _next_line(data, start)  # its old line goes
        if issue_id in fresh:
            pieces.append(fresh[issue_id])  # absent from the database: deleted
    pieces.append(view[position:])
    for start in range(0, len(pieces), EXPORT_CHUNK):
        yield b"".join(pieces[start : start + EXPORT_CHUNK])
