"""Races between real processes released together (a start barrier, not sequential spawns):
exactly one winner per claim, in direct mode, through the daemon, and both at once."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import DaemonThread, Run, _in_process, subprocess_env
from racing import race

pytestmark = pytest.mark.slow  # real processes, 20 rounds per mode (about 20 s)

MODES = ["direct", "daemon", "mixed"]
RACERS = 8
ROUNDS = 20


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def workspace(repo: Path, mode: str) -> Iterator[Path]:
    """An initialised workspace, with a daemon unless every racer runs in direct mode."""
    _in_process("direct")("init", "--prefix", "bd", "--quiet").ok()
    if mode == "direct":
        yield repo
        return
    daemon = DaemonThread(repo).start()
    yield repo
    daemon.stop()


def racer(mode: str, index: int, argv: list[str]) -> tuple[list[str], dict[str, str]]:
    """Racer `index`'s command line: direct mode (--no-daemon) or the daemon only
    (BD_REQUIRE_DAEMON: no silent fallback); in mixed mode, every other racer is direct."""
    direct = mode == "direct" or (mode == "mixed" and index % 2 == 1)
    if direct:
        return [*argv, "--no-daemon"], subprocess_env()
    return argv, subprocess_env(BD_REQUIRE_DAEMON="1")


def local(*args: str) -> Run:
    """A check from the test itself (direct mode reads the same database)."""
    return _in_process("direct")(*args, "--no-auto-flush")


def test_eight_processes_race_for_one_issue(
    workspace: Path, mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    winners: list[int] = []
    for round_no in range(ROUNDS):
        issue_id = local("create", f"round {round_no}", "--json").ok().json()["id"]
        runs = race(
            workspace,
            [
                racer(mode, k, ["update", issue_id, "--claim", "--json", "--actor", f"w{k}"])
                for k in range(RACERS)
            ],
        )
        won = [k for k, run in enumerate(runs) if run.exit_code == 0]
        assert len(won) == 1, [(r.exit_code, r.stderr) for r in runs]
        winner = won[0]
        winners.append(winner)
        assert runs[winner].json()[0]["claim"]["holder"] == f"w{winner}"
        for k, run in enumerate(runs):
            if k != winner:
                assert run.exit_code == 1
                assert f"{issue_id} is claimed by w{winner} until" in run.stderr, run.stderr
        stored = local("show", issue_id, "--json").ok().json()[0]
        assert stored["assignee"] == f"w{winner}" and stored["claim"]["holder"] == f"w{winner}"
    with capsys.disabled():
        print(
            f"\n[race] {mode}: {ROUNDS} rounds x {RACERS} racers, one winner each; winners "
            f"{''.join(str(w) for w in winners)}"
        )


def test_workers_drain_ready_claim_exactly_once(
    workspace: Path, mode: str, capsys: pytest.CaptureFixture[str]
) -> None:
    blockers = [local("create", f"blocker {n}", "--json").ok().json()["id"] for n in range(8)]
    blocked = [
        local("create", f"blocked {n}", "--deps", blockers[n], "--json").ok().json()["id"]
        for n in range(8)
    ]
    free = [
        local("create", f"free {n}", "-p", str(n % 4), "--json").ok().json()["id"]
        for n in range(24)
    ]
    runs = race(
        workspace,
        [
            racer(mode, k, ["--until-empty", "ready", "--claim", "--json", "--actor", f"w{k}"])
            for k in range(6)
        ],
    )
    told: dict[str, list[str]] = {}
    for k, run in enumerate(runs):
        assert run.exit_code == 0, run.stderr
        for line in run.stdout.splitlines():
            for issue in json.loads(line):
                told.setdefault(issue["id"], []).append(f"w{k}")
    handed_out = Counter(issue_id for issue_id, who in told.items() for _ in who)
    assert set(told) == set(blockers) | set(free)
    assert all(count == 1 for count in handed_out.values()), handed_out
    assert not set(told) & set(blocked)
    stored = {i["id"]: i for i in local("list", "--json").ok().json()}
    for issue_id, (worker,) in told.items():
        assert stored[issue_id]["assignee"] == worker
        assert stored[issue_id]["claim"]["holder"] == worker
    for issue_id in blocked:
        assert stored[issue_id]["status"] == "open" and "claim" not in stored[issue_id]
    per_worker = Counter(w for (w,) in told.values())
    with capsys.disabled():
        print(
            f"\n[drain] {mode}: {len(told)} ready issues, each handed out once; "
            f"per worker {dict(sorted(per_worker.items()))}"
        )
