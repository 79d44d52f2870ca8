"""Opening a backend for one command, and turning errors into exit codes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from bd_trio.backend import open_backend
from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, fail, note, out, report_error
from bd_trio.errors import BdError

if TYPE_CHECKING:
    from bd_trio.backend.base import Backend


@contextmanager
def backend() -> Iterator[Backend]:
    opts = g.current
    try:
        be = open_backend(
            db=opts.db,
            actor=opts.resolved_actor(),
            no_daemon=opts.direct_only(),
            auto_import=opts.auto_import(),
            auto_flush=opts.auto_flush(),
            busy_timeout_s=opts.lock_timeout_s(),
            read_only=opts.readonly,
        )
    except BdError as exc:
        fail(exc)
    if opts.verbose:
        from bd_trio.cli.verbose import VerboseBackend  # -v only

        be = VerboseBackend(be)
    if opts.readonly:
        from bd_trio.backend.readonly import ReadOnlyBackend  # --readonly only

        be = ReadOnlyBackend(be)
    failed: BdError | None = None
    try:
        yield be
    finally:
        try:
            be.close()
        except BdError as exc:
            failed = exc
        for notice in be.notices:
            note(notice)
    if failed is not None:
        fail(failed)


def call(
    be: Backend,
    op: str,
    args: dict[str, Any],
    on_progress: Callable[[int, int], None] | None = None,
) -> Any:
    """Run one operation; on error print it and exit 1."""
    try:
        return be.call(op, args, on_progress)
    except BdError as exc:
        fail(exc)


def call_each(
    be: Backend, op: str, ids: list[str], args_for: Callable[[str], dict[str, Any]]
) -> tuple[list[Any], bool]:
    """Run an operation per id, reporting each failure; all ids are processed."""
    results: list[Any] = []
    failed = False
    for issue_id in ids:
        try:
            results.append(be.call(op, args_for(issue_id)))
        except BdError as exc:
            report_error(exc)
            failed = True
    return results, failed


def run_each(
    op: str,
    ids: list[str],
    args_for: Callable[[str], dict[str, Any]],
    describe: Callable[[Any], str],
) -> None:
    """A multi-id command: the operation per id, then the JSON array of the results or one
    line per result; exit 1 when any id failed (docs/CLI.md: after processing all of them)."""
    with backend() as be:
        results, failed = call_each(be, op, ids, args_for)
    if g.current.json:
        emit_json(results)
    else:
        for result in results:
            out(describe(result))
    if failed:
        raise SystemExit(1)
