"""What a sync says when the machine, not the remote, stops it: a full disk above all.

A sync that fails half way has lost nothing: the database keeps every change it acknowledged
(SQLite commits or refuses), issues.jsonl is replaced atomically or not at all, and git's
commits are whole or absent. The message says so, and what to do.
"""

from __future__ import annotations

from pathlib import Path

from bd_trio.diskspace import disk_full
from bd_trio.errors import BdError

NOTHING_LOST = (
    "Nothing is lost: the database keeps every change it acknowledged and what git committed "
    "stays committed"
)


def sync_failure(exc: BaseException, root: Path) -> BdError:
    """The BdError for a sync stopped by `exc` (a git command, a file, the database)."""
    detail = (str(exc).strip().splitlines() or [type(exc).__name__])[-1]
    if disk_full(exc, root):
        return BdError(
            "unavailable",
            f"the disk holding {root} is full ({detail}): bd sync stopped. {NOTHING_LOST}; "
            "free some space and run bd sync again",
        )
    return BdError("internal", f"bd sync failed: {detail}. {NOTHING_LOST}; run bd sync again")
