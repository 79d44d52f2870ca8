"""Has `.beads/issues.jsonl` changed since this database last wrote or imported it?

The cheap check every command makes before it runs (a stat, compared with the token stored in
the database's metadata), kept apart from the import and export machinery in `files.py` so a
read in direct mode loads none of it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bd_trio.store import meta

HASH_KEY = "jsonl_hash"
STAT_KEY = "jsonl_stat"


def stat_token(path: Path) -> str | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ino}"


def file_changed(conn: sqlite3.Connection, path: Path) -> bool:
    """Cheap test: has the file changed since we last wrote or imported it?"""
    token = stat_token(path)
    if token is None:
        return False
    return token != meta.get_metadata(conn, STAT_KEY)
