"""Text for a terminal: control characters from data shown as visible escapes.

A title someone pushed may hold `ESC ] 0 ; ... BEL` (retitle the window), `ESC [ 2 J` (clear
the screen) or OSC 52 (write the clipboard). Whatever prints text for a person (the CLI's
output layer, the daemon's log) passes it through `inert`: C0 other than newline and tab, DEL
and C1 (so every ESC, CSI and OSC sequence) become `\\xNN`.
"""

from __future__ import annotations

import re

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _visible(match: re.Match[str]) -> str:
    return f"\\x{ord(match.group()):02x}"


def inert(text: str) -> str:
    """`text` with its control characters shown as escapes (newline and tab kept)."""
    return CONTROL.sub(_visible, text)
