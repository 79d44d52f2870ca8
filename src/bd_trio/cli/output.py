"""Writing results: JSON on stdout for --json, human text otherwise, messages on stderr."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, NoReturn

from bd_trio.cli import globals as g
from bd_trio.errors import BdError


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def out(text: str = "") -> None:
    sys.stdout.write(text + "\n")


def err(text: str) -> None:
    sys.stderr.write(text + "\n")


def note(text: str) -> None:
    """A message that is not an error (a notice, a warning, a step): none with --quiet."""
    if not g.current.quiet:
        sys.stderr.write(text + "\n")


def use_color() -> bool:
    return not g.current.json and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def style(text: str, code: str) -> str:
    """ANSI colour for terminals; plain text when piped, with NO_COLOR, or for --json."""
    return f"\033[{code}m{text}\033[0m" if use_color() else text


def report_error(exc: BdError) -> None:
    err(f"Error: {exc.message}")


def fail(exc: BdError) -> NoReturn:
    report_error(exc)
    raise SystemExit(1)


def usage(message: str) -> NoReturn:
    """A command line that cannot mean anything (flags that do not go together): exit 2."""
    err(f"Error: {message}")
    raise SystemExit(2)
