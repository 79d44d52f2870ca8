"""Entry point of `bd`: pull out the global flags, parse the rest with the fast parser and run
the command; typer takes over only for help and usage errors (see fastparse.py)."""

from __future__ import annotations

import os
import sys

from bd_trio.cli import globals as g
from bd_trio.cli.output import err, fail
from bd_trio.errors import BdError

# BD_CLI_PARSER=typer sends every line through typer (tests run the CLI suite both ways).
FORCE_TYPER = "BD_CLI_PARSER"


def prepare(argv: list[str]) -> list[str]:
    """Set the global options for this invocation and return the rest of argv."""
    try:
        g.current, rest = g.extract(argv)
    except g.GlobalFlagError as exc:
        err(f"Error: {exc}")
        raise SystemExit(2) from exc
    from bd_trio.cli.fastparse import go_bools

    return go_bools(rest)


def main(argv: list[str] | None = None) -> None:
    rest = prepare(sys.argv[1:] if argv is None else argv)
    try:
        if os.environ.get(FORCE_TYPER) != "typer":
            from bd_trio.cli.fastparse import Call, parse

            parsed = parse(rest)
            if isinstance(parsed, Call):
                parsed.invoke()
                return
        from bd_trio.cli.typerapp import run_app

        run_app(rest)
    except BdError as exc:  # any command: a bd error is "Error: <message>", exit 1
        fail(exc)
