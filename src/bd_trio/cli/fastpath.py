"""The fast path: the read commands agents run most, parsed without importing typer.

Importing typer costs about 40 ms, most of a CLI call's budget, and agents run `bd ready
--json` and `bd show ID --json` constantly. When the arguments are in a form this small parser
knows (the command's own options, with values), the command runs here; anything else —
`--help`, an unknown option, a missing or malformed value — returns None and typer handles
it, with its usage messages and exit codes. Both paths call the same functions in
`bd_trio.cli.reads`, and tests/test_fastpath.py checks that this table matches the typer
declarations, so the two cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class FastCommand(NamedTuple):
    function: str  # name in bd_trio.cli.reads
    # option -> (parameter, kind); kind is "str", "int" or "list" (repeatable)
    options: dict[str, tuple[str, str]] = {}  # noqa: RUF012 - never mutated
    positional: str | None = None  # parameter taking the positional arguments (one or more)


_PRIORITY = {"--priority": ("prio", "str"), "-p": ("prio", "str")}
_ASSIGNEE = {"--assignee": ("assignee", "str"), "-a": ("assignee", "str")}
_LIMIT = {"--limit": ("limit", "int"), "-n": ("limit", "int")}

FAST_COMMANDS: dict[str, FastCommand] = {
    "ready": FastCommand("run_ready", {**_LIMIT, **_PRIORITY, **_ASSIGNEE}),
    "list": FastCommand(
        "run_list",
        {
            "--status": ("status", "str"),
            "-s": ("status", "str"),
            **_PRIORITY,
            **_ASSIGNEE,
            "--type": ("issue_type", "str"),
            "-t": ("issue_type", "str"),
            "--label": ("label", "list"),
            "-l": ("label", "list"),
            "--label-any": ("label_any", "list"),
            "--title": ("title", "str"),
            "--id": ("ids", "str"),
            **_LIMIT,
        },
    ),
    "blocked": FastCommand("run_blocked"),
    "stats": FastCommand("run_stats"),
    "show": FastCommand("run_show", positional="ids"),
}


def parse(rest: list[str]) -> tuple[FastCommand, dict[str, Any]] | None:
    """(command, keyword arguments), or None when typer should handle the line."""
    if not rest or rest[0] not in FAST_COMMANDS:
        return None
    command = FAST_COMMANDS[rest[0]]
    kwargs: dict[str, Any] = {}
    positionals: list[str] = []
    tokens = iter(rest[1:])
    for token in tokens:
        if token.startswith("-"):
            name, has_value, value = token.partition("=")
            if name not in command.options:
                return None  # --help, --, -n5, unknown options: typer's job
            param, kind = command.options[name]
            if not has_value:
                next_token = next(tokens, None)
                if next_token is None:
                    return None
                value = next_token
            if kind == "int":
                try:
                    kwargs[param] = int(value)
                except ValueError:
                    return None
            elif kind == "list":
                kwargs.setdefault(param, []).append(value)
            elif param in kwargs:
                return None  # a repeated single-value option: let typer decide
            else:
                kwargs[param] = value
        elif command.positional is not None:
            positionals.append(token)
        else:
            return None
    if command.positional is not None:
        if not positionals:
            return None
        kwargs[command.positional] = positionals
    return command, kwargs


def run(rest: list[str]) -> bool:
    """Run the command if the fast path knows its form; False when typer must handle it."""
    parsed = parse(rest)
    if parsed is None:
        return False
    from bd_trio.cli import reads

    command, kwargs = parsed
    getattr(reads, command.function)(**kwargs)
    return True
