"""`export` and `import` operations over the JSONL record format (bd_trio.sync)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from bd_trio.model import validate
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import operation
from bd_trio.store.connection import Undo, savepoint
from bd_trio.sync import jsonl
from bd_trio.sync.merge import import_records
from bd_trio.sync.records import build_lines, build_records
from bd_trio.sync.summary import ImportOptions


def parse_export(a: Args) -> str | None:
    status = a.text("status")
    if status is None or status.strip().lower() in ("all", ""):
        return None
    return validate.any_status(status)


@operation("export", parse=parse_export, writes=False)
def export(conn: sqlite3.Connection, status: str | None, ctx: OpContext) -> list[dict[str, Any]]:
    """Every issue as its JSONL record, sorted by id."""
    return build_records(conn, status=status)


@operation("export_lines", parse=parse_export, writes=False)
def export_lines(conn: sqlite3.Connection, status: str | None, ctx: OpContext) -> list[str]:
    """The file's lines, as `.beads/issues.jsonl` holds them: an issue unchanged since its
    line was read is that line, byte for byte; records that are not issues follow (no
    status filter)."""
    return [line for _, line in build_lines(conn, status=status)]


@dataclass(frozen=True, slots=True)
class ImportRequest:
    records: list[jsonl.Incoming]
    dry_run: bool
    skip_existing: bool
    strict: bool


def parse_import(a: Args) -> ImportRequest:
    text = a.text("jsonl", required=True)
    # what errors call the input (the file's name, "stdin"...)
    source = a.text("source", "input")
    return ImportRequest(
        records=jsonl.parse(text, source),
        dry_run=a.flag("dry_run"),
        skip_existing=a.flag("skip_existing"),
        strict=a.flag("strict"),
    )


@operation("import", parse=parse_import, writes=True)
def import_(conn: sqlite3.Connection, request: ImportRequest, ctx: OpContext) -> dict[str, Any]:
    opts = ImportOptions(
        actor=ctx.actor,
        prefix=ctx.prefix,
        id_mode=ctx.id_mode,
        now=ctx.now,
        skip_existing=request.skip_existing,
        strict=request.strict,
        progress=ctx.progress,
    )
    with savepoint(conn):
        summary = import_records(conn, request.records, opts)
        if request.dry_run:
            raise Undo  # undo everything, keep the summary
    return {**summary.to_dict(), "dry_run": request.dry_run}
