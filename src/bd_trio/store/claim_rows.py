"""Reading claim rows (the `claims` table): what listings attach to issues as `claim`.

The rules and transitions of claims are in `store.claims`; this module only reads rows, so
`store.issues` can attach claims to the issues it loads without importing the rules.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any, NamedTuple

COLUMNS = "issue_id, holder, token, claimed_at, renewed_at, lease_s, expires_at"
_CHUNK = 900


class Claim(NamedTuple):
    issue_id: str
    holder: str
    token: int
    claimed_at: str
    renewed_at: str
    lease_s: float
    expires_at: str | None  # None: the lease never expires

    def to_dict(self) -> dict[str, Any]:
        """The `claim` object of an issue's JSON."""
        return {
            "holder": self.holder,
            "token": self.token,
            "claimed_at": self.claimed_at,
            "expires_at": self.expires_at,
        }


def get_claim(conn: sqlite3.Connection, issue_id: str) -> Claim | None:
    row = conn.execute(f"SELECT {COLUMNS} FROM claims WHERE issue_id = ?", (issue_id,)).fetchone()
    return Claim(*row) if row else None


def claims_for(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, Claim]:
    out: dict[str, Claim] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = tuple(ids[start : start + _CHUNK])
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(f"SELECT {COLUMNS} FROM claims WHERE issue_id IN ({marks})", chunk):
            out[row[0]] = Claim(*row)
    return out
