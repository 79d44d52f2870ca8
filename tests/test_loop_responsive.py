"""The event loop never runs SQLite (or any long work): with big reads running, no step of
the loop takes long. Measured with a Trio instrument that times every task step; a change
that put a read back on the loop would make steps of hundreds of milliseconds here."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
import trio

from bd_trio.devtools.synthetic import build
from bd_trio.store import Store
from daemon_helpers import client, make_workspace, running_daemon

pytestmark = [pytest.mark.trio, pytest.mark.slow]

ISSUES = 60_000
# A read on the loop at this size takes 600 ms or more per step; the daemon's own steps stay
# far below (a step may still wait for the GIL while read threads run Python). Generous, for a
# shared and noisy machine.
STEP_BOUND_S = 0.25


BIG_READER = """
import sys, time
from bd_trio.client.blocking import BlockingClient
socket, op, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
args = {"limit": 0} if op in ("ready", "list") else {}
done = 0
with BlockingClient(socket) as bd:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        bd.call(op, args)
        done += 1
print(done)
"""


class StepTimer(trio.abc.Instrument):
    def __init__(self) -> None:
        self.longest = 0.0
        self.longest_task = ""
        self.steps = 0
        self._started: float | None = None

    def before_task_step(self, task: trio.lowlevel.Task) -> None:
        self._started = time.perf_counter()

    def after_task_step(self, task: trio.lowlevel.Task) -> None:
        if self._started is None:  # the step that added the instrument: not timed
            return
        if not task.name.startswith("bd_trio.daemon"):
            self._started = None  # the test's own clients: not the daemon's loop work
            return
        self.steps += 1
        took = time.perf_counter() - self._started
        if took > self.longest:
            self.longest, self.longest_task = took, task.name
        self._started = None


async def test_no_loop_step_is_long_while_big_reads_run(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    store = Store(ws.db_path)
    build(store, ISSUES)
    store.close()
    timer = StepTimer()
    async with running_daemon(ws) as _server:
        async with client(ws) as warm:
            await warm.ping()
            # Steady state: big reads run in the reader processes, which the first big read
            # starts (until they are ready, reads run in the daemon's read threads).
            await warm.call("list", {"limit": 1})
            with trio.fail_after(60):
                while len((await warm.call("health"))["reader_processes"]) < 2:
                    await trio.sleep(0.05)
        trio.lowlevel.add_instrument(timer)
        answers: dict[str, int] = {"blocked": 0, "ready": 0, "list": 0, "ping": 0, "create": 0}
        try:

            async def small(name: str, call: object) -> None:
                async with client(ws, actor=name) as bd:
                    while True:
                        await call(bd)  # type: ignore[operator]
                        answers[name] += 1

            async def big(op: str) -> None:
                # Big answers are read by other processes: a client decoding them in this
                # process would hold the GIL and lengthen the very steps measured here.
                proc = await trio.run_process(
                    [sys.executable, "-c", BIG_READER, str(ws.socket_path), op, "2.5"],
                    capture_stdout=True,
                    capture_stderr=True,
                )
                answers[op] = int(proc.stdout.decode().strip())

            async with trio.open_nursery() as nursery:
                async with trio.open_nursery() as readers:
                    for op in ("blocked", "ready", "list"):
                        readers.start_soon(big, op)
                    nursery.start_soon(small, "ping", lambda bd: bd.ping())
                    nursery.start_soon(small, "create", lambda bd: bd.create("while reading"))
                nursery.cancel_scope.cancel()
        finally:
            trio.lowlevel.remove_instrument(timer)
    assert all(count > 0 for count in answers.values()), answers
    assert answers["ping"] > 50 and answers["create"] > 10, answers
    print(f"longest step {timer.longest * 1000:.1f} ms in {timer.longest_task}; {answers}")
    assert timer.longest < STEP_BOUND_S, (
        f"a loop step took {timer.longest * 1000:.0f} ms in {timer.longest_task} "
        f"({timer.steps} steps; {answers})"
    )
