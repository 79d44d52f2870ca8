"""Splitting an SQL script into statements (migrations, the counts' triggers)."""

from __future__ import annotations

import sqlite3


def statements(script: str) -> list[str]:
    """The statements of a script (a trigger's body holds semicolons of its own)."""
    out: list[str] = []
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                out.append(pending)
            pending = ""
    return out
