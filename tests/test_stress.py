"""Stress tests (`nox -s stress`, marker `stress`): many agents on one daemon. Each test checks
the database afterwards, not just the absence of exceptions, and prints its duration and ops/s.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import trio

from bd_trio.client.blocking import BlockingClient
from bd_trio.daemon.writer import Job
from bd_trio.errors import BdError
from conftest import run_bd_process, subprocess_env
from daemon_helpers import client, make_workspace, rows, running_daemon

pytestmark = pytest.mark.stress


def report(name: str, ops: int, seconds: float, capsys: pytest.CaptureFixture[str]) -> None:
    with capsys.disabled():
        print(f"\n[stress] {name}: {ops} ops in {seconds:.2f} s = {ops / seconds:,.0f} ops/s")


def assert_counter_matches(
    ws_rows: list[tuple[object, ...]], counter: list[tuple[object, ...]], expected: int
) -> None:
    numbers = sorted(int(str(r[0]).split("-")[1]) for r in ws_rows)
    assert numbers == list(range(1, expected + 1))
    assert counter == [(expected,)]


@pytest.mark.trio
async def test_concurrent_agents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """8 agents x 100 creates: all 800 stored, no errors, no id collisions."""
    ws = make_workspace(tmp_path)
    errors: list[BdError] = []
    ids: list[str] = []
    async with running_daemon(ws):

        async def agent(n: int) -> None:
            async with client(ws, actor=f"agent-{n}") as bd:
                for i in range(100):
                    try:
                        ids.append((await bd.create(f"agent {n} issue {i}"))["id"])
                    except BdError as exc:
                        errors.append(exc)

        start = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for n in range(8):
                nursery.start_soon(agent, n)
        elapsed = time.perf_counter() - start
    assert errors == []
    assert len(ids) == 800 and len(set(ids)) == 800
    assert rows(ws, "SELECT COUNT(*), COUNT(DISTINCT id), COUNT(DISTINCT title) FROM issues") == [
        (800, 800, 800)
    ]
    assert_counter_matches(
        rows(ws, "SELECT id FROM issues"), rows(ws, "SELECT last_id FROM issue_counters"), 800
    )
    report("8 agents x 100 creates", 800, elapsed, capsys)


@pytest.mark.trio
async def test_batch_operations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """4 agents x 50 two-create batches; every 5th batch is atomic and fails on purpose."""
    ws = make_workspace(tmp_path)
    committed: list[str] = []
    async with running_daemon(ws):

        async def agent(n: int) -> None:
            async with client(ws) as bd:
                for i in range(50):
                    doomed = i % 5 == 4
                    second = {"title": "" if doomed else f"b {n}-{i}"}
                    result = await bd.batch(
                        [
                            {"op": "create", "args": {"title": f"a {n}-{i}"}},
                            {"op": "create", "args": second},
                        ],
                        atomic=doomed,
                    )
                    if doomed:
                        assert result["rolled_back"] and not result["ok"]
                    else:
                        assert result["ok"] and len(result["results"]) == 2
                        committed.extend(r["data"]["title"] for r in result["results"])

        start = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for n in range(4):
                nursery.start_soon(agent, n)
        elapsed = time.perf_counter() - start
    titles = {r[0] for r in rows(ws, "SELECT title FROM issues")}
    assert titles == set(committed)
    assert len(committed) == 4 * 40 * 2
    assert not any(t.startswith("a ") and t.split(" ")[1].endswith(("-4", "-9")) for t in titles)
    report("4 agents x 50 two-create batches", 200, elapsed, capsys)


@pytest.mark.trio
async def test_mixed_operations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """6 agents x 50 of create/update/show/list/ready, with consistency checks on reads."""
    ws = make_workspace(tmp_path)
    async with running_daemon(ws):
        async with client(ws) as seed:
            blocker = (await seed.create("the blocker", priority=0))["id"]
            blocked = (await seed.create("blocked", dependencies=[f"blocks:{blocker}"]))["id"]

        async def agent(n: int) -> int:
            rng = random.Random(n)
            mine: list[str] = []
            seen_total = 0
            async with client(ws, actor=f"agent-{n}") as bd:
                for i in range(50):
                    action = rng.choice(["create", "update", "show", "list", "ready"])
                    if action == "create" or not mine:
                        mine.append((await bd.create(f"m {n}-{i}"))["id"])
                    elif action == "update":
                        target = rng.choice(mine)
                        updated = await bd.update(target, notes=f"note {i}")
                        assert updated["notes"] == f"note {i}"
                        shown = await bd.show(target)  # read-your-writes
                        assert shown["notes"] == f"note {i}"
                    elif action == "show":
                        assert (await bd.show(rng.choice(mine)))["id"] in mine
                    elif action == "list":
                        total = len(await bd.list_issues())
                        assert total >= seen_total  # nothing is ever lost
                        seen_total = total
                    else:
                        ready = {i["id"] for i in await bd.ready(limit=0)}
                        assert blocked not in ready and blocker in ready
            return len(mine)

        created = []
        start = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for n in range(6):
                nursery.start_soon(lambda n=n: _collect(agent(n), created))
        elapsed = time.perf_counter() - start
    assert rows(ws, "SELECT COUNT(*) FROM issues") == [(2 + sum(created),)]
    report("6 agents x 50 mixed", 300, elapsed, capsys)


async def _collect(coro: object, sink: list[int]) -> None:
    sink.append(await coro)  # type: ignore[misc]


@pytest.mark.trio
async def test_timeouts_configuration_and_enforcement(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Requests with tiny deadlines under write load: each is either applied and acknowledged,
    or answered `timeout` and never applied. A staller holds the writer for a few ms now and
    then (a real job in the database thread), so timeouts happen however fast the machine."""
    ws = make_workspace(tmp_path)
    outcomes: dict[str, str] = {}
    async with running_daemon(ws) as server:
        async with client(ws) as probe:
            assert probe.timeout == 30.0  # the default
            probe.set_timeout(0.25)
            assert probe.timeout == 0.25
            with pytest.raises(ValueError):
                probe.set_timeout(0)

        async def writer(n: int) -> None:
            async with client(ws) as bd:
                for i in range(60):
                    await bd.create(f"load {n}-{i}", description="x" * 2000)

        async def hurried(n: int) -> None:
            async with client(ws) as bd:
                bd.set_timeout(0.001 * (1 + n % 3))
                for i in range(40):
                    title = f"hurried {n}-{i}"
                    try:
                        await bd.create(title)
                        outcomes[title] = "ok"
                    except BdError as exc:
                        assert exc.code == "timeout", exc
                        outcomes[title] = "timeout"

        def stall(conn: object, config: object) -> None:
            time.sleep(0.005)

        async def staller(done: trio.Event) -> None:
            while not done.is_set():
                job = Job(run=stall, deadline=trio.current_time() + 30, writes=False)
                await server.writer.call(job)
                await trio.sleep(0.01)

        start = time.perf_counter()
        hurried_done = trio.Event()
        async with trio.open_nursery() as nursery:
            nursery.start_soon(staller, hurried_done)
            async with trio.open_nursery() as agents:
                for n in range(4):
                    agents.start_soon(writer, n)
                for n in range(4):
                    agents.start_soon(hurried, n)
            hurried_done.set()
        elapsed = time.perf_counter() - start
    stored = {r[0] for r in rows(ws, "SELECT title FROM issues WHERE title LIKE 'hurried %'")}
    applied = {t for t, o in outcomes.items() if o == "ok"}
    timed_out = {t for t, o in outcomes.items() if o == "timeout"}
    assert stored == applied
    assert not stored & timed_out
    assert timed_out, "the load did not produce any timeout; the test proves nothing"
    with capsys.disabled():
        print(
            f"\n[stress] timeouts: {len(applied)} applied, {len(timed_out)} timed out "
            f"(none stored) in {elapsed:.2f} s"
        )


@pytest.mark.trio
async def test_no_unique_violations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """10 agents x 100 creates: 1000 distinct ids and the counter equals the highest id."""
    ws = make_workspace(tmp_path)
    async with running_daemon(ws):

        async def agent(n: int) -> None:
            async with client(ws) as bd:
                for i in range(100):
                    await bd.create(f"u {n}-{i}")

        start = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for n in range(10):
                nursery.start_soon(agent, n)
        elapsed = time.perf_counter() - start
    assert rows(ws, "SELECT COUNT(DISTINCT id) FROM issues") == [(1000,)]
    assert_counter_matches(
        rows(ws, "SELECT id FROM issues"), rows(ws, "SELECT last_id FROM issue_counters"), 1000
    )
    report("10 agents x 100 creates", 1000, elapsed, capsys)


# --- real processes -----------------------------------------------------------------------


@pytest.fixture
def daemon_process(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "repo"
    root.mkdir()
    run_bd_process(root, "init", "--prefix", "bd", "-q").ok()
    run_bd_process(root, "daemon", "start").ok()
    yield root
    run_bd_process(root, "daemon", "stop")


CLI_WORKER = """
import subprocess, sys
bad = 0
for i in range(int(sys.argv[2])):
    p = subprocess.run([sys.executable, "-m", "bd_trio", "create", f"cli {sys.argv[1]}-{i}",
                        "--json"], capture_output=True, text=True)
    if p.returncode:
        bad += 1
        sys.stderr.write(p.stderr)
print(bad)
"""


def test_cli_processes_against_one_daemon(
    daemon_process: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = subprocess_env(BD_REQUIRE_DAEMON="1")
    start = time.perf_counter()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", CLI_WORKER, str(n), "25"],
            cwd=daemon_process,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    results = [w.communicate(timeout=300) for w in workers]
    elapsed = time.perf_counter() - start
    assert [int(out) for out, _ in results] == [0] * 8, "".join(e for _, e in results)
    listed = run_bd_process(daemon_process, "list", "--json", env=env).ok().json()
    assert len(listed) == 200 and len({i["id"] for i in listed}) == 200
    report("8 CLI processes x 25 creates", 200, elapsed, capsys)


def test_sigkill_loses_no_acknowledged_write(
    daemon_process: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    socket_path = daemon_process / ".beads" / "bd.sock"
    health = run_bd_process(daemon_process, "daemon", "status", "--json").ok().json()
    acked: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def agent(n: int) -> None:
        with BlockingClient(socket_path, actor=f"k{n}") as bd:
            i = 0
            while not stop.is_set():
                try:
                    issue = bd.create(f"kill test {n}-{i}")
                except BdError:
                    return  # the daemon died under us: this write was not acknowledged
                with lock:
                    acked.append(issue["id"])
                i += 1

    threads = [threading.Thread(target=agent, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    os.kill(health["pid"], signal.SIGKILL)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)
    assert len(acked) > 20, "too few writes before the kill to prove anything"
    run_bd_process(daemon_process, "daemon", "start").ok()
    env = subprocess_env(BD_REQUIRE_DAEMON="1")
    stored = {
        i["id"] for i in run_bd_process(daemon_process, "list", "--json", env=env).ok().json()
    }
    assert set(acked) <= stored
    with capsys.disabled():
        print(
            f"\n[stress] SIGKILL: {len(acked)} acknowledged writes, all present after "
            f"restart ({len(stored)} stored)"
        )


@pytest.mark.trio
async def test_claims_drained_by_daemon_agents_and_direct_processes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """16 agents through the daemon and 4 direct-mode `bd` processes drain 1,000 issues with
    `ready --claim` at the same time: every issue claimed exactly once, zero errors."""
    from racing import race

    ws = make_workspace(tmp_path)
    told: dict[str, list[str]] = {}
    errors: list[BaseException] = []
    async with running_daemon(ws):
        async with client(ws) as seed:
            for start in range(0, 1000, 250):
                await seed.batch(
                    [
                        {"op": "create", "args": {"title": f"work {n}"}}
                        for n in range(start, start + 250)
                    ]
                )

        async def agent(n: int) -> None:
            async with client(ws, actor=f"agent-{n}") as bd:
                while True:
                    try:
                        got = await bd.ready(claim=True)
                    except BdError as exc:
                        errors.append(exc)
                        return
                    if not got:
                        return
                    told.setdefault(got[0]["id"], []).append(f"agent-{n}")

        direct = [
            (
                [
                    "--until-empty",
                    "ready",
                    "--claim",
                    "--json",
                    "--no-daemon",
                    "--actor",
                    f"direct-{k}",
                ],
                subprocess_env(),
            )
            for k in range(4)
        ]
        started = time.perf_counter()
        async with trio.open_nursery() as nursery:
            for n in range(16):
                nursery.start_soon(agent, n)
            runs = await trio.to_thread.run_sync(race, ws.root, direct)
        elapsed = time.perf_counter() - started
    for k, run in enumerate(runs):
        assert run.exit_code == 0, run.stderr
        for line in run.stdout.splitlines():
            for issue in json.loads(line):
                told.setdefault(issue["id"], []).append(f"direct-{k}")
    assert errors == []
    assert len(told) == 1000 and all(len(who) == 1 for who in told.values())
    stored = dict(rows(ws, "SELECT id, assignee FROM issues WHERE status = 'in_progress'"))
    assert stored == {issue_id: who[0] for issue_id, who in told.items()}
    assert rows(ws, "SELECT COUNT(*) FROM claims") == [(1000,)]
    by_direct = sum(1 for who in told.values() if who[0].startswith("direct"))
    report(
        f"16 daemon agents + 4 direct processes claim 1,000 ({by_direct} direct)",
        1000,
        elapsed,
        capsys,
    )
