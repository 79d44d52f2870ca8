"""Entry point of `bd`: pull out global flags, then let typer dispatch the command."""

from __future__ import annotations

import sys

import typer

from bd_trio.cli import globals as g
from bd_trio.cli.commands import batch, comments, deps, issues, labels, queries, setup, transfer

app = typer.Typer(
    name="bd",
    help="bd: issue tracking for coding agents (bd-trio). Run `bd quickstart` for a tour.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _global_flags(
    json_output: bool = typer.Option(False, "--json", help="JSON on stdout (anywhere on the line)"),
    db: str | None = typer.Option(None, "--db", help="Database path (else $BEADS_DB, else search)"),
    actor: str | None = typer.Option(None, "--actor", help="Who acts (else $BD_ACTOR, $USER)"),
    no_daemon: bool = typer.Option(False, "--no-daemon", help="Open the database directly"),
    no_auto_flush: bool = typer.Option(False, "--no-auto-flush", help="Do not export JSONL"),
    no_auto_import: bool = typer.Option(False, "--no-auto-import", help="Do not import JSONL"),
) -> None:
    """Global flags are taken out of the command line before parsing (see cli.globals); they
    are declared here so that --help lists them."""


for module in (setup, issues, queries, deps, labels, comments, transfer, batch):
    module.register(app)


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
    app(args=rest, prog_name="bd")
