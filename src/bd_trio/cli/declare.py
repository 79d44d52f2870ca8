"""The parts of a command declaration: arguments, options, commands, command groups.

Plain classes with slots (a NamedTuple class costs ~0.4 ms to create) and no typer import:
the fast parser reads these on every CLI call. The
typer app (`typerapp.py`), the fast parser (`fastparse.py`) and docs/CLI.md (`docs.py`) are
all derived from the one table in `table.py`.
"""

from __future__ import annotations

from typing import Any

# Option kinds: how a value is read from the command line.
#   str    one text value              int    one integer         float  one number
#   flag   no value (True when given)  list   repeatable text     path   a file path
#   lease  a lease length (90s, 15m, 4h, 0): checked while parsing, a usage error if bad
#   bool   on or off, None when not given: --tree, --no-tree, and Go bd's --tree=false
#          (`go_bools` rewrites that spelling before either parser sees the line)
KINDS = ("str", "int", "float", "flag", "list", "path", "lease", "bool")
TRUE_WORDS = ("1", "t", "true")  # Go's strconv.ParseBool, any case
FALSE_WORDS = ("0", "f", "false")


def negative(flag: str) -> str:
    """The off spelling of a bool option: --tree -> --no-tree."""
    return "--no-" + flag[2:]


class Opt:
    __slots__ = ("default", "flags", "help", "kind", "metavar", "param")

    def __init__(
        self,
        param: str,  # the handler's keyword argument
        flags: tuple[str, ...],  # spellings: long first, e.g. ("--limit", "-n")
        kind: str = "str",
        default: Any = None,
        help: str = "",
        metavar: str | None = None,
    ) -> None:
        self.param = param
        self.flags = flags
        self.kind = kind
        self.default = default
        self.help = help
        self.metavar = metavar

    def replace(self, *, help: str) -> Opt:
        return Opt(self.param, self.flags, self.kind, self.default, help, self.metavar)


class Arg:
    __slots__ = ("help", "many", "metavar", "param", "required")

    def __init__(
        self,
        param: str,
        metavar: str,
        many: bool = False,  # one or more values (a list); else a single value
        required: bool = True,
        help: str = "",
    ) -> None:
        self.param = param
        self.metavar = metavar
        self.many = many
        self.required = required
        self.help = help


class Command:
    __slots__ = ("args", "handler", "help", "json", "name", "opts")

    def __init__(
        self,
        name: str,
        handler: str,  # "module.function" under bd_trio.cli.commands
        help: str,
        args: tuple[Arg, ...] = (),
        opts: tuple[Opt, ...] = (),
        json: str = "",  # what --json prints (docs/CLI.md)
    ) -> None:
        self.name = name
        self.handler = handler
        self.help = help
        self.args = args
        self.opts = opts
        self.json = json


class Group:
    """A command with subcommands: `bd dep add ...`."""

    __slots__ = ("commands", "help", "name")

    def __init__(self, name: str, help: str, commands: tuple[Command, ...]) -> None:
        self.name = name
        self.help = help
        self.commands = commands
