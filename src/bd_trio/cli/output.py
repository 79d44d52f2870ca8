"""Writing results: JSON on stdout for --json, human text otherwise, messages on stderr.

Every text printed for a person passes `out` or `err`, and both make it inert
(bd_trio/terminal.py): a control character (C0 other than newline and tab, DEL, C1, and so
every ESC/CSI/OSC sequence) from data (a title someone pushed, an error quoting input) is
shown as a visible escape such as `\\x1b`, never sent to the terminal as is. Our own colours
are written with `ESC_MARK`, a random per-process stand-in that data cannot contain, and
become real escapes only after that.
`--json` keeps the exact text: JSON escapes it (DEL and C1 as JSON unicode escapes too).
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any, NoReturn

from bd_trio.cli import globals as g
from bd_trio.errors import BdError
from bd_trio.terminal import inert

# Stands for ESC in the colours `style` adds; unguessable, so no stored text can forge it.
ESC_MARK = f"\ue000{os.urandom(8).hex()}\ue001"
_RAW_IN_JSON = re.compile("[\x7f-\x9f]")  # json.dumps escapes C0 itself


def _terminal_safe(text: str) -> str:
    safe = inert(text)
    return safe.replace(ESC_MARK, "\033") if ESC_MARK in safe else safe


def emit_json(data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    sys.stdout.write(_RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def out(text: str = "") -> None:
    sys.stdout.write(_terminal_safe(text) + "\n")


def err(text: str) -> None:
    sys.stderr.write(_terminal_safe(text) + "\n")


def note(text: str) -> None:
    """A message that is not an error (a notice, a warning, a step): none with --quiet."""
    if not g.current.quiet:
        err(text)


def use_color() -> bool:
    return not g.current.json and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def style(text: str, code: str) -> str:
    """ANSI colour for terminals; plain text when piped, with NO_COLOR, or for --json."""
    return f"{ESC_MARK}[{code}m{text}{ESC_MARK}[0m" if use_color() else text


def report_error(exc: BdError) -> None:
    err(f"Error: {exc.message}")


def fail(exc: BdError) -> NoReturn:
    report_error(exc)
    raise SystemExit(1)


def usage(message: str) -> NoReturn:
    """A command line that cannot mean anything (flags that do not go together): exit 2."""
    err(f"Error: {message}")
    raise SystemExit(2)
