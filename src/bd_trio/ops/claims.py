"""Claims as operations: claim, ready_claim, heartbeat, unclaim, stale.

The rules and the compare-and-set live in `store.claims`; `update --claim` and the fenced
`update`/`close` (`if_claimed`) call the same functions from `ops.issues`. Every operation that
claims or checks a claim first expires the claims whose lease has passed, in its own
transaction, so an expired claim never wins over a new one, in either mode.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bd_trio.errors import BdError
from bd_trio.model import clock, validate
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.issues import parse_id, parse_lease
from bd_trio.ops.registry import operation
from bd_trio.store import claims, graph
from bd_trio.store import issues as rows


@dataclass(slots=True)
class ClaimRequest:
    id: str
    lease_s: float | None


def parse_claim(a: Args) -> ClaimRequest:
    return ClaimRequest(parse_id(a), parse_lease(a))


def _lease(request_lease: float | None, ctx: OpContext) -> float:
    return ctx.claim_lease_s if request_lease is None else request_lease


@operation("claim", parse=parse_claim, writes=True, aliases={"issue_id": "id"})
def claim(conn: sqlite3.Connection, request: ClaimRequest, ctx: OpContext) -> dict[str, Any]:
    """Claim one issue for the caller (see store.claims.acquire); the issue with its claim."""
    claims.expire_due(conn, ctx.now)
    claims.acquire(conn, request.id, ctx.actor, ctx.now, _lease(request.lease_s, ctx))
    return rows.require_issue(conn, request.id).to_dict()


@dataclass(slots=True)
class ReadyClaimRequest:
    priority: int | None
    assignee: str | None
    lease_s: float | None


def parse_ready_claim(a: Args) -> ReadyClaimRequest:
    return ReadyClaimRequest(
        priority=a.checked("priority", validate.priority),
        assignee=a.text("assignee"),
        lease_s=parse_lease(a),
    )


@operation("ready_claim", parse=parse_ready_claim, writes=True)
def ready_claim(
    conn: sqlite3.Connection, request: ReadyClaimRequest, ctx: OpContext
) -> list[dict[str, Any]]:
    """Claim the first issue `ready` (same filters) lists that the caller may claim: a list of
    that one issue, or [] when nothing is left. One transaction: no other caller can take it
    between the choice and the claim."""
    claims.expire_due(conn, ctx.now)
    found = graph.ready_issues(
        conn,
        limit=1,
        priority=request.priority,
        assignee=request.assignee,
        claimable_by=ctx.actor,
        now=ctx.now,
    )
    if not found:
        return []
    issue_id = found[0].id
    claims.acquire(conn, issue_id, ctx.actor, ctx.now, _lease(request.lease_s, ctx))
    return [rows.require_issue(conn, issue_id).to_dict()]


@operation("heartbeat", parse=parse_claim, writes=True, aliases={"issue_id": "id"})
def heartbeat(conn: sqlite3.Connection, request: ClaimRequest, ctx: OpContext) -> dict[str, Any]:
    """Renew the caller's lease on an issue it holds (optionally with a new length)."""
    claims.expire_due(conn, ctx.now)
    claims.heartbeat(conn, request.id, ctx.actor, ctx.now, request.lease_s)
    return rows.require_issue(conn, request.id).to_dict()


@dataclass(slots=True)
class UnclaimRequest:
    id: str
    force: bool


def parse_unclaim(a: Args) -> UnclaimRequest:
    return UnclaimRequest(parse_id(a), a.flag("force"))


@operation("unclaim", parse=parse_unclaim, writes=True, aliases={"issue_id": "id"})
def unclaim(conn: sqlite3.Connection, request: UnclaimRequest, ctx: OpContext) -> dict[str, Any]:
    """Release a claim (the holder; anyone with force): back to open, no assignee."""
    claims.expire_due(conn, ctx.now)
    claims.unclaim(conn, request.id, ctx.actor, ctx.now, force=request.force)
    return rows.require_issue(conn, request.id).to_dict()


DEFAULT_STALE_HOURS = 24.0


def parse_stale(a: Args) -> float:
    hours = a.raw("hours")
    if hours is None:
        return DEFAULT_STALE_HOURS
    if isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0:
        raise BdError(
            "validation", f"stale: hours must be a number >= 0, got {hours!r}", field="hours"
        )
    return float(hours)


@operation("stale", parse=parse_stale, writes=False)
def stale(conn: sqlite3.Connection, hours: float, ctx: OpContext) -> list[dict[str, Any]]:
    """In-progress issues whose claim has expired (not yet swept) or that show no activity
    (an update, or a heartbeat of their claim) for `hours`; least recently active first."""
    now = clock.parse_ts(ctx.now)
    cutoff = clock.format_ts(now - timedelta(hours=hours))
    found: list[tuple[str, str, str, float]] = []  # id, reason, holder, idle hours
    for issue_id, assignee, updated_at, holder, renewed_at, expires_at in conn.execute(
        "SELECT i.id, i.assignee, i.updated_at, c.holder, c.renewed_at, c.expires_at "
        "FROM issues i LEFT JOIN claims c ON c.issue_id = i.id WHERE i.status = 'in_progress'"
    ):
        last = max(updated_at, renewed_at or "")
        idle_h = (now - clock.parse_ts(last)).total_seconds() / 3600
        if expires_at is not None and expires_at <= ctx.now:
            found.append((issue_id, "claim expired", holder, idle_h))
        elif last < cutoff:
            found.append((issue_id, "no activity", holder or assignee, idle_h))
    found.sort(key=lambda item: (-item[3], item[0]))
    issues = rows.get_issues(conn, [item[0] for item in found])
    return [
        {
            **issues[issue_id].to_dict(),
            "stale_reason": reason,
            "holder": holder,
            "idle_hours": round(idle, 2),
        }
        for issue_id, reason, holder, idle in found
    ]
