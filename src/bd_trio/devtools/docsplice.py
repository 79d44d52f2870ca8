"""Generated parts of hand-written docs: the text between two markers is replaced by what a
generator renders (docs/CLI.md from the command table, docs/API.md from the client builders);
tests compare the file with a fresh splice, so the generated part cannot go stale."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def splice(text: str, begin: str, end: str, generated: str) -> str:
    start, stop = text.index(begin), text.index(end) + len(end) + 1
    return text[:start] + generated + text[stop:]


def main(argv: list[str], render: Callable[[], str], begin: str, end: str) -> None:
    """`--write FILE`: splice into FILE; no arguments: print the generated part."""
    if argv[:1] == ["--write"]:
        path = Path(argv[1])
        text = path.read_text(encoding="utf-8")
        path.write_text(splice(text, begin, end, render()), encoding="utf-8")
        return
    sys.stdout.write(render())
