"""A write request on its way through the writer: its states, and every transition in one
place.

    QUEUED --take (the writer task, deadline not passed)----> TAKEN --finish--> DONE
    QUEUED --skip (the writer task, deadline passed)--------> ABANDONED
    QUEUED --abandon (its handler gave up: deadline, cancel)--> ABANDONED
    TAKEN --requeue (a chunked job with more to do)---------> CONTINUING --take--> TAKEN

A chunked job (a non-atomic batch) runs a chunk per group and goes back to the end of the
queue until it is done, so the requests of other agents are served between its chunks. Once
its first chunk ran it is never abandoned: its deadline applies to its start only.

`take_or_skip` (the writer task) and `abandon` (the handler) both run on the event loop, with
no await between the check and the move, so exactly one of them wins: a request is either
run, or reported `timeout` and never applied. Once TAKEN, the handler waits for the real
outcome, whatever its deadline. Deadlines are on one clock, Trio's (`trio.current_time()`).

Any move not in TRANSITIONS raises `IllegalTransition`: a job in a state the writer did not
expect is a bug to see, not to skip.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

import trio

from bd_trio.errors import BdError
from bd_trio.workspace import Config


class JobState(enum.Enum):
    QUEUED = "queued"
    TAKEN = "taken"
    CONTINUING = "continuing"
    ABANDONED = "abandoned"
    DONE = "done"


TRANSITIONS: dict[JobState, frozenset[JobState]] = {
    JobState.QUEUED: frozenset({JobState.TAKEN, JobState.ABANDONED}),
    JobState.TAKEN: frozenset({JobState.DONE, JobState.CONTINUING}),
    JobState.CONTINUING: frozenset({JobState.TAKEN}),
    JobState.ABANDONED: frozenset(),
    JobState.DONE: frozenset(),
}


class IllegalTransition(RuntimeError):
    """A job was asked to move where TRANSITIONS does not lead."""


class Chunked(Protocol):
    """Work done a chunk per group commit (daemon/batches.py)."""

    def mark(self) -> Any: ...

    def restore(self, mark: Any) -> None: ...

    def step(self, conn: Any, group: Group) -> bool: ...  # True when all done

    def result(self) -> Any: ...

    def progress(self) -> tuple[int, int]: ...


class Group(NamedTuple):
    """What every job of one group shares: the workspace config (read once per group) and one
    timestamp (formatted once per group, not per request)."""

    config: Config
    now: str

    def context(self, actor: str, progress: Callable[[int, int], None] | None = None) -> Any:
        """The OpContext of a request run in this group."""
        from bd_trio.ops import OpContext

        return OpContext(
            actor=actor,
            prefix=self.config.prefix,
            id_mode=self.config.id_mode,
            claim_lease_s=self.config.claim_lease_s,
            now=self.now,
            progress=progress,
        )


class Job:
    __slots__ = (
        "chunked",
        "deadline",
        "done",
        "error",
        "mark",
        "on_progress",
        "result",
        "run",
        "state",
        "writes",
    )

    def __init__(
        self,
        run: Callable[[Any, Group], Any] | None,
        deadline: float,
        writes: bool = True,
        *,
        chunked: Chunked | None = None,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.run = run  # called with the write connection and the group
        self.deadline = deadline  # trio.current_time() clock: the handler's and the writer's
        self.writes = writes  # counted as a write and schedules an export when it succeeds
        self.done = trio.Event()
        self.state = JobState.QUEUED
        self.result: Any = None
        self.error: BdError | None = None
        self.chunked = chunked  # instead of `run`: a chunk per group until done
        self.mark: Any = None  # where the chunked work stood when its group began
        self.on_progress = on_progress  # event loop: (done, total) for progress frames


class JobStates:
    """The one place a job changes state (event loop only)."""

    @staticmethod
    def _move(job: Job, to: JobState) -> None:
        if to not in TRANSITIONS[job.state]:
            raise IllegalTransition(f"a job cannot go from {job.state.value} to {to.value}")
        job.state = to

    def take_or_skip(self, job: Job, now: float) -> bool:
        """Writer task: True when the job is to run now; False when its deadline passed or its
        handler gave up (it is then never applied). A continuing job is always taken."""
        if job.state is JobState.ABANDONED:  # its handler gave up while it was queued
            return False
        if job.state is JobState.QUEUED and now >= job.deadline:
            self._move(job, JobState.ABANDONED)
            return False
        self._move(job, JobState.TAKEN)
        return True

    def requeue(self, job: Job) -> None:
        """Writer task: a chunked job with more to do goes back in line."""
        self._move(job, JobState.CONTINUING)

    def abandon(self, job: Job) -> bool:
        """Handler: give up on a job not taken yet; False when the writer already took it (or
        it was skipped already)."""
        if job.state is not JobState.QUEUED:
            return False
        self._move(job, JobState.ABANDONED)
        return True

    def finish(self, job: Job) -> None:
        self._move(job, JobState.DONE)
