"""docs/CLI.md's command reference, generated from the one declaration (`table.py`).

    python -m bd_trio.cli.docs --write docs/CLI.md    # regenerate the reference in place
    python -m bd_trio.cli.docs                        # print it

The reference sits between two markers in docs/CLI.md; the text around it is written by hand.
tests/test_cli_docs.py fails when the file and the table disagree, so the reference cannot go
stale.
"""

from __future__ import annotations

import sys

from bd_trio.cli import globals as g
from bd_trio.cli.declare import Command, Group, Opt, negative
from bd_trio.cli.table import COMMANDS
from bd_trio.devtools import docsplice

BEGIN = "<!-- BEGIN GENERATED REFERENCE (python -m bd_trio.cli.docs --write docs/CLI.md) -->"
END = "<!-- END GENERATED REFERENCE -->"

_VALUES = {
    "str": "TEXT",
    "int": "N",
    "float": "NUMBER",
    "list": "TEXT",
    "path": "PATH",
    "lease": "DURATION",
}


def _option_cell(opt: Opt) -> str:
    if opt.kind == "bool":
        return f"`{opt.flags[0]}`, `{negative(opt.flags[0])}`, `{opt.flags[0]}=false`"
    value = "" if opt.kind == "flag" else f" {opt.metavar or _VALUES[opt.kind]}"
    spellings = ", ".join(f"`{flag}{value}`" for flag in opt.flags)
    if opt.kind == "list":
        spellings += " (repeatable)"
    return spellings


def _default(opt: Opt) -> str:
    if opt.default is None or opt.default is False:
        return ""
    return f"`{opt.default}`"


def _usage(words: str, command: Command) -> str:
    parts = [f"bd {words}"]
    parts.extend(
        arg.metavar if arg.required else f"[{arg.metavar.strip('[]')}]" for arg in command.args
    )
    if command.opts:
        parts.append("[OPTIONS]")
    return " ".join(parts)


def _command(words: str, command: Command) -> list[str]:
    lines = [f"### `bd {words}`", "", f"`{_usage(words, command)}`", "", command.help, ""]
    if command.opts:
        lines += ["| option | default | meaning |", "|---|---|---|"]
        for opt in command.opts:
            help_text = opt.help.replace("|", "\\|") or "—"
            lines.append(f"| {_option_cell(opt)} | {_default(opt)} | {help_text} |")
        lines.append("")
    if command.json:
        lines += [f"`--json`: {command.json}.", ""]
    return lines


def _reading_limits() -> list[str]:
    """What bd accepts from issues.jsonl and `bd import` (the limits of sync/lines.py)."""
    from bd_trio.sync.lines import LIMITS

    lines = [
        "## Reading JSONL: limits and a refused file",
        "",
        "`.beads/issues.jsonl` arrives with `git pull` from anyone who can push, and `bd import`",
        "reads any file: both are read within these limits. Any line outside them, and any",
        "line that is not a valid issue or tombstone, refuses the whole file with an error",
        "naming the file, the line and what is wrong (exit 1); nothing of it is imported.",
        "",
        "| what | limit |",
        "|---|---|",
        *(f"| {what} | {limit} |" for what, limit in LIMITS),
        "",
        "While issues.jsonl is refused, reads (`list`, `show`, `ready`, `stats`, ...) answer from",
        "the database as last imported, with a one-line warning on stderr naming the file and",
        "line; writes, exports and `bd sync` refuse with the error, so nothing overwrites the",
        "file. The daemon keeps running and reports the problem in `bd daemon status` (`--json`:",
        "`jsonl_error`) and `bd doctor`. Once the file is fixed (or `git checkout` restores it),",
        "the next command imports it; no restart is needed.",
        "",
        "Human output shows control characters from data (C0 but newline and tab, DEL, C1:",
        "every ESC, CSI and OSC sequence) as visible escapes such as `\\x1b`; `--json` keeps",
        "the exact text, escaped by JSON.",
        "",
    ]
    return lines


def _global_flags() -> list[str]:
    """The global flags' table, from their one declaration (cli/globals.py)."""
    lines = [
        "## Global flags",
        "",
        "Accepted by every command, anywhere on the line (current bd's set).",
        "",
        "| flag | meaning |",
        "|---|---|",
    ]
    for flags in g.spellings().values():
        value = f" {g.METAVARS[flags[0]]}" if flags[0] in g.VALUED else ""
        cell = ", ".join(f"`{flag}{value}`" for flag in flags)
        lines.append(f"| {cell} | {g.HELP[flags[0]]} |")
    return [*lines, ""]


def render() -> str:
    lines = [BEGIN, "", *_global_flags()]
    for entry in COMMANDS:
        if isinstance(entry, Group):
            lines += [f"## `bd {entry.name}`", "", entry.help, ""]
            for command in entry.commands:
                lines += _command(f"{entry.name} {command.name}", command)
        else:
            lines += _command(entry.name, entry)
    lines += _reading_limits()
    lines.append(END)
    return "\n".join(lines) + "\n"


def spliced(text: str) -> str:
    """`text` with its generated part replaced by the current one."""
    return docsplice.splice(text, BEGIN, END, render())


if __name__ == "__main__":
    docsplice.main(sys.argv[1:], render, BEGIN, END)
