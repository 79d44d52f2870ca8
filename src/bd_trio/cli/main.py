"""Entry point of `bd`: pull out the global flags, then run the command: through the fast path
when it knows the form (no typer import), else through the typer app."""

from __future__ import annotations

import sys

from bd_trio.cli import fastpath
from bd_trio.cli import globals as g
from bd_trio.cli.output import fail
from bd_trio.errors import BdError


def prepare(argv: list[str]) -> list[str]:
    """Set the global options for this invocation and return the rest of argv."""
    try:
        g.current, rest = g.extract(argv)
    except g.GlobalFlagError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        raise SystemExit(2) from exc
    return rest


def main(argv: list[str] | None = None) -> None:
    rest = prepare(sys.argv[1:] if argv is None else argv)
    try:
        if fastpath.run(rest):
            return
        from bd_trio.cli.app import build_app

        build_app(rest)(args=rest, prog_name="bd")
    except BdError as exc:  # any command: a bd error is "Error: <message>", exit 1
        fail(exc)
