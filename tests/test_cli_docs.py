"""docs/CLI.md carries the command reference generated from cli/table.py: it must match."""

from __future__ import annotations

from pathlib import Path

from bd_trio.cli import docs
from bd_trio.cli.declare import Group
from bd_trio.cli.table import COMMANDS

CLI_MD = Path(__file__).resolve().parent.parent / "docs" / "CLI.md"


def test_reference_in_docs_matches_the_declaration() -> None:
    text = CLI_MD.read_text(encoding="utf-8")
    assert docs.spliced(text) == text, (
        "docs/CLI.md is stale: run `python -m bd_trio.cli.docs --write docs/CLI.md`"
    )


def test_reference_names_every_command_and_option() -> None:
    text = CLI_MD.read_text(encoding="utf-8")
    for entry in COMMANDS:
        commands = (
            [(f"{entry.name} {c.name}", c) for c in entry.commands]
            if isinstance(entry, Group)
            else [(entry.name, entry)]
        )
        for words, command in commands:
            assert f"### `bd {words}`" in text
            for opt in command.opts:
                for flag in opt.flags:
                    assert f"`{flag}" in text
