"""Waiting for work and the feed of changes, in both modes, with real processes.

`bd ready --wait` and `bd watch` run as real subprocesses; the changes that wake them are made
by other `bd` processes or in-process commands. Where the test needs to know that a waiter is
waiting (not merely that it answered), it reads the daemon's health (`waiting`), a real
signal, instead of sleeping.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trio

from bd_trio.client.connection import BlockingConnection
from bd_trio.daemon.changes import Changes
from bd_trio.daemon.feeds import CutOff, stream_changes
from bd_trio.errors import BdError
from conftest import BdRunner, DaemonThread, subprocess_env


def spawn(repo: Path, daemon: DaemonThread | None, *args: str) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "bd_trio", *args]
    if daemon is None:
        argv.append("--no-daemon")
    env = subprocess_env(BD_REQUIRE_DAEMON="1") if daemon is not None else subprocess_env()
    return subprocess.Popen(
        argv, cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def until_waiting(daemon: DaemonThread | None, count: int = 1) -> None:
    """Daemon: return once `count` requests wait for a change. Direct mode has no such
    signal, and needs none: a change made before the waiter looks is found by its first run."""
    if daemon is None:
        return
    deadline = time.monotonic() + 30
    with daemon.client() as client:
        while client.health()["waiting"] < count:
            assert time.monotonic() < deadline, "the waiter never started waiting"
            time.sleep(0.005)


def finish(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_ready_wait_times_out_with_empty_list(bd: BdRunner) -> None:
    started = time.monotonic()
    assert bd("ready", "--wait", "300ms", "--json").ok().json() == []
    assert time.monotonic() - started >= 0.3
    assert bd("ready", "--claim", "--wait", "0", "--json").ok().json() == []
    bad = bd("ready", "--wait", "soon")
    assert bad.exit_code == 1 and "invalid --wait 'soon'" in bad.stderr


def test_ready_wait_answers_at_once_when_work_is_there(bd: BdRunner) -> None:
    bd("create", "there already").ok()
    started = time.monotonic()
    assert [i["title"] for i in bd("ready", "--wait", "30s", "--json").ok().json()] == [
        "there already"
    ]
    assert time.monotonic() - started < 10


def test_claim_waiter_is_woken_by_a_create(
    repo: Path, daemon: DaemonThread | None, bd: BdRunner
) -> None:
    waiter = spawn(repo, daemon, "ready", "--claim", "--wait", "60s", "--json")
    until_waiting(daemon)
    bd("create", "new work").ok()
    code, out, err = finish(waiter)
    assert code == 0, err
    claimed = json.loads(out)
    assert [i["title"] for i in claimed] == ["new work"]
    assert claimed[0]["status"] == "in_progress" and claimed[0]["claim"]["holder"] == "tester"


def test_waiter_is_woken_when_a_blocker_closes_and_filters_apply(
    repo: Path, daemon: DaemonThread | None, bd: BdRunner
) -> None:
    bd("create", "blocker").ok()
    bd("create", "blocked", "-l", "backend", "--deps", "bd-1").ok()
    bd("update", "bd-1", "--status", "in_progress").ok()  # nothing ready now
    waiter = spawn(repo, daemon, "ready", "--label", "backend", "--wait", "60s", "--json")
    until_waiting(daemon)
    bd("create", "ready but not backend").ok()  # wakes it; the filter keeps it waiting
    bd("close", "bd-1").ok()
    code, out, err = finish(waiter)
    assert code == 0, err
    assert [i["id"] for i in json.loads(out)] == ["bd-2"]


def test_claim_waiter_is_woken_by_a_release(
    repo: Path, daemon: DaemonThread | None, bd: BdRunner
) -> None:
    bd("create", "taken").ok()
    bd("ready", "--claim", "--json", "--actor", "first").ok()
    waiter = spawn(repo, daemon, "ready", "--claim", "--wait", "60s", "--json")
    until_waiting(daemon)
    bd("update", "bd-1", "--unclaim", "--actor", "first").ok()
    code, out, err = finish(waiter)
    assert code == 0, err
    assert [i["id"] for i in json.loads(out)] == ["bd-1"]


def test_claim_waiter_is_woken_by_an_expired_lease(
    repo: Path, daemon: DaemonThread | None, bd: BdRunner
) -> None:
    """The daemon's sweeper expires the lease through the writer (a commit wakes the waiter);
    direct mode wakes at the lease's due time by itself."""
    bd("create", "leased").ok()
    bd("ready", "--claim", "--lease", "1s", "--json", "--actor", "first").ok()
    waiter = spawn(repo, daemon, "ready", "--claim", "--wait", "60s", "--json")
    code, out, err = finish(waiter)
    assert code == 0, err
    assert [(i["id"], i["claim"]["holder"]) for i in json.loads(out)] == [("bd-1", "tester")]


def test_each_issue_goes_to_exactly_one_waiter(
    repo: Path, daemon: DaemonThread | None, bd: BdRunner
) -> None:
    waiters = [spawn(repo, daemon, "ready", "--claim", "--wait", "60s", "--json") for _ in range(4)]
    until_waiting(daemon, 4)
    for n in range(4):
        bd("create", f"job {n}").ok()
    got = []
    for waiter in waiters:
        code, out, err = finish(waiter)
        assert code == 0, err
        got.extend(i["id"] for i in json.loads(out))
    assert sorted(got) == ["bd-1", "bd-2", "bd-3", "bd-4"]


def test_watch_once_replays_and_resumes_without_gaps_or_repeats(bd: BdRunner) -> None:
    bd("create", "a").ok()
    bd("label", "add", "bd-1", "x").ok()
    bd("update", "bd-1", "--priority", "0").ok()
    bd("close", "bd-1").ok()
    lines = bd("watch", "--since", "0", "--once", "--json").ok().stdout.splitlines()
    changes = [json.loads(line) for line in lines]
    assert [c["event"] for c in changes] == ["created", "labeled", "updated", "closed"]
    assert [c["cursor"] for c in changes] == sorted({c["cursor"] for c in changes})
    assert changes[2]["field"] == "priority" and changes[2]["new"] == "0"
    assert all(c["id"] == "bd-1" and c["actor"] == "tester" and c["at"] for c in changes)
    bd("reopen", "bd-1").ok()
    later = bd("watch", "--since", str(changes[1]["cursor"]), "--once", "--json").ok()
    assert [json.loads(line)["event"] for line in later.stdout.splitlines()] == [
        "updated",
        "closed",
        "reopened",
    ]
    human = bd("watch", "--since", "0", "--once").ok().stdout
    assert "bd-1 created by tester" in human


def test_watch_once_waits_for_the_next_change(
    repo: Path, daemon: DaemonThread | None, bd: BdRunner
) -> None:
    bd("create", "before").ok()
    watcher = spawn(repo, daemon, "watch", "--once", "--json")
    until_waiting(daemon)
    if daemon is None:  # direct mode: its "now" is its first look; wait for it to look
        deadline = time.monotonic() + 30
        while watcher.poll() is None and time.monotonic() < deadline:
            bd("comments", "add", "bd-1", "ping").ok()
            time.sleep(0.2)
    else:
        bd("create", "after").ok()
    code, out, err = finish(watcher)
    assert code == 0, err
    changes = [json.loads(line) for line in out.splitlines()]
    assert changes and all(c["cursor"] > 1 for c in changes)


def test_events_op_forms_and_errors(bd: BdRunner, daemon: DaemonThread | None) -> None:
    bd("create", "a").ok()
    if daemon is None:
        return
    with daemon.client() as client:
        assert client.call("events", {"id": "bd-1"})[0]["event_type"] == "created"
        assert client.call("events", {"since": 0})[0]["cursor"] == 1
        assert client.call("events", {"since": 1, "wait_ms": 50}) == []
        with pytest.raises(BdError) as info:
            client.call("events", {"id": "bd-1", "since": 0})
        assert info.value.code == "validation"
        with pytest.raises(BdError) as info:
            client.call("events", {"since": 0, "wait_ms": "soon"})
        assert info.value.code == "bad_request" and "wait_ms" in info.value.message


def test_watch_stream_resumes_after_disconnect_and_restart(repo: Path, bd_direct: BdRunner) -> None:
    daemon = DaemonThread(repo).start()
    try:
        with daemon.client() as client:
            for n in range(5):
                client.call("create", {"title": f"i{n}"})
        stream = BlockingConnection(daemon.workspace.socket_path).watch(since=0)
        seen = [next(stream)["cursor"] for _ in range(3)]
        stream.close()  # disconnect mid-feed
        with daemon.client() as client:
            client.call("create", {"title": "while away"})
    finally:
        daemon.stop()
    bd_direct("create", "while no daemon ran").ok()
    daemon = DaemonThread(repo).start()
    try:
        resumed = BlockingConnection(daemon.workspace.socket_path).watch(since=seen[-1])
        rest = [next(resumed)["cursor"] for _ in range(4)]
        resumed.close()
    finally:
        daemon.stop()
    assert seen + rest == list(range(1, 8))


@pytest.mark.trio
async def test_slow_subscriber_is_cut_off_and_never_slows_the_publisher() -> None:
    changes = Changes()
    log = [{"cursor": n} for n in range(1, 101)]

    async def read(since: int, limit: int) -> list[dict[str, int]]:
        return [c for c in log if c["cursor"] > since][:limit]

    send, receive = trio.open_memory_channel[object](0)  # nobody reads: the send blocks

    async def publisher() -> None:
        for n in range(101, 1101):  # a thousand commits while the subscriber is stuck
            log.append({"cursor": n})
            changes.publish(n)
        published.set()

    published = trio.Event()
    async with trio.open_nursery() as nursery:
        nursery.start_soon(publisher)
        with pytest.raises(CutOff):
            await stream_changes(changes, read, 0, send.send, lambda: False, slow_after_s=0.05)
    assert published.is_set() and changes.cursor == 1100
    receive.close()


def test_claim_with_ready_filters_and_wait(
    repo: Path, daemon: DaemonThread | None, bd: BdRunner
) -> None:
    bd("create", "a bug", "-t", "bug").ok()
    waiter = spawn(
        repo, daemon, "ready", "--claim", "-t", "feature", "-l", "ui", "--wait", "60s", "--json"
    )
    until_waiting(daemon)
    bd("create", "a feature, not ui", "-t", "feature").ok()
    bd("create", "the one", "-t", "feature", "-l", "ui").ok()
    code, out, err = finish(waiter)
    assert code == 0, err
    assert [i["title"] for i in json.loads(out)] == ["the one"]
    assert bd("show", "bd-1", "--json").ok().json()[0]["status"] == "open"


def test_illegal_job_transitions_raise() -> None:
    from bd_trio.daemon.jobs import IllegalTransition, Job, JobState, JobStates

    async def main() -> None:
        states = JobStates()
        job = Job(run=None, deadline=trio.current_time() + 10)
        with pytest.raises(IllegalTransition, match="from queued to done"):
            states.finish(job)
        assert states.take_or_skip(job, trio.current_time())
        assert not states.abandon(job)  # taken: the handler waits for the real outcome
        states.finish(job)
        assert job.state is JobState.DONE
        with pytest.raises(IllegalTransition):
            states.requeue(job)
        late = Job(run=None, deadline=trio.current_time() - 1)
        assert not states.take_or_skip(late, trio.current_time())
        assert late.state is JobState.ABANDONED

    trio.run(main)


def test_work_assigned_to_a_waiter_further_down_the_line_reaches_it(
    repo: Path, daemon: DaemonThread | None, bd: BdRunner
) -> None:
    bob = spawn(repo, daemon, "ready", "--claim", "--wait", "60s", "--json", "--actor", "bob")
    until_waiting(daemon, 1)  # bob stands first in the line
    alice = spawn(repo, daemon, "ready", "--claim", "--wait", "60s", "--json", "--actor", "alice")
    until_waiting(daemon, 2)
    bd("create", "for alice", "-a", "alice").ok()
    code, out, err = finish(alice)
    assert code == 0, err
    assert [i["title"] for i in json.loads(out)] == ["for alice"]
    bd("create", "for anyone").ok()
    code, out, err = finish(bob)
    assert code == 0, err
    assert [i["title"] for i in json.loads(out)] == ["for anyone"]


@pytest.mark.trio
async def test_async_client_watch_and_ready_wait(repo: Path, bd_direct: BdRunner) -> None:
    from bd_trio.client.asyncclient import AsyncClient

    daemon = await trio.to_thread.run_sync(DaemonThread(repo).start)
    try:
        async with AsyncClient(daemon.workspace.socket_path, actor="tester") as client:
            assert await client.ready(claim=True, wait=0.05) == []
            for n in range(3):
                await client.create(f"i{n}")
            seen = []
            async for change in AsyncClient(daemon.workspace.socket_path).watch(since=0):
                seen.append((change["cursor"], change["event"]))
                if len(seen) == 3:
                    break
            assert seen == [(1, "created"), (2, "created"), (3, "created")]
            claimed = await client.ready(claim=True, wait=5)
            assert [i["id"] for i in claimed] == ["bd-1"]
            assert (await client.cursor())["cursor"] == 4
            assert [c["event"] for c in await client.changes(3)] == ["claimed"]
    finally:
        await trio.to_thread.run_sync(daemon.stop)


def test_ready_wait_outlives_the_daemon_it_started_with(repo: Path, bd_direct: BdRunner) -> None:
    """The daemon stops under a waiting `ready --claim` (nothing claimed): bd opens the
    backend again (here: direct mode) and waits out the rest of the time."""
    daemon = DaemonThread(repo).start()
    waiter = subprocess.Popen(
        [sys.executable, "-m", "bd_trio", "ready", "--claim", "--wait", "60s", "--json"],
        cwd=repo,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        until_waiting(daemon)
    finally:
        daemon.stop()
    bd_direct("create", "after the daemon").ok()
    code, out, err = finish(waiter)
    assert code == 0, err
    assert [i["title"] for i in json.loads(out)] == ["after the daemon"]
    assert "the daemon is stopping before the wait ended" in err
