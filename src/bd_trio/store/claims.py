"""Claims: which agent works on an issue, under which fencing token, until when.

A claim is a row in `claims` beside the issue it holds. While it exists the issue is
`in_progress` and its assignee is the holder (`reconcile` drops a claim as soon as either stops
being true). Taking one is a compare-and-set: a conditional UPDATE of the issue whose row count
decides who won, inside the caller's write transaction (the daemon's group or direct mode's
`BEGIN IMMEDIATE`), so of any number of racing callers, in either mode, exactly one wins.

The life of a claim (one place for its transitions):

    (none) --acquire--> HELD --renew (heartbeat, claim again, any write by the holder)--> HELD
    HELD --release (unclaim; close; status or assignee changed)--> (none)
    HELD --expire_due (lease passed; the daemon's sweep or any direct-mode command)--> (none)

Each claim gets a new token from a counter that only grows (`claim_tokens`), so a token names
one claim for ever: a write fenced with `--if-claimed TOKEN` applies only while that claim is
the current one. Expiry returns the issue to `open` with no assignee and records an event.

Functions take an open connection inside a write transaction and never commit.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import timedelta

from bd_trio.errors import BdError, not_found
from bd_trio.model import clock
from bd_trio.model.durations import describe
from bd_trio.store import issues as rows
from bd_trio.store.claim_rows import COLUMNS as _COLUMNS
from bd_trio.store.claim_rows import Claim, get_claim

SYSTEM_ACTOR = "bd"  # the actor of events no person caused (a lease that ran out)


def expiry(now: str, lease_s: float) -> str | None:
    if lease_s <= 0:
        return None
    return clock.format_ts(clock.parse_ts(now) + timedelta(seconds=lease_s))


def until(claim: Claim, now: str) -> str:
    """`until 12:04:05Z` (the date too when it is not today), or `with no expiry`."""
    if claim.expires_at is None:
        return "with no expiry"
    day, _, time_of_day = claim.expires_at.partition("T")
    short = time_of_day.split(".")[0] + "Z"
    return f"until {short}" if now.startswith(day) else f"until {day} {short}"


def _next_token(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        "INSERT INTO claim_tokens (id, last) VALUES (1, 1) "
        "ON CONFLICT(id) DO UPDATE SET last = last + 1 RETURNING last"
    ).fetchall()[0]
    return int(row[0])


# --- transitions ------------------------------------------------------------------------------


def acquire(conn: sqlite3.Connection, issue_id: str, actor: str, now: str, lease_s: float) -> Claim:
    """Claim `issue_id` for `actor`, or raise a `conflict` that says who or what holds it.

    Succeeds when the issue is open with no assignee (a new claim), or when its assignee is
    the caller (claiming again renews the caller's lease and keeps its token)."""
    held = get_claim(conn, issue_id)
    if held is not None and held.holder == actor:
        return renew(conn, held, now, lease_s)
    # The compare-and-set: the row count decides, never an earlier read.
    won = conn.execute(
        "UPDATE issues SET status = 'in_progress', assignee = ?1, updated_at = ?2, "
        "started_at = coalesce(started_at, ?2) "  # upstream's started_at: the first start
        "WHERE id = ?3 AND status != 'closed' "
        "AND ((status = 'open' AND assignee = '') OR assignee = ?1)",
        (actor, now, issue_id),
    ).rowcount
    if won != 1:
        raise refusal(conn, issue_id, actor, now)
    claim = Claim(issue_id, actor, _next_token(conn), now, now, lease_s, expiry(now, lease_s))
    conn.execute(
        f"INSERT OR REPLACE INTO claims ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            claim.issue_id,
            claim.holder,
            claim.token,
            claim.claimed_at,
            claim.renewed_at,
            claim.lease_s,
            claim.expires_at,
        ),
    )
    rows.add_event(
        conn,
        issue_id,
        "claimed",
        actor,
        now,
        new=actor,
        comment=f"token {claim.token}, lease {describe(lease_s)}",
    )
    rows.mark_dirty(conn, [issue_id], now)
    return claim


def refusal(conn: sqlite3.Connection, issue_id: str, actor: str, now: str) -> BdError:
    """Why `actor` cannot claim `issue_id`: not found, closed, held by someone (until when),
    assigned to someone, or not open."""
    row = conn.execute("SELECT status, assignee FROM issues WHERE id = ?", (issue_id,)).fetchone()
    if row is None:
        return not_found(issue_id)
    status, assignee = row
    if status == "closed":
        return BdError(
            "conflict",
            f"{issue_id} is closed: reopen it (bd reopen {issue_id}) before claiming it",
            issue_id=issue_id,
            status=status,
        )
    claim = get_claim(conn, issue_id)
    if claim is not None:
        return BdError(
            "conflict",
            f"{issue_id} is claimed by {claim.holder} {until(claim, now)}",
            issue_id=issue_id,
            holder=claim.holder,
            expires_at=claim.expires_at,
        )
    if assignee:
        return BdError(
            "conflict",
            f"{issue_id} is assigned to {assignee} ({status}): only they can claim it, or "
            f"release it first (bd update {issue_id} --unclaim --force)",
            issue_id=issue_id,
            holder=assignee,
        )
    return BdError(
        "conflict",
        f"{issue_id} is {status} with no assignee: only open issues can be claimed "
        f"(bd update {issue_id} -s open first)",
        issue_id=issue_id,
        status=status,
    )


def renew(conn: sqlite3.Connection, claim: Claim, now: str, lease_s: float | None = None) -> Claim:
    """A new lease from now (the claim's own length unless another is given). Not a change of
    the issue: no updated_at, no export, no event (heartbeats are frequent)."""
    length = claim.lease_s if lease_s is None else lease_s
    renewed = Claim(
        claim.issue_id,
        claim.holder,
        claim.token,
        claim.claimed_at,
        now,
        length,
        expiry(now, length),
    )
    conn.execute(
        "UPDATE claims SET renewed_at = ?, lease_s = ?, expires_at = ? WHERE issue_id = ?",
        (renewed.renewed_at, renewed.lease_s, renewed.expires_at, claim.issue_id),
    )
    return renewed


def heartbeat(
    conn: sqlite3.Connection, issue_id: str, actor: str, now: str, lease_s: float | None = None
) -> Claim:
    """Renew the caller's claim; a conflict naming the holder for anyone else."""
    claim = get_claim(conn, issue_id)
    if claim is not None and claim.holder == actor:
        return renew(conn, claim, now, lease_s)
    if claim is not None:
        raise BdError(
            "conflict",
            f"{issue_id} is claimed by {claim.holder} {until(claim, now)}, not by {actor}: "
            "only the holder can renew it",
            issue_id=issue_id,
            holder=claim.holder,
            expires_at=claim.expires_at,
        )
    if not rows.issue_exists(conn, issue_id):
        raise not_found(issue_id)
    expired = conn.execute(
        "SELECT created_at FROM events WHERE issue_id = ? AND event_type = 'claim_expired' "
        "AND old_value = ? ORDER BY id DESC LIMIT 1",
        (issue_id, actor),
    ).fetchone()
    why = f" (your claim expired at {expired[0]})" if expired else ""
    raise BdError(
        "conflict",
        f"{issue_id} is not claimed{why}: claim it with `bd update {issue_id} --claim`",
        issue_id=issue_id,
    )


def release(
    conn: sqlite3.Connection, issue_id: str, actor: str, now: str, event: str, comment: str
) -> None:
    """Back to open with no assignee; the claim (if any) is gone."""
    conn.execute(
        "UPDATE issues SET status = 'open', assignee = '', closed_at = NULL, updated_at = ? "
        "WHERE id = ? AND status != 'closed'",
        (now, issue_id),
    )
    holder = conn.execute(
        "DELETE FROM claims WHERE issue_id = ? RETURNING holder", (issue_id,)
    ).fetchall()
    rows.add_event(
        conn, issue_id, event, actor, now, old=holder[0][0] if holder else None, comment=comment
    )
    rows.mark_dirty(conn, [issue_id], now)


def unclaim(
    conn: sqlite3.Connection, issue_id: str, actor: str, now: str, *, force: bool = False
) -> None:
    """Release a claim: the holder may, anyone may with `force`. An issue that is open and
    unassigned already is left as it is (agents retry)."""
    issue = rows.require_issue(conn, issue_id)
    claim = get_claim(conn, issue_id)
    holder = claim.holder if claim is not None else issue.assignee
    if issue.status == "closed":
        raise BdError("conflict", f"{issue_id} is closed: nothing to release", issue_id=issue_id)
    if not holder and issue.status == "open":
        return
    if holder != actor and not force:
        held = f"claimed by {holder} {until(claim, now)}" if claim else f"assigned to {holder}"
        raise BdError(
            "conflict",
            f"{issue_id} is {held}: only the holder can release it (or use --force)",
            issue_id=issue_id,
            holder=holder,
        )
    by = "" if holder == actor else f" (held by {holder or 'nobody'}, forced)"
    release(conn, issue_id, actor, now, "unclaimed", f"released by {actor}{by}")


def expire_due(conn: sqlite3.Connection, now: str) -> list[Claim]:
    """Expire every claim whose lease has passed: the issue goes back to the ready queue."""
    due = [
        Claim(*row)
        for row in conn.execute(
            f"SELECT {_COLUMNS} FROM claims WHERE expires_at IS NOT NULL AND expires_at <= ? "
            "ORDER BY expires_at, issue_id",
            (now,),
        ).fetchall()
    ]
    for claim in due:
        conn.execute(
            "UPDATE issues SET status = 'open', assignee = '', updated_at = ? "
            "WHERE id = ? AND status = 'in_progress' AND assignee = ?",
            (now, claim.issue_id, claim.holder),
        )
        conn.execute("DELETE FROM claims WHERE issue_id = ?", (claim.issue_id,))
        rows.add_event(
            conn,
            claim.issue_id,
            "claim_expired",
            SYSTEM_ACTOR,
            now,
            old=claim.holder,
            new=str(claim.token),
            comment=f"claim by {claim.holder} expired",
        )
        rows.mark_dirty(conn, [claim.issue_id], now)
    return due


def any_due(conn: sqlite3.Connection, now: str) -> bool:
    """Cheap check (an index probe) before a direct-mode read opens a write transaction."""
    row = conn.execute(
        "SELECT 1 FROM claims WHERE expires_at IS NOT NULL AND expires_at <= ? LIMIT 1", (now,)
    ).fetchone()
    return row is not None


def check_fence(conn: sqlite3.Connection, issue_id: str, token: int, now: str) -> Claim:
    """The claim that `token` names, if it is still the current one; else `claim lost`."""
    claim = get_claim(conn, issue_id)
    if claim is not None and claim.token == token:
        return claim
    if not rows.issue_exists(conn, issue_id):
        raise not_found(issue_id)
    now_held = f"is now held by {claim.holder}" if claim is not None else "is no longer claimed"
    raise BdError(
        "conflict",
        f"claim lost: {issue_id} {now_held} (token {token} is not current); nothing changed",
        issue_id=issue_id,
        holder=claim.holder if claim is not None else None,
    )


def touch(conn: sqlite3.Connection, issue_id: str, actor: str, now: str) -> None:
    """The issue changed (a label, comment or dependency): a new updated_at, and the actor's
    lease on it renewed if it holds the claim."""
    rows.touch(conn, issue_id, now)
    renew_if_holder(conn, issue_id, actor, now)


def renew_if_holder(conn: sqlite3.Connection, issue_id: str, actor: str, now: str) -> None:
    """Any write by the holder to its issue renews the lease."""
    claim = get_claim(conn, issue_id)
    if claim is not None and claim.holder == actor:
        renew(conn, claim, now)


def reconcile(conn: sqlite3.Connection, issue_ids: Sequence[str], actor: str, now: str) -> None:
    """Drop the claims of issues that stopped being in progress under their holder (closed,
    reopened, reassigned, changed by an import)."""
    for issue_id in issue_ids:
        stale = conn.execute(
            "SELECT c.holder, i.status, i.assignee FROM claims c JOIN issues i "
            "ON i.id = c.issue_id WHERE c.issue_id = ? "
            "AND (i.status != 'in_progress' OR i.assignee != c.holder)",
            (issue_id,),
        ).fetchone()
        if stale is None:
            continue
        holder, status, assignee = stale
        reason = f"status {status}" if status != "in_progress" else f"assignee {assignee or 'none'}"
        conn.execute("DELETE FROM claims WHERE issue_id = ?", (issue_id,))
        rows.add_event(
            conn,
            issue_id,
            "claim_released",
            actor,
            now,
            old=holder,
            comment=f"claim by {holder} released: {reason}",
        )
