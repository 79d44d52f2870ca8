"""Sync for a fleet: the backoff on an injected clock, a sync that keeps being rejected until
its deadline, many clones racing one bare remote, a `bd sync` killed at every git command it
runs, and the daemon's automatic syncs adapting to a crowded remote. Real git, real `bd`
processes, real daemons."""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bd_trio.sync.backoff import Backoff
from conftest import BdRunner, run_bd_process
from test_sync import Clone, assert_converged, clone, env, git

# the fixture: a bare remote with bd set up (re-exported, so pytest finds it here)
from test_sync import remote as remote

KILLGIT = Path(__file__).with_name("killgit")


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.slept.append(seconds)
        self.now += seconds


# --- the backoff, on an injected clock ---------------------------------------------------------


def test_backoff_waits_are_jittered_below_a_doubling_ceiling() -> None:
    clock = FakeClock()
    backoff = Backoff(
        timeout_s=1e6, first_s=0.2, cap_s=4.0, clock=clock, sleep=clock.sleep,
        rng=random.Random(1),
    )  # fmt: skip
    ceilings = []
    for _ in range(12):
        ceilings.append(backoff.ceiling())
        assert backoff.wait()
    assert ceilings[:6] == [0.2, 0.4, 0.8, 1.6, 3.2, 4.0] and set(ceilings[5:]) == {4.0}
    for waited, ceiling in zip(clock.slept, ceilings, strict=True):
        assert 0 <= waited <= ceiling
    assert len(set(clock.slept)) == len(clock.slept)  # jittered: no two waits alike
    other = FakeClock()
    second = Backoff(
        timeout_s=1e6, clock=other, sleep=other.sleep, rng=random.Random(2)
    )  # another clone draws other waits: racers fall out of step
    for _ in range(12):
        second.wait()
    assert other.slept != clock.slept


def test_backoff_stops_at_the_deadline_and_never_sleeps_past_it() -> None:
    clock = FakeClock()
    backoff = Backoff(timeout_s=10.0, clock=clock, sleep=clock.sleep, rng=random.Random(5))
    waits = 0
    while backoff.wait():
        waits += 1
        assert clock.now <= backoff.deadline
    assert clock.now <= backoff.deadline and backoff.elapsed() <= 10.0
    assert waits > 3
    assert not backoff.wait()  # past the deadline: no more attempts, no sleep
    assert backoff.elapsed() == pytest.approx(clock.now - 1000.0)


def test_a_push_rejected_until_the_deadline_says_what_is_kept_locally(remote: Path) -> None:
    """A remote that declines every push (a pre-receive hook): the sync retries on the
    injected clock until its deadline, then says what is committed locally."""
    from bd_trio.errors import BdError
    from bd_trio.store import Store
    from bd_trio.sync.gitsync import SyncEngine
    from bd_trio.sync.syncdb import StoreSyncDatabase
    from bd_trio.workspace import discover

    a = clone(remote, "a")
    a.create("waits locally")
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho busy >&2\nexit 1\n")
    hook.chmod(0o755)
    clock = FakeClock()
    workspace = discover(cwd=a.path)
    store = Store(workspace.db_path)
    try:
        engine = SyncEngine(
            a.path,
            workspace.beads_dir,
            StoreSyncDatabase(store, workspace, workspace.load_config(), "a"),
            backoff=lambda t: Backoff(t, clock=clock, sleep=clock.sleep, rng=random.Random(3)),
        )
        with pytest.raises(BdError) as caught:
            engine.run("sync", timeout_s=20.0)
    finally:
        store.close()
    message = caught.value.message
    assert "still rejected" in message and "committed locally" in message
    assert "the next bd sync pushes them" in message and "--timeout" in message
    assert caught.value.details["attempts"] == len(clock.slept) + 1 > 3
    assert clock.now - 1000.0 <= 20.0
    assert "waits locally" in git(a.path, "show", "HEAD:.beads/issues.jsonl")
    hook.unlink()
    assert a.sync().json()["pushed"]


# --- a killed sync leaves nothing behind -------------------------------------------------------


def _leftovers(path: Path) -> list[str]:
    found = [p.name for p in path.glob(".merge_file_*")]
    found += [str(p.relative_to(path)) for p in (path / ".git").rglob("*.lock")]
    found += [p.name for p in (path / ".beads").glob(".*.tmp")]
    return found


def _killed_sync(a: Clone, kill_at: int, counter: Path) -> subprocess.CompletedProcess[str]:
    """`bd sync` in its own process group, SIGKILLed (the whole group) at its kill_at-th git
    command (tests/killgit/git)."""
    counter.unlink(missing_ok=True)
    extra = {
        "PATH": f"{KILLGIT}{os.pathsep}{os.environ['PATH']}",
        "BD_REAL_GIT": str(shutil.which("git")),
        "BD_KILL_AT": str(kill_at),
        "BD_KILL_COUNTER": str(counter),
        "BD_KILL_REPO": str(a.path),
        "BD_NO_DAEMON": "1",
    }
    return subprocess.run(
        [sys.executable, "-m", "bd_trio", "sync", "--json", "--actor", a.actor],
        cwd=a.path, env=env(**extra), capture_output=True, text=True, timeout=120,
        start_new_session=True,
    )  # fmt: skip


def test_a_sync_killed_at_any_git_command_leaves_nothing_behind(remote: Path) -> None:
    a, b = clone(remote, "a"), clone(remote, "b")
    counter = a.path.parent / "git-count"
    b.create("b first")
    b.sync()
    a.create("a first")
    assert _killed_sync(a, 10_000, counter).returncode == 0  # a merging sync: count its steps
    steps = int(counter.read_text())
    assert steps > 15
    left_behind: set[str] = set()
    for point in range(1, steps + 1):
        b.create(f"b {point}")
        b.sync()  # the remote moves on: a's sync merges (driver, push, branch move, import)
        a.create(f"a {point}")
        killed = _killed_sync(a, point, counter)
        assert killed.returncode == -signal.SIGKILL, (point, killed.stderr)
        left_behind.update(
            "merge temporaries" if name.startswith(".merge_file_") else name
            for name in _leftovers(a.path)
        )
        summary = a.sync().json()  # the next sync succeeds ...
        assert summary["pushed"], (point, summary)
        assert _leftovers(a.path) == [], (point, summary["steps"])  # ... and cleans up
        assert git(a.path, "status", "--porcelain") == "", point
        on_remote = git(remote, "show", "HEAD:.beads/issues.jsonl")
        assert f'"a {point}"' in on_remote and f'"b {point}"' in on_remote, point
    # The kills did leave git's temporaries of the merge driver (and, timing permitting, its
    # locks) for the next sync to clean up.
    assert "merge temporaries" in left_behind, left_behind
    b.sync()
    assert_converged(a, b)
    titles = [i["title"] for i in a.issues()]
    assert len(titles) == len(set(titles)) == 2 * steps + 2


def test_a_lock_held_by_a_live_git_is_left_alone(remote: Path) -> None:
    """After a killed sync, an index.lock that a running git process works under is not
    ours to remove: the sync leaves it and says so."""
    from bd_trio.sync.recovery import JOURNAL

    a = clone(remote, "a")
    a.create("one")
    a.sync()
    journal = a.path / ".git" / JOURNAL
    journal.write_text(json.dumps({"pid": 999_999_999, "started": 0}))  # a dead sync's record
    (a.path / ".git" / "index.lock").write_text("")
    # a user's git, busy in this repository (waits on its stdin)
    user_git = subprocess.Popen(
        ["git", "hash-object", "--stdin"], cwd=a.path, stdin=subprocess.PIPE, text=True
    )
    try:
        failed = a.sync(ok=False)
        assert failed.exit_code == 1
        assert (a.path / ".git" / "index.lock").exists()
    finally:
        user_git.communicate("x")
    journal.write_text(json.dumps({"pid": 999_999_999, "started": 0}))
    done = a.sync().json()
    assert any("removed .git/index.lock" in step for step in done["steps"])
    assert not (a.path / ".git" / "index.lock").exists()


# --- many clones racing one remote -------------------------------------------------------------


def test_twelve_clones_racing_one_remote_all_get_through(tmp_path: Path) -> None:
    """12 clones (6 with an auto-syncing daemon) create, update and `bd sync` at the same
    time, twice each: no sync fails, and afterwards every clone holds the same issues.jsonl
    with every issue exactly once."""
    from bd_trio.devtools.fleet import Fleet

    fleet = Fleet.create(tmp_path / "fleet", 12, daemons=6)
    try:
        results = fleet.race(rounds=2)
        failed = [r for r in results if not r["ok"]]
        assert failed == [] and len(results) == 24
        assert sum(r["rejected"] for r in results) > 0  # they did race
        _, passes, final = fleet.converge()
        assert [r for r in final if not r["ok"]] == []
        assert fleet.identical(), passes
        check = fleet.check(rounds=2)
        assert check["exactly_once"], check["problems"]
        status = run_bd_process(fleet.clones[0], "daemon", "status", "--json", env=env()).ok()
        sync = status.json()["sync"]
        assert sync["attempts"] >= sync["syncs"] >= 1 and sync["last_sync_error"] is None
        human = run_bd_process(fleet.clones[0], "daemon", "status", env=env()).ok().stdout
        assert "Auto-sync: every" in human and "pushes rejected" in human
        assert sync["interval_s"] >= sync["configured_interval_s"] == 6.0  # 0.5 s per clone
    finally:
        fleet.stop()


# --- the daemon's automatic syncs adapt to the remote --------------------------------------


def test_the_auto_sync_interval_grows_under_rejection_and_comes_back() -> None:
    from bd_trio.daemon.autosync import MAX_CROWDED_FACTOR, SyncStatus

    status = SyncStatus()
    status.configured_s = status.interval_s = 10.0
    assert status.after_sync(attempts=3, rejected=2) == 30.0
    assert status.after_sync(attempts=5, rejected=4) == 10.0 * MAX_CROWDED_FACTOR  # capped
    assert status.after_sync(attempts=1, rejected=0) == 40.0  # through at once: halved
    assert status.after_sync(attempts=1, rejected=0) == 20.0
    assert status.after_sync(attempts=1, rejected=0) == 10.0
    assert status.after_sync(attempts=1, rejected=0) == 10.0  # never below the configured
    shown = status.to_dict()
    assert shown["attempts"] == 12 and shown["rejections"] == 6 and shown["syncs"] == 6
    assert shown["interval_s"] == 10.0


# --- a full disk ---------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path):  # type: ignore[no-untyped-def]
    """A 4 MiB tmpfs mounted for the test (needs root; skipped where mounting is refused)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)],
        capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr!r}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path) -> Path:
    """Fill the disk to its last block (unbuffered writes, smaller and smaller)."""
    filler = disk / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)
    return filler


@pytest.mark.parametrize("mode", ["direct", "daemon"])
def test_a_full_disk_refuses_writes_loses_nothing_and_sync_recovers(
    remote: Path, small_disk: Path, mode: str
) -> None:
    work = small_disk / "work"
    git(small_disk, "clone", "-q", str(remote), str(work))
    via = env(BD_REQUIRE_DAEMON="1") if mode == "daemon" else env(BD_NO_DAEMON="1")

    def bd(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bd_trio", *args], cwd=work, env=via, capture_output=True,
            text=True, timeout=120, check=False,
        )  # fmt: skip

    if mode == "daemon":
        run_bd_process(work, "daemon", "start", env=env()).ok()
    try:
        acknowledged = []
        for n in range(3):
            made = bd("create", f"before {n}", "--json")
            assert made.returncode == 0, made.stderr
            acknowledged.append(json.loads(made.stdout)["id"])
        filler = _fill(small_disk)
        refused = []
        for n in range(12):
            made = bd("create", f"full {n} " + "x" * 400, "--json")
            if made.returncode == 0:
                acknowledged.append(json.loads(made.stdout)["id"])
            else:
                assert "Traceback" not in made.stderr
                assert "full" in made.stderr, made.stderr  # says why: the disk is full
                refused.append(made.stderr)
        assert refused, "a full disk refused no write"
        synced = bd("sync")
        assert synced.returncode == 1 and "Traceback" not in synced.stderr
        assert "disk" in synced.stderr and "full" in synced.stderr, synced.stderr
        assert "is lost" in synced.stderr  # and that nothing is
        exported = bd("export", "-o", str(work / "copy.jsonl"))
        assert exported.returncode != 0 or (work / "copy.jsonl").exists()
        assert "Traceback" not in exported.stderr
        filler.unlink()  # space returns
        (work / "copy.jsonl").unlink(missing_ok=True)
        synced = bd("sync", "--json")
        assert synced.returncode == 0, synced.stderr
        assert json.loads(synced.stdout)["pushed"]
        listed = {i["id"] for i in json.loads(bd("list", "--json").stdout)}
        assert set(acknowledged) <= listed  # nothing acknowledged was lost
        on_remote = git(remote, "show", "HEAD:.beads/issues.jsonl")
        assert all(f'"id":"{i}"' in on_remote for i in acknowledged)
        assert _leftovers(work) == []
        assert git(work, "status", "--porcelain") == ""
    finally:
        if mode == "daemon":
            run_bd_process(work, "daemon", "stop", env=env())


def test_the_daemon_gathers_a_burst_of_writes_into_one_commit_and_push(remote: Path) -> None:
    import time

    from bd_trio.client.blocking import BlockingClient
    from bd_trio.daemon.autosync import GATHER_S, QUIET_S
    from bd_trio.workspace import discover

    a = clone(remote, "a")
    run_bd_process(a.path, "daemon", "start", "--auto-sync", "60s", env=env()).ok()
    try:
        before = git(remote, "rev-list", "--count", "HEAD")
        stamps = []
        with BlockingClient(discover(cwd=a.path).socket_path, actor="burst") as client:
            for n in range(30):  # a burst: 30 writes, no pause longer than the quiet time
                client.create(f"burst {n}")
                stamps.append(time.monotonic())
        deadline = time.monotonic() + 30
        status: dict[str, object] = {}
        while time.monotonic() < deadline:
            status = run_bd_process(a.path, "daemon", "status", "--json", env=env()).ok().json()
            if status["sync"]["syncs"] >= 1 and status["sync"]["unpushed_commits"] == 0:
                break
            time.sleep(0.3)
        time.sleep(2.5)  # a second sync would come now if the burst had been split
        status = run_bd_process(a.path, "daemon", "status", "--json", env=env()).ok().json()
    finally:
        run_bd_process(a.path, "daemon", "stop", env=env()).ok()
    sync = status["sync"]
    after = int(git(remote, "rev-list", "--count", "HEAD"))
    assert after - int(before) == sync["syncs"] == sync["attempts"]  # a commit per sync
    assert sync["rejections"] == 0 and sync["interval_s"] == sync["configured_interval_s"] == 60
    gap = max(later - earlier for earlier, later in itertools.pairwise(stamps))
    if gap < QUIET_S / 2 and stamps[-1] - stamps[0] < GATHER_S * 0.8:
        assert sync["syncs"] == 1, sync  # one burst: one commit, one push
    else:  # a loaded machine spread the writes out: still gathered, never one per write
        assert sync["syncs"] <= 5, (sync, gap, stamps[-1] - stamps[0])
    on_remote = git(remote, "show", "HEAD:.beads/issues.jsonl")
    assert all(f'"burst {n}"' in on_remote for n in range(30))


def test_a_pushed_id_never_changes_when_the_file_meets_a_local_issue(remote: Path) -> None:
    """An issue made locally and not exported yet (as when a daemon takes writes while a
    sync moves the file) meets the pulled file, which gives its id to another issue: the
    local issue is renumbered, the pushed one keeps its id, and no issue ends up twice."""
    a, b = clone(remote, "a"), clone(remote, "b")
    local = a.bd("create", "made locally", "--json", "--no-auto-flush").json()["id"]
    pushed = b.create("pushed by b")
    assert local == pushed == "bd-1"
    b.sync()
    git(a.path, "pull", "-q", "--no-rebase", "origin", "HEAD")  # the file: bd-1 is b's
    shown = a.bd("show", "bd-1", "--json").json()[0]
    assert shown["title"] == "pushed by b"  # the pushed id kept its issue
    titles = {i["id"]: i["title"] for i in a.issues()}
    assert sorted(titles.values()) == ["made locally", "pushed by b"]
    a.sync()
    b.sync()
    assert_converged(a, b)
    assert sorted(i["title"] for i in b.issues()) == ["made locally", "pushed by b"]
    assert b.bd("show", "bd-1", "--json").json()[0]["title"] == "pushed by b"


def test_sync_timeout_is_checked_in_both_modes(bd: BdRunner, repo: Path) -> None:
    """`--timeout` takes a duration; a bad one is refused before anything runs (whichever
    backend serves the command)."""
    for bad in ("soon", "0", "-5s"):
        refused = bd("sync", "--timeout", bad)
        assert refused.exit_code in (1, 2) and "timeout" in refused.stderr, refused.stderr
    outside = bd("sync", "--timeout", "5s")  # valid: then the workspace is not a git repository
    assert outside.exit_code == 1 and "not a git repository" in outside.stderr
