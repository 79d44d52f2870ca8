"""The fast parser: every command of `table.py` parsed without importing typer.

It follows click's rules (the parser typer runs on), so any spelling typer accepts runs here
at the same speed: `-n5`, `-n 5`, `--limit=5`, `--limit 5`, grouped short flags (`-qp x`),
options before, between and after arguments, `--` ending the options, a repeated option's last
value winning. It returns the call, a usage error, or None for what only typer does (`--help`,
no command or an unknown one, a group without its subcommand). On a usage error `main` hands
the line to typer, which prints its own message and exits 2; tests/test_cli_parsers.py checks
that both parsers make the same call, or both refuse, for a corpus of command lines.
"""

from __future__ import annotations

import importlib
from typing import Any

from bd_trio.cli.declare import FALSE_WORDS, TRUE_WORDS, Command, Group, Opt, negative
from bd_trio.cli.table import find

HELP_FLAGS = ("--help", "-h")


class Call:
    """A parsed command line: the command and its handler's keyword arguments."""

    __slots__ = ("command", "kwargs")

    def __init__(self, command: Command, kwargs: dict[str, Any]) -> None:
        self.command = command
        self.kwargs = kwargs

    def invoke(self) -> None:
        resolve(self.command.handler)(**self.kwargs)


class Usage:
    """A usage error (typer prints its own message for it)."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def resolve(handler: str) -> Any:
    """`module.function` under bd_trio.cli.commands, imported on first use."""
    module, _, function = handler.partition(".")
    return getattr(importlib.import_module(f"bd_trio.cli.commands.{module}"), function)


def go_bools(argv: list[str]) -> list[str]:
    """Go bd's spelling of a bool option's value (`--tree=false`, as beads-ui sends it) as
    click spells it (`--no-tree`, `--tree`), so both parsers read the same line. Only the
    command's own bool options, only before `--`; any other word is left for the parsers to
    refuse."""
    command = _command_of(argv)
    if command is None:
        return argv
    bools = {opt.flags[0] for opt in command.opts if opt.kind == "bool"}
    if not bools:
        return argv
    out: list[str] = []
    for index, token in enumerate(argv):
        if token == "--":
            out.extend(argv[index:])
            break
        name, equals, value = token.partition("=")
        if equals and name in bools and value.lower() in TRUE_WORDS + FALSE_WORDS:
            token = name if value.lower() in TRUE_WORDS else negative(name)
        out.append(token)
    return out


def _command_of(argv: list[str]) -> Command | None:
    entry = find(argv[0]) if argv else None
    if isinstance(entry, Group):
        return next((c for c in entry.commands if len(argv) > 1 and c.name == argv[1]), None)
    return entry


def parse(rest: list[str]) -> Call | Usage | None:
    """Parse argv (global flags already removed)."""
    if not rest:
        return None
    entry = find(rest[0])
    tokens = rest[1:]
    if isinstance(entry, Group):
        sub = next((c for c in entry.commands if tokens and c.name == tokens[0]), None)
        if sub is None:
            return None  # help, or typer's "No such command"
        return parse_command(sub, tokens[1:])
    if entry is None:
        return None
    return parse_command(entry, tokens)


def parse_command(command: Command, tokens: list[str]) -> Call | Usage | None:
    longs: dict[str, Opt] = {}
    shorts: dict[str, Opt] = {}
    negatives: dict[str, Opt] = {}
    for opt in command.opts:
        for flag in opt.flags:
            (shorts if len(flag) == 2 and flag[1] != "-" else longs)[flag] = opt
        if opt.kind == "bool":
            negatives[negative(opt.flags[0])] = opt
    given: dict[str, Any] = {}
    order: list[Opt] = []  # options in the order they were given (for conversion errors)
    positionals: list[str] = []
    rargs = list(tokens)

    def record(opt: Opt, value: Any) -> None:
        if opt.kind == "list":
            given.setdefault(opt.param, []).append(value)
        else:
            given[opt.param] = value  # a repeated option: the last value wins (as click)
        order.append(opt)

    while rargs:
        arg = rargs.pop(0)
        if arg == "--":
            positionals.extend(rargs)
            break
        if arg[:1] != "-" or len(arg) == 1:
            positionals.append(arg)
            continue
        name, equals, explicit = arg.partition("=")
        if name in HELP_FLAGS:
            return None
        if name in negatives:
            if equals:
                return Usage(f"Option '{name}' does not take a value.")
            record(negatives[name], False)
            continue
        if name in longs:
            opt = longs[name]
            if opt.kind in ("flag", "bool"):
                if equals:
                    return Usage(f"Option '{name}' does not take a value.")
                record(opt, True)
            elif equals:
                record(opt, explicit)
            elif rargs:
                record(opt, rargs.pop(0))
            else:
                return Usage(f"Option '{name}' requires an argument.")
            continue
        if arg[:2] == "--":
            return Usage(f"No such option: {name}")
        for index in range(1, len(arg)):  # grouped short options: -qp x, -n5
            flag = "-" + arg[index]
            if flag in HELP_FLAGS:
                return None
            opt = shorts.get(flag)  # type: ignore[assignment]
            if opt is None:
                return Usage(f"No such option: {flag}")
            if opt.kind == "flag":
                record(opt, True)
                continue
            if index + 1 < len(arg):
                record(opt, arg[index + 1 :])
            elif rargs:
                record(opt, rargs.pop(0))
            else:
                return Usage(f"Option '{flag}' requires an argument.")
            break
    kwargs = _arguments(command, positionals)
    if isinstance(kwargs, Usage):
        return kwargs
    for opt in command.opts:
        if opt.param not in given:
            kwargs[opt.param] = opt.default
            continue
        converted = convert(opt, given[opt.param])
        if isinstance(converted, Usage):
            return converted
        kwargs[opt.param] = converted
    return Call(command, kwargs)


def _arguments(command: Command, positionals: list[str]) -> dict[str, Any] | Usage:
    kwargs: dict[str, Any] = {}
    rest = list(positionals)
    for arg in command.args:
        if arg.many:
            if not rest and arg.required:
                return Usage(f"Missing argument '{arg.metavar}'.")
            kwargs[arg.param] = rest
            rest = []
        elif rest:
            kwargs[arg.param] = rest.pop(0)
        elif arg.required:
            return Usage(f"Missing argument '{arg.metavar}'.")
        else:
            kwargs[arg.param] = None
    if rest:
        return Usage(f"Got unexpected extra argument ({' '.join(rest)})")
    return kwargs


def convert(opt: Opt, value: Any) -> Any:
    """A given option's value in the handler's type, or a usage error naming the option."""
    kind = opt.kind
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
    except ValueError:
        return Usage(f"Invalid value for '{opt.flags[0]}': {value!r} is not a valid {kind}.")
    if kind == "path":
        from pathlib import Path

        return Path(value)
    if kind == "lease":
        from bd_trio.model.durations import parse_duration

        if parse_duration(value) is None:
            return Usage(f"Invalid value for '--lease': {value!r} is not a lease length.")
    return value
