"""The typer app, derived from the declarations in `table.py`.

typer serves what the fast parser leaves to it: `--help` (for every command and group), usage
errors with typer's messages and exit code 2, and any line the fast parser defers. Each command
becomes a function whose signature is built from its declaration, so typer sees the same
parameters, spellings, defaults and help as the fast parser, and calls the same handler.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from bd_trio.cli import globals as g
from bd_trio.cli.declare import Arg, Command, Group, Opt, negative
from bd_trio.cli.fastparse import resolve
from bd_trio.cli.output import err
from bd_trio.cli.table import COMMANDS
from bd_trio.model.durations import parse_duration

Invoke = Callable[[Command, dict[str, Any]], None]


def _call_handler(command: Command, kwargs: dict[str, Any]) -> None:
    resolve(command.handler)(**kwargs)


def build_app(invoke: Invoke = _call_handler) -> typer.Typer:
    """The whole `bd` app. `invoke` runs a parsed command (tests pass a recorder)."""
    app = _new_app()
    for entry in COMMANDS:
        if isinstance(entry, Group):
            group = typer.Typer(help=entry.help, no_args_is_help=True)
            for command in entry.commands:
                group.command(command.name, help=command.help)(_function(command, invoke))
            app.add_typer(group, name=entry.name)
        else:
            app.command(entry.name, help=entry.help)(_function(entry, invoke))
    return app


def run_app(args: list[str]) -> None:
    """Run the app on `args`. Its usage errors (which quote the command line) are printed
    through cli/output, inert like every other message; the exit codes are click's."""
    import io

    # typer vendors click: its exceptions live there (typer.Abort is the vendored one).
    from typer._click.exceptions import ClickException

    try:
        code = build_app()(args=args, prog_name="bd", standalone_mode=False)
    except ClickException as exc:
        shown = io.StringIO()
        exc.show(file=shown)
        err(shown.getvalue().rstrip("\n"))
        raise SystemExit(exc.exit_code) from None
    except typer.Abort:
        err("Aborted!")
        raise SystemExit(1) from None
    if isinstance(code, int) and code:
        raise SystemExit(code)


def _check_lease(value: str | None) -> str | None:
    if value is not None and parse_duration(value) is None:
        raise typer.BadParameter(
            f"{value!r} is not a lease length: use 90s, 15m, 4h, 1h30m, 2d, or 0 for no expiry"
        )
    return value


_METAVARS = {
    "str": "TEXT",
    "int": "INTEGER",
    "float": "NUMBER",
    "list": "TEXT",
    "path": "PATH",
    "lease": "DURATION",
}

_OPTION_TYPES: dict[str, Any] = {
    "str": str,
    "int": int,
    "float": float,
    "flag": bool,
    "list": list[str],
    "path": Path,
    "lease": str,
    "bool": bool,
}


def _option(opt: Opt) -> inspect.Parameter:
    annotation = _OPTION_TYPES[opt.kind]
    if opt.default is None:
        annotation = annotation | None
    flags = opt.flags
    if opt.kind == "bool":  # --tree/--no-tree (go_bools rewrote --tree=false before)
        flags = (f"{opt.flags[0]}/{negative(opt.flags[0])}", *opt.flags[1:])
    info = typer.Option(
        opt.default,
        *flags,
        help=opt.help or None,
        metavar=opt.metavar or _METAVARS.get(opt.kind),
        callback=_check_lease if opt.kind == "lease" else None,
        show_default=opt.default not in (None, False),
    )
    return inspect.Parameter(
        opt.param, inspect.Parameter.KEYWORD_ONLY, default=info, annotation=annotation
    )


def _argument(arg: Arg) -> inspect.Parameter:
    annotation: Any = list[str] if arg.many else str
    if not arg.required:
        annotation = annotation | None
    info = typer.Argument(... if arg.required else None, metavar=arg.metavar, help=arg.help or None)
    return inspect.Parameter(
        arg.param, inspect.Parameter.KEYWORD_ONLY, default=info, annotation=annotation
    )


def _function(command: Command, invoke: Invoke) -> Callable[..., None]:
    def run(**kwargs: Any) -> None:
        invoke(command, kwargs)

    parameters = [*map(_argument, command.args), *map(_option, command.opts)]
    run.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters}
    run.__name__ = command.name.replace("-", "_")
    run.__doc__ = command.help
    return run


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
    app.callback()(_global_flags())
    return app


def _global_flags() -> Callable[..., None]:
    """The global flags, for `bd --help` only: they are taken out of the command line before
    parsing (cli/globals.py, which declares them)."""
    parameters = [
        inspect.Parameter(
            param,
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Option(
                None if flags[0] in g.VALUED else False,
                *flags,
                help=g.HELP[flags[0]],
                metavar=g.METAVARS.get(flags[0]),
            ),
            annotation=str | None if flags[0] in g.VALUED else bool,
        )
        for param, flags in g.spellings().items()
    ]

    def flags(**_: Any) -> None:
        pass

    flags.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    flags.__annotations__ = {p.name: p.annotation for p in parameters}
    return flags
