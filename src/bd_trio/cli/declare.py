"""The parts of a command declaration: arguments, options, commands, command groups.

Plain NamedTuples with no typer import: the fast parser reads these on every CLI call. The
typer app (`typerapp.py`), the fast parser (`fastparse.py`) and docs/CLI.md (`docs.py`) are
all derived from the one table in `table.py`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

# Option kinds: how a value is read from the command line.
#   str    one text value              int    one integer         float  one number
#   flag   no value (True when given)  list   repeatable text     path   a file path
#   lease  a lease length (90s, 15m, 4h, 0): checked while parsing, a usage error if bad
KINDS = ("str", "int", "float", "flag", "list", "path", "lease")


class Opt(NamedTuple):
    param: str  # the handler's keyword argument
    flags: tuple[str, ...]  # spellings: long first, e.g. ("--limit", "-n")
    kind: str = "str"
    default: Any = None
    help: str = ""
    metavar: str | None = None


class Arg(NamedTuple):
    param: str
    metavar: str
    many: bool = False  # one or more values (a list); else a single value
    required: bool = True
    help: str = ""


class Command(NamedTuple):
    name: str
    handler: str  # "module.function" under bd_trio.cli.commands
    help: str
    args: tuple[Arg, ...] = ()
    opts: tuple[Opt, ...] = ()
    json: str = ""  # what --json prints (docs/CLI.md)


class Group(NamedTuple):
    """A command with subcommands: `bd dep add ...`."""

    name: str
    help: str
    commands: tuple[Command, ...]
