"""The fast parser and typer, derived from one declaration (cli/table.py), must agree: for
every command line of the corpus, both make the same call (handler and keyword arguments), or
both refuse it as a usage error (typer: exit 2), or the fast parser leaves it to typer (help)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer._click import exceptions as click_exceptions

from bd_trio.cli.declare import Command, Group
from bd_trio.cli.fastparse import Call, Usage, parse, resolve
from bd_trio.cli.table import COMMANDS
from bd_trio.cli.typerapp import build_app

Outcome = tuple[str, Any]


def through_typer(argv: list[str]) -> Outcome:
    calls: list[tuple[Command, dict[str, Any]]] = []
    group = typer.main.get_command(build_app(lambda cmd, kwargs: calls.append((cmd, kwargs))))
    try:
        group.main(args=argv, prog_name="bd", standalone_mode=False)
    except click_exceptions.UsageError as exc:
        assert exc.exit_code == 2
        return ("usage", None)
    except (click_exceptions.Exit, typer.Exit):
        return ("help", None)
    if not calls:
        return ("help", None)  # --help prints and returns
    ((command, kwargs),) = calls
    return ("call", (command.handler, kwargs))


def through_fast(argv: list[str]) -> Outcome:
    parsed = parse(argv)
    if parsed is None:
        return ("typer", None)
    if isinstance(parsed, Usage):
        return ("usage", None)
    assert isinstance(parsed, Call)
    return ("call", (parsed.command.handler, parsed.kwargs))


def declared() -> list[tuple[list[str], Command]]:
    out = []
    for entry in COMMANDS:
        if isinstance(entry, Group):
            out.extend(([entry.name, c.name], c) for c in entry.commands)
        else:
            out.append(([entry.name], entry))
    return out


def generated_corpus() -> list[list[str]]:
    """For every command: its arguments, and each option in each spelling, with good and bad
    values, attached and separate, before and after the arguments, repeated, and unknown."""
    lines: list[list[str]] = []
    good = {"str": "v", "int": "5", "float": "1.5", "list": "a,b", "path": "f.md", "lease": "90s"}
    bad = {"int": "x7", "float": "soon", "lease": "5x"}
    for words, command in declared():
        args: list[str] = []
        for arg in command.args:
            args += ["bd-1", "bd-2"] if arg.many else ["bd-1"]
        lines += [[*words, *args], [*words], [*words, *args, "extra", "more"], [*words, "--help"]]
        lines += [[*words, *args, "--bogus"], [*words, "-Z", *args], [*words, "--", *args]]
        for opt in command.opts:
            for flag in opt.flags:
                if opt.kind in ("flag", "bool"):
                    lines += [[*words, flag, *args], [*words, *args, flag, flag]]
                    lines += [[*words, *args, f"{flag}=yes"]]
                    if opt.kind == "bool":  # --no-tree; Go's --tree=false is go_bools' job
                        off = "--no-" + flag[2:]
                        lines += [[*words, off, *args], [*words, *args, flag, off]]
                        lines += [[*words, *args, off, flag], [*words, *args, f"{off}=x"]]
                    continue
                value = good[opt.kind]
                lines += [[*words, *args, flag, value], [*words, flag, value, *args]]
                lines += [[*words, *args, f"{flag}={value}"], [*words, *args, flag]]
                lines += [[*words, *args, flag, value, flag, value + "9"]]
                if len(flag) == 2:
                    lines += [[*words, *args, f"{flag}{value}"], [*words, *args, f"{flag}={value}"]]
                if opt.kind in bad:
                    lines += [[*words, *args, flag, bad[opt.kind]]]
                lines += [[*words, *args, flag, "--help"]]  # a value that looks like an option
    return lines


HANDWRITTEN = [
    ["ready", "-n5"],
    ["ready", "-n", "5"],
    ["ready", "--limit=5"],
    ["ready", "-n", "-5"],
    ["ready", "-n5", "-p", "1", "--json-ish"],
    ["ready", "--claim", "--lease", "0"],
    ["ready", "--cl"],  # click does not complete abbreviations
    ["close", "bd-1", "-rfixed"],
    ["close", "bd-1", "-r", "fixed", "bd-2"],
    ["close", "-r", "fixed"],
    ["init", "-qp", "proj"],
    ["init", "-pq"],
    ["init", "-qpproj", "--id-mode", "hash"],
    ["create", "Title with -dash", "-d", "-starts with a dash"],
    ["create", "--", "-not an option"],
    ["create", "a", "b"],
    ["create", "-l", "a", "--labels=b", "-lc"],
    ["update", "bd-1", "-s", "closed", "-s", "open"],
    ["update", "bd-1", "--claim", "--unclaim", "--force"],
    ["update", "bd-1", "--if-claimed", "07"],
    ["update", "bd-1", "--if-claimed", " 7 "],
    ["update", "bd-1", "--if-claimed", "1_000"],
    ["show", "-"],
    ["show"],
    ["label", "add", "bd-1", "bd-2", "urgent"],
    ["label", "list-all", "x"],
    ["label", "bogus"],
    ["label"],
    ["dep", "add", "bd-1", "bd-2", "-tparent-child"],
    ["dep", "tree", "bd-1", "-d0"],
    ["dep", "tree", "-d", "3", "bd-1"],
    ["comments", "add", "bd-1", "hello", "world"],
    ["comments", "bd-1", "-f", "note.txt"],
    ["daemon", "start", "--flush-debounce=0.5", "--auto-commit"],
    ["daemon", "status", "--foreground"],
    ["stale", "--hours", "1e-3"],
    ["stale", "--hours", "inf"],
    ["stats", "extra"],
    ["nonsense"],
    ["-x"],
    [],
]


@pytest.mark.parametrize("argv", HANDWRITTEN + generated_corpus(), ids=lambda a: " ".join(a))
def test_both_parsers_agree(argv: list[str]) -> None:
    fast = through_fast(argv)
    typer_outcome = through_typer(argv)
    if fast[0] == "typer":
        assert typer_outcome[0] in ("help", "usage")
    else:
        assert fast == typer_outcome


def test_the_corpus_reaches_every_option_spelling() -> None:
    corpus = HANDWRITTEN + generated_corpus()
    for words, command in declared():
        for opt in command.opts:
            for flag in opt.flags:
                assert any(line[: len(words)] == words and flag in line for line in corpus)
    assert len(corpus) > 500


def test_every_handler_exists_and_takes_the_declared_parameters() -> None:
    import inspect

    for _, command in declared():
        handler = resolve(command.handler)
        accepted = set(inspect.signature(handler).parameters)
        declared_params = {a.param for a in command.args} | {o.param for o in command.opts}
        assert accepted == declared_params, command.name
        for opt in command.opts:
            parameter = inspect.signature(handler).parameters[opt.param]
            assert parameter.default == opt.default, (command.name, opt.param)


def test_paths_are_paths() -> None:
    parsed = parse(["create", "-f", "plan.md"])
    assert isinstance(parsed, Call) and parsed.kwargs["file"] == Path("plan.md")
