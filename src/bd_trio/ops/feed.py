"""The feed of changes (store/feed.py): `events` for catch-up, `watch` to stream.

`events` has two forms. With `id` it is one issue's audit trail (as it always was). Without
it, `since` (a cursor, 0 = from the oldest change kept) and `limit` give the changes after the
cursor, oldest first: `{cursor, id, event, actor, at, ...}`. With `wait_ms` it answers as soon
as there is at least one (registry: waiting operations).

`watch` streams the same objects as frames until the client goes away (daemon only);
`cursor` names the newest cursor (where "from now on" begins).
"""

from __future__ import annotations

import sqlite3
from typing import Any, NamedTuple

from bd_trio.errors import BdError
from bd_trio.model import validate
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import STREAMING, no_args, operation
from bd_trio.store import feed
from bd_trio.store import issues as rows

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10_000


class FeedRequest(NamedTuple):
    issue_id: str | None  # the audit-trail form
    since: int
    limit: int


def parse_events(a: Args) -> FeedRequest:
    issue_id = a.text("id")
    since = a.integer("since", 0, minimum=0)
    limit = a.integer("limit", DEFAULT_LIMIT, minimum=0)
    if issue_id is not None:
        if a.has("since") or a.has("limit"):
            raise BdError(
                "validation",
                "events: give either id (one issue's audit trail) or since/limit (the feed)",
                field="id",
            )
        return FeedRequest(str(validate.issue_id(issue_id)), 0, 0)
    if limit == 0 or limit > MAX_LIMIT:
        raise BdError(
            "validation", f"events: limit must be between 1 and {MAX_LIMIT}", field="limit"
        )
    return FeedRequest(None, since, limit)


@operation("events", parse=parse_events, writes=False, waits=True)
def events(conn: sqlite3.Connection, request: FeedRequest, ctx: OpContext) -> list[dict[str, Any]]:
    """One issue's audit trail (with `id`), or the changes after the cursor `since`."""
    if request.issue_id is not None:
        rows.require_issue(conn, request.issue_id)
        return rows.events_of(conn, request.issue_id)
    return feed.changes_since(conn, request.since, request.limit)


@operation("cursor", parse=no_args, writes=False)
def cursor(conn: sqlite3.Connection, parsed: None, ctx: OpContext) -> dict[str, int]:
    """The feed's newest cursor: where "from now on" starts."""
    return {"cursor": feed.last_cursor(conn)}


class WatchRequest(NamedTuple):
    since: int | None  # None: from now on


def parse_watch(a: Args) -> WatchRequest:
    return WatchRequest(a.integer("since", None, minimum=0))


@operation("watch", parse=parse_watch, route=STREAMING)
def watch(conn: sqlite3.Connection, request: WatchRequest, ctx: OpContext) -> int:
    """Where a stream starts: the cursor it resumes after (the newest one when none given).
    The stream itself is the daemon's (daemon/feeds.py); direct mode reads `events` in a loop."""
    return feed.last_cursor(conn) if request.since is None else request.since
