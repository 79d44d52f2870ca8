"""The fast path (no typer) must accept exactly what typer accepts for its commands, or defer."""

from __future__ import annotations

from typing import Any

import pytest
import typer.main

from bd_trio.cli.app import build_app
from bd_trio.cli.fastpath import FAST_COMMANDS, parse


def typer_params(command: str) -> dict[str, Any]:
    group = typer.main.get_command(build_app([command]))
    click_command = group.commands[command]  # type: ignore[attr-defined]
    return {param.name: param for param in click_command.params}


@pytest.mark.parametrize("name", sorted(FAST_COMMANDS))
def test_fast_table_matches_the_typer_declaration(name: str) -> None:
    fast = FAST_COMMANDS[name]
    params = typer_params(name)
    options = {p: param for p, param in params.items() if param.param_type_name == "option"}
    arguments = {p: param for p, param in params.items() if param.param_type_name == "argument"}
    declared = {opt: p for p, param in options.items() for opt in param.opts}
    handled = {opt: param for opt, (param, _) in fast.options.items()}
    # Every typer option is either parsed here (to the same parameter) or deferred to typer.
    assert set(handled) | set(fast.deferred) == set(declared)
    assert not set(handled) & set(fast.deferred)
    assert {opt: declared[opt] for opt in handled} == handled
    for opt, (param, kind) in fast.options.items():
        click_param = options[param]
        if kind == "list":
            assert click_param.multiple, opt
        elif kind == "int":
            assert type(click_param.type).__name__ == "IntParamType", opt
        elif kind == "float":
            assert type(click_param.type).__name__ == "FloatParamType", opt
        elif kind == "flag":
            assert click_param.is_flag, opt
        elif kind == "lease":
            assert click_param.callback is not None, opt  # typer checks it too (exit 2)
        else:
            assert not click_param.multiple, opt
            assert type(click_param.type).__name__ == "StringParamType", opt
    assert list(arguments) == ([fast.positional] if fast.positional else [])
    if fast.positional:
        argument = arguments[fast.positional]
        assert (argument.nargs == -1) == fast.many
        assert argument.required == fast.many


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["ready"], {}),
        (["ready", "-n", "5", "--priority=1"], {"limit": 5, "prio": "1"}),
        (
            ["list", "-l", "a", "--label", "b,c", "-s", "open"],
            {"label": ["a", "b,c"], "status": "open"},
        ),
        (["show", "bd-1", "bd-2"], {"ids": ["bd-1", "bd-2"]}),
        (["stats"], {}),
        (
            ["create", "Fix it", "-p", "1", "-l", "a,b", "--deps=blocks:bd-1"],
            {"title_arg": "Fix it", "prio": "1", "labels": ["a,b"], "deps": "blocks:bd-1"},
        ),
        (["create", "--title", "T"], {"title": "T"}),
        (
            ["update", "bd-1", "bd-2", "-s", "in_progress"],
            {"ids": ["bd-1", "bd-2"], "status": "in_progress"},
        ),
        (["close", "bd-1", "-r", "done"], {"ids": ["bd-1"], "reason": "done"}),
        (["close", "bd-1", "--if-claimed", "7"], {"ids": ["bd-1"], "if_claimed": 7}),
        (
            ["update", "bd-1", "--claim", "--lease", "90s"],
            {"ids": ["bd-1"], "claim": True, "lease": "90s"},
        ),
        (
            ["update", "bd-1", "--unclaim", "--force"],
            {"ids": ["bd-1"], "unclaim": True, "force": True},
        ),
        (["ready", "--claim", "--lease=0"], {"claim": True, "lease": "0"}),
        (["heartbeat", "bd-1", "bd-2"], {"ids": ["bd-1", "bd-2"]}),
        (["stale", "--hours", "1.5"], {"hours": 1.5}),
    ],
)
def test_fast_path_parses_known_forms(argv: list[str], expected: dict[str, Any]) -> None:
    parsed = parse(argv)
    assert parsed is not None and parsed[1] == expected


@pytest.mark.parametrize(
    "argv",
    [
        ["ready", "--help"],
        ["ready", "-n"],
        ["ready", "-n", "many"],
        ["ready", "-n5"],
        ["ready", "extra"],
        ["ready", "--bogus"],
        ["ready", "-p", "1", "-p", "2"],
        ["show"],
        ["show", "--", "bd-1"],
        ["create", "a", "b"],
        ["create", "-f", "plan.md"],
        ["update"],
        ["close", "bd-1", "--reason"],
        ["close", "bd-1", "--if-claimed", "x7"],
        ["update", "bd-1", "--claim", "--lease", "5x"],
        ["update", "bd-1", "--claim=yes"],
        ["ready", "--claim", "--claim"],
        ["heartbeat"],
        ["dep", "tree", "bd-1"],
        [],
    ],
)
def test_fast_path_defers_everything_else_to_typer(argv: list[str]) -> None:
    assert parse(argv) is None
