"""The typer app: the global flags and, per call, only the command module it needs."""

from __future__ import annotations

import importlib

import typer

# Command name -> module of bd_trio.cli.commands. Only the module of the command being run is
# imported (a CLI call is a short process); `bd --help` and unknown names load all of them.
COMMAND_MODULES = {
    "init": "setup",
    "version": "setup",
    "quickstart": "setup",
    "create": "issues",
    "show": "issues",
    "update": "issues",
    "close": "issues",
    "reopen": "issues",
    "heartbeat": "issues",
    "list": "queries",
    "ready": "queries",
    "blocked": "queries",
    "stats": "queries",
    "stale": "queries",
    "dep": "deps",
    "label": "labels",
    "comments": "comments",
    "export": "transfer",
    "import": "transfer",
    "batch": "batch",
    "daemon": "daemon",
}


def build_app(rest: list[str]) -> typer.Typer:
    """The typer app with the commands that `rest` (argv without global flags) needs."""
    name = next((token for token in rest if not token.startswith("-")), None)
    if name in COMMAND_MODULES:
        modules = [COMMAND_MODULES[name]]
    else:
        modules = sorted(set(COMMAND_MODULES.values()))
    app = _new_app()
    for module in modules:
        importlib.import_module(f"bd_trio.cli.commands.{module}").register(app)
    return app


def _new_app() -> typer.Typer:
    app = typer.Typer(
        name="bd",
        help="bd: issue tracking for coding agents (bd-trio). Run `bd quickstart` for a tour.",
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_global_flags)
    return app


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
