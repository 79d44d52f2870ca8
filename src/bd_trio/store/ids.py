"""Issue id allocation: sequential `prefix-N` from a counter, or adaptive-length hash ids.

The counter lives in `issue_counters` and moves inside the caller's transaction, so two
writers can never hand out the same number. Explicit ids (`create --id`, imports) push the
counter past themselves, so a number is never reused while a higher id exists.
"""

from __future__ import annotations

import hashlib
import math
import os
import sqlite3
from collections.abc import Iterable

from bd_trio.errors import BdError

BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"
HASH_MIN_LENGTH = 4
HASH_MAX_LENGTH = 12
# Hash ids grow so that the chance that a new id hits an existing one stays below 1/1000.
HASH_HEADROOM = 1000
HASH_ATTEMPTS_PER_LENGTH = 8


def next_sequential_id(conn: sqlite3.Connection, prefix: str) -> str:
    row = conn.execute(
        "INSERT INTO issue_counters (prefix, last_id) VALUES (?, 1) "
        "ON CONFLICT(prefix) DO UPDATE SET last_id = last_id + 1 RETURNING last_id",
        (prefix,),
    ).fetchone()
    number = int(row[0])
    # A counter can lag behind ids that arrived without it (older databases): skip them.
    while conn.execute("SELECT 1 FROM issues WHERE id = ?", (f"{prefix}-{number}",)).fetchone():
        number += 1
        conn.execute("UPDATE issue_counters SET last_id = ? WHERE prefix = ?", (number, prefix))
    return f"{prefix}-{number}"


def split_numeric_id(issue_id: str) -> tuple[str, int] | None:
    """(`bd`, 12) for `bd-12`; None when the part after the last dash is not a number."""
    head, dash, tail = issue_id.rpartition("-")
    if not dash or not head or not tail.isdigit():
        return None
    return head, int(tail)


def note_explicit_id(conn: sqlite3.Connection, issue_id: str) -> None:
    """Keep the counter of the id's prefix at or above the id's number."""
    parts = split_numeric_id(issue_id)
    if parts is None:
        return
    prefix, number = parts
    conn.execute(
        "INSERT INTO issue_counters (prefix, last_id) VALUES (?, ?) "
        "ON CONFLICT(prefix) DO UPDATE SET last_id = MAX(last_id, excluded.last_id)",
        (prefix, number),
    )


def note_explicit_ids(conn: sqlite3.Connection, issue_ids: Iterable[str]) -> None:
    """note_explicit_id for many ids: one counter update per prefix (a big import)."""
    highest: dict[str, int] = {}
    for issue_id in issue_ids:
        parts = split_numeric_id(issue_id)
        if parts is not None and parts[1] > highest.get(parts[0], -1):
            highest[parts[0]] = parts[1]
    for prefix, number in highest.items():
        conn.execute(
            "INSERT INTO issue_counters (prefix, last_id) VALUES (?, ?) "
            "ON CONFLICT(prefix) DO UPDATE SET last_id = MAX(last_id, excluded.last_id)",
            (prefix, number),
        )


def hash_length(issue_count: int) -> int:
    needed = math.ceil(math.log(max(issue_count, 1) * HASH_HEADROOM, 36))
    return max(HASH_MIN_LENGTH, min(HASH_MAX_LENGTH, needed))


def to_base36(number: int, length: int) -> str:
    digits = []
    for _ in range(length):
        number, rest = divmod(number, 36)
        digits.append(BASE36[rest])
    return "".join(reversed(digits))


def next_hash_id(conn: sqlite3.Connection, prefix: str, seed: str) -> str:
    """`prefix-` + base36 digits of a hash of the seed and fresh randomness."""
    count = conn.execute("SELECT COUNT(*) FROM issues").fetchone()[0]
    length = hash_length(int(count))
    while length <= HASH_MAX_LENGTH:
        for _ in range(HASH_ATTEMPTS_PER_LENGTH):
            digest = hashlib.sha256(seed.encode() + os.urandom(16)).digest()
            candidate = f"{prefix}-{to_base36(int.from_bytes(digest[:10], 'big'), length)}"
            taken = conn.execute(
                "SELECT 1 FROM issues WHERE id = ?1 "
                "UNION ALL SELECT 1 FROM tombstones WHERE id = ?1",
                (candidate,),
            ).fetchone()
            if not taken:  # never an id in use, nor one that was deleted
                return candidate
        length += 1
    raise BdError("conflict", "could not find a free hash id: the id space looks exhausted")
