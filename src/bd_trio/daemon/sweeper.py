"""The claim sweeper: a claim whose lease has passed goes back to the ready queue within a
second, even when no agent calls in.

Every SWEEP_INTERVAL_S the task hands the writer a job that expires the due claims
(`store.claims.expire_due`: an index probe when none is due, so an idle daemon pays almost
nothing). The job runs in the writer's transaction like any request, so a sweep never races a
claim. Operations that claim expire due claims themselves as well; the sweep is what makes
`ready`, `list` and `show` see an expired claim without one.
"""

from __future__ import annotations

import sqlite3

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.counters import Counters
from bd_trio.daemon.exporter import ExportSchedule
from bd_trio.daemon.jobs import Group, Job
from bd_trio.daemon.writer import Writer
from bd_trio.errors import BdError
from bd_trio.store import claims

SWEEP_INTERVAL_S = 0.5


def _expire(conn: sqlite3.Connection, group: Group) -> list[str]:
    return [claim.issue_id for claim in claims.expire_due(conn, group.now)]


async def run_sweeper(
    writer: Writer,
    schedule: ExportSchedule,
    counters: Counters,
    interval_s: float = SWEEP_INTERVAL_S,
) -> None:
    while True:
        await trio.sleep(interval_s)
        job = Job(run=_expire, deadline=trio.current_time() + 10 * interval_s, writes=False)
        try:
            expired: list[str] = await writer.call(job)
        except BdError as exc:
            if exc.code == "unavailable":  # the daemon is stopping
                return
            logs.get().warning("claim sweep failed: %s", exc.message)
            continue
        if expired:
            counters.swept(len(expired))
            logs.get().info("claims expired: %s", ", ".join(expired))
            schedule.note_write()  # the issues went back to open: export them
