"""The fast path: the commands agents run most, parsed without importing typer.

Importing typer costs about 40 ms, most of a CLI call's budget, and agents run `bd ready
--json`, `bd show ID --json`, `bd create`, `bd update` and `bd close` constantly. When the
arguments are in a form this small parser knows (the command's own options, with values), the
command runs here; anything else — `--help`, an unknown or deferred option, a missing or
malformed value — returns None and typer handles it, with its usage messages and exit codes.
Both paths call the same functions in `bd_trio.cli.reads` and `bd_trio.cli.writes`, and
tests/test_fastpath.py checks that this table matches the typer declarations, so the two
cannot drift apart unnoticed.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class FastCommand(NamedTuple):
    function: str  # "module.name" in bd_trio.cli
    # option -> (parameter, kind); kind is "str", "int", "float", "list" (repeatable), "flag"
    # (no value) or "lease" (a string that must be a lease length)
    options: dict[str, tuple[str, str]] = {}  # noqa: RUF012 - never mutated
    positional: str | None = None  # parameter taking the positional arguments
    many: bool = True  # positional takes one or more values (else: zero or one)
    # Options typer knows that the fast path leaves to it (seeing one defers the whole line).
    deferred: frozenset[str] = frozenset()


_PRIORITY = {"--priority": ("prio", "str"), "-p": ("prio", "str")}
_TYPE = {"--type": ("issue_type", "str"), "-t": ("issue_type", "str")}
_TEXT_FIELDS = {
    "--title": ("title", "str"),
    "--description": ("description", "str"),
    "-d": ("description", "str"),
    "--design": ("design", "str"),
    "--acceptance": ("acceptance", "str"),
    "--acceptance-criteria": ("acceptance", "str"),
    "--notes": ("notes", "str"),
    "--external-ref": ("external_ref", "str"),
}
_ASSIGNEE = {"--assignee": ("assignee", "str"), "-a": ("assignee", "str")}
_LIMIT = {"--limit": ("limit", "int"), "-n": ("limit", "int")}
_LEASE = {"--lease": ("lease", "lease")}
_FENCE = {"--if-claimed": ("if_claimed", "int")}

FAST_COMMANDS: dict[str, FastCommand] = {
    "ready": FastCommand(
        "reads.run_ready",
        {**_LIMIT, **_PRIORITY, **_ASSIGNEE, "--claim": ("claim", "flag"), **_LEASE},
    ),
    "stale": FastCommand("reads.run_stale", {"--hours": ("hours", "float")}),
    "list": FastCommand(
        "reads.run_list",
        {
            "--status": ("status", "str"),
            "-s": ("status", "str"),
            **_PRIORITY,
            **_ASSIGNEE,
            **_TYPE,
            "--label": ("label", "list"),
            "-l": ("label", "list"),
            "--label-any": ("label_any", "list"),
            "--title": ("title", "str"),
            "--id": ("ids", "str"),
            **_LIMIT,
        },
    ),
    "blocked": FastCommand("reads.run_blocked"),
    "stats": FastCommand("reads.run_stats"),
    "show": FastCommand("reads.run_show", positional="ids"),
    "create": FastCommand(
        "writes.run_create",
        {
            **_TEXT_FIELDS,
            **_PRIORITY,
            **_TYPE,
            **_ASSIGNEE,
            "--labels": ("labels", "list"),
            "-l": ("labels", "list"),
            "--id": ("issue_id", "str"),
            "--deps": ("deps", "str"),
        },
        positional="title_arg",
        many=False,
        deferred=frozenset({"--file", "-f"}),  # Markdown plans: typer's path handling
    ),
    "update": FastCommand(
        "writes.run_update",
        {
            **_TEXT_FIELDS,
            "--status": ("status", "str"),
            "-s": ("status", "str"),
            **_PRIORITY,
            **_ASSIGNEE,
            **_TYPE,
            "--claim": ("claim", "flag"),
            **_LEASE,
            "--unclaim": ("unclaim", "flag"),
            "--force": ("force", "flag"),
            **_FENCE,
        },
        positional="ids",
    ),
    "close": FastCommand(
        "writes.run_close",
        {"--reason": ("reason", "str"), "-r": ("reason", "str"), **_FENCE},
        positional="ids",
    ),
    "heartbeat": FastCommand("writes.run_heartbeat", _LEASE, positional="ids"),
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
            if kind == "flag":
                if has_value or param in kwargs:
                    return None  # --claim=x or a repeated flag: typer's message
                kwargs[param] = True
                continue
            if not has_value:
                next_token = next(tokens, None)
                if next_token is None:
                    return None
                value = next_token
            if kind in ("int", "float"):
                try:
                    kwargs[param] = int(value) if kind == "int" else float(value)
                except ValueError:
                    return None
            elif kind == "lease":
                from bd_trio.model.durations import parse_duration

                if parse_duration(value) is None or param in kwargs:
                    return None  # typer names the flag and exits 2
                kwargs[param] = value
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
        if command.many:
            if not positionals:
                return None
            kwargs[command.positional] = positionals
        elif len(positionals) > 1:
            return None  # typer reports the extra argument
        elif positionals:
            kwargs[command.positional] = positionals[0]
    return command, kwargs


def run(rest: list[str]) -> bool:
    """Run the command if the fast path knows its form; False when typer must handle it."""
    parsed = parse(rest)
    if parsed is None:
        return False
    import importlib

    command, kwargs = parsed
    module, _, function = command.function.partition(".")
    getattr(importlib.import_module(f"bd_trio.cli.{module}"), function)(**kwargs)
    return True
