"""export / import of JSONL: the handlers (declared in cli/table.py)."""

from __future__ import annotations

import errno
import sys
from pathlib import Path

from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, fail, note
from bd_trio.cli.progress import ProgressBar
from bd_trio.cli.session import backend, call
from bd_trio.errors import BdError
from bd_trio.workspace import write_atomic


def export(output: Path | None = None, status: str | None = None) -> None:
    """Write issues as JSONL (one object per line, sorted by id)."""
    args = {} if status is None else {"status": status}
    with backend() as be:
        lines = call(be, "export_lines", args)
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        try:
            write_atomic(output, data)  # all or nothing: a failed write leaves no file
        except OSError as exc:
            why = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else exc.strerror
            fail(BdError("unavailable", f"cannot write {output}: {why}; nothing was written"))
        note(f"Exported {len(lines)} records to {output}")


def import_(
    input_path: Path | None = None,
    dry_run: bool = False,
    skip_existing: bool = False,
    strict: bool = False,
) -> None:
    """Import JSONL: new ids are created, changed issues updated (newer wins)."""
    from bd_trio.sync import lines

    source = "stdin" if input_path is None else str(input_path)
    try:
        data = sys.stdin.buffer.read() if input_path is None else lines.read_file(input_path)
        text = lines.decode(data, source)  # errors name the file, the line and the byte
        lines.check_lengths(text, source)  # before it goes to a daemon in a frame
    except OSError as exc:
        fail(BdError("not_found", f"cannot read {input_path}: {exc.strerror}"))
    except BdError as exc:
        fail(exc)
    args = {
        "jsonl": text,
        "source": source,
        "dry_run": dry_run,
        "skip_existing": skip_existing,
        "strict": strict,
    }
    with backend() as be, ProgressBar("import") as bar:
        summary = call(be, "import", args, bar.listener)
    prefix = "Dry run: would import" if dry_run else "Import complete:"
    note(
        f"{prefix} {summary['created']} created, {summary['updated']} updated, "
        f"{summary['unchanged']} unchanged, {summary['skipped']} skipped"
    )
    for collision in summary["collisions"]:
        note(
            f"  id collision: incoming {collision['old_id']} ({collision['title']!r}) "
            f"{'would be' if dry_run else 'was'} renamed to {collision['new_id']}"
        )
    for warning in summary["warnings"]:
        note(f"  warning: {warning}")
    if g.current.json:
        emit_json(summary)
