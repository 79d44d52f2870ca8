"""A `.beads/issues.jsonl` that bd refused to import (a bad line, conflict markers, a file too
large): one bad push must not take bd down for every clone.

The refusal is kept in the database's metadata with the stat token of the file it was about,
so that until the file changes:

- reads answer from the database (its last good import) with a one-line warning, and the
  file is not read again for each command;
- writes, exports and `bd sync` refuse with the same error, so nothing overwrites the file;
- as soon as the file changes (fixed, `git checkout`), its token differs and the next command
  imports it, with no daemon restart.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import NamedTuple

from bd_trio.errors import BdError
from bd_trio.store import meta
from bd_trio.sync.watch import stat_token

REFUSED_KEY = "jsonl_refused"


class Refusal(NamedTuple):
    token: str  # the stat token of the refused file (sync/watch.py)
    error: BdError

    @property
    def warning(self) -> str:
        return f"bd: warning: {self.error.message}; showing the database until it is fixed"


def current(conn: sqlite3.Connection, path: Path) -> Refusal | None:
    """The refusal of the file as it is on disk now, if bd refused this very file."""
    raw = meta.get_metadata(conn, REFUSED_KEY)
    if raw is None:
        return None
    token = stat_token(path)
    try:
        saved = json.loads(raw)
        if token is None or saved["token"] != token:
            return None
        return Refusal(token, BdError.from_dict(saved["error"]))
    except (ValueError, KeyError, TypeError):
        return None


def remember(conn: sqlite3.Connection, path: Path, error: BdError) -> Refusal:
    token = stat_token(path) or ""
    meta.set_metadata(conn, REFUSED_KEY, json.dumps({"token": token, "error": error.to_dict()}))
    return Refusal(token, error)


def forget(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM metadata WHERE key = ?", (REFUSED_KEY,))
