"""`bd sync` with real git: a bare remote, clones in temporary directories, `bd` run as real
processes (direct mode, and a daemon on one clone), syncs in several orders."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import Run, run_bd_process, subprocess_env

pytestmark = pytest.mark.slow

GIT_ENV = {
    "GIT_AUTHOR_NAME": "tester",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "tester",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def env(**extra: str) -> dict[str, str]:
    return subprocess_env(**GIT_ENV, **extra)


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env(), capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, f"git {args}: {proc.stderr}"
    return proc.stdout


class Clone:
    def __init__(self, path: Path, actor: str) -> None:
        self.path = path
        self.actor = actor

    def bd(self, *args: str, ok: bool = True) -> Run:
        run = run_bd_process(
            self.path, *args, "--no-daemon", "--actor", self.actor, env=env(BD_NO_DAEMON="1")
        )
        if ok:
            run.ok()
        return run

    def create(self, title: str, *flags: str) -> str:
        return str(self.bd("create", title, *flags, "--json").json()["id"])

    def sync(self, ok: bool = True) -> Run:
        return self.bd("sync", "--json", ok=ok)

    def issues(self) -> list[dict[str, object]]:
        return list(self.bd("list", "--json").json())

    def jsonl(self) -> bytes:
        return (self.path / ".beads" / "issues.jsonl").read_bytes()


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    first = tmp_path / "first"
    git(tmp_path, "clone", "-q", str(bare), str(first))
    (first / "README").write_text("project\n")
    git(first, "add", "README")
    git(first, "commit", "-q", "-m", "start")
    git(first, "push", "-q", "origin", "HEAD")
    run_bd_process(first, "init", "--prefix", "bd", "-q", env=env()).ok()
    run_bd_process(first, "sync", env=env()).ok()
    return bare


def clone(remote: Path, name: str) -> Clone:
    path = remote.parent / name
    git(remote.parent, "clone", "-q", str(remote), str(path))
    return Clone(path, name)


def assert_converged(*clones: Clone) -> None:
    files = {c.path.name: c.jsonl() for c in clones}
    assert len(set(files.values())) == 1, files
    lists = [json.dumps(c.issues(), sort_keys=True) for c in clones]
    assert len(set(lists)) == 1


def test_two_clones_exchange_issues_and_converge(remote: Path) -> None:
    a, b = clone(remote, "a"), clone(remote, "b")
    first = a.create("from a")
    a.create("also from a", "-l", "x")
    summary = a.sync().json()
    assert summary["pushed"] and summary["committed"]
    assert b.sync().json()["pulled"] == 2
    assert [i["title"] for i in b.issues()] == ["from a", "also from a"] or len(b.issues()) == 2
    b.bd("update", first, "--notes", "b was here")
    b.create("from b")
    b.sync()
    assert a.sync().json()["pulled"] >= 2
    assert_converged(a, b)
    human = a.bd("sync").stdout
    assert "Sync complete" in human


def test_concurrent_edits_merge_by_field(remote: Path) -> None:
    a, b = clone(remote, "a"), clone(remote, "b")
    issue = a.create("shared", "-p", "2")
    a.sync()
    b.sync()
    a.bd("update", issue, "--title", "title from a")  # different fields
    b.bd("update", issue, "--notes", "notes from b")
    a.bd("label", "add", issue, "from-a")
    b.bd("label", "add", issue, "from-b")
    b.bd("comments", "add", issue, "b's comment")
    a.bd("comments", "add", issue, "a's comment")
    a.bd("update", issue, "-p", "1")  # the same field on both: the side changed last wins
    b.bd("update", issue, "-p", "3")
    a.sync()
    b.sync()
    a.sync()
    assert_converged(a, b)
    merged = a.bd("show", issue, "--json").json()[0]
    assert merged["title"] == "title from a" and merged["notes"] == "notes from b"
    assert merged["priority"] == 3  # b's edit came later
    assert merged["labels"] == ["from-a", "from-b"]
    assert sorted(c["text"] for c in merged["comments"]) == ["a's comment", "b's comment"]


def test_sequential_id_collisions_are_renumbered_with_references(remote: Path) -> None:
    a, b = clone(remote, "a"), clone(remote, "b")
    a_issue = a.create("a's work")
    b_issue = b.create("b's work")
    b_child = b.create(
        "b's child",
        "--deps",
        f"blocks:{b_issue}",
        "-d",
        "follows bd-1 (see bd-1.) but not bd-10 or bd-1.2",
    )
    b.bd("comment", b_child, "waiting on bd-1")
    a_mention = a.create("a's note", "-d", "about a's bd-1")  # a's own bd-1: stays
    assert a_issue == b_issue == "bd-1"
    a.sync()  # a's bd-1 is pushed first: it keeps its id
    summary = b.sync().json()
    assert summary["renumbered"] == {"bd-1": "bd-3", "bd-2": "bd-4"}
    a.sync()
    assert_converged(a, b)
    titles = {i["id"]: i["title"] for i in a.issues()}
    assert titles == {
        "bd-1": "a's work",
        "bd-2": "a's note",
        "bd-3": "b's work",
        "bd-4": "b's child",
    }
    child = a.bd("show", "bd-4", "--json").json()[0]
    assert [d["id"] for d in child["dependencies"]] == ["bd-3"]
    # Mentions in text follow the renumbered issue; other ids and a's own bd-1 do not change.
    assert child["description"] == "follows bd-3 (see bd-3.) but not bd-10 or bd-1.2"
    assert [c["text"] for c in child["comments"]] == ["waiting on bd-3"]
    assert a.bd("show", a_mention, "--json").json()[0]["description"] == "about a's bd-1"


def test_a_deletion_propagates_and_is_not_resurrected(remote: Path) -> None:
    a, b = clone(remote, "a"), clone(remote, "b")
    doomed = a.create("doomed")
    keeper = a.create("keeper", "--deps", doomed)
    a.sync()
    b.sync()
    preview = a.bd("delete", doomed)
    assert "Would delete" in preview.stdout and keeper in preview.stdout
    assert len(a.issues()) == 2  # nothing changed without --force
    a.bd("delete", doomed, "--force")
    b.bd("update", doomed, "--notes", "edited meanwhile")  # a concurrent edit
    a.sync()
    summary = b.sync().json()
    assert summary["deleted"] == 1
    a.sync()
    assert_converged(a, b)
    assert [i["id"] for i in b.issues()] == [keeper]
    assert b.bd("show", doomed, ok=False).exit_code == 1
    # The id is never handed out again.
    again = b.bd("create", "new", "--id", doomed, ok=False)
    assert again.exit_code == 1 and "deleted" in again.stderr


def test_plain_git_pull_merges_issues_jsonl_with_the_driver(remote: Path) -> None:
    a, b = clone(remote, "a"), clone(remote, "b")
    a.create("a1")
    a.sync()
    b.bd("list")  # any bd command registers the driver; b never ran bd init
    config = (b.path / ".git" / "config").read_text()
    assert '[merge "beads"]' in config
    b.bd("create", "b-only", "--id", "bd-50")
    git(b.path, "add", ".beads/issues.jsonl")
    git(b.path, "commit", "-q", "-m", "b's issue")
    a.bd("create", "a-only", "--id", "bd-60")
    a.sync()
    git(b.path, "pull", "-q", "--no-rebase", "--no-edit")
    text = (b.path / ".beads" / "issues.jsonl").read_text()
    assert "<<<<<<<" not in text
    ids = [json.loads(line)["id"] for line in text.splitlines()]
    assert ids == sorted(ids) and {"bd-50", "bd-60"} <= set(ids)


def test_conflict_markers_are_resolved_by_sync_and_refused_by_others(remote: Path) -> None:
    a, b = clone(remote, "a"), clone(remote, "b")
    a.create("one")
    a.sync()
    b.sync()
    a.bd("update", "bd-1", "--title", "from a")
    a.sync()
    b.bd("update", "bd-1", "--notes", "from b")
    git(b.path, "add", ".beads/issues.jsonl")
    git(b.path, "commit", "-q", "-m", "b")
    git(b.path, "config", "--remove-section", "merge.beads")  # as if never registered
    merge = subprocess.run(
        ["git", "pull", "-q", "--no-rebase", "--no-edit"],
        cwd=b.path,
        env=env(),
        capture_output=True,
        text=True,
    )
    assert merge.returncode != 0  # git left conflict markers
    # Reads answer from the database with a warning; writes refuse; both say to run bd sync.
    listed = run_bd_process(b.path, "list", "--no-daemon", env=env())
    assert listed.exit_code == 0 and "bd: warning: " in listed.stderr
    assert "conflict marker" in listed.stderr and "bd sync" in listed.stderr
    refused = run_bd_process(b.path, "create", "x", "--no-daemon", env=env())
    assert refused.exit_code == 1 and "bd sync" in refused.stderr
    summary = b.sync().json()
    assert summary["resolved_conflict"]
    a.sync()
    assert_converged(a, b)
    merged = a.bd("show", "bd-1", "--json").json()[0]
    assert merged["title"] == "from a" and merged["notes"] == "from b"


def test_unreachable_remote_loses_nothing_and_a_later_sync_succeeds(remote: Path) -> None:
    a, b = clone(remote, "a"), clone(remote, "b")
    a.create("made offline")
    git(a.path, "remote", "set-url", "origin", str(remote.parent / "nowhere.git"))
    failed = a.sync(ok=False)
    assert failed.exit_code == 1 and "cannot reach origin" in failed.stderr
    assert "made offline" in git(a.path, "show", "HEAD:.beads/issues.jsonl")
    git(a.path, "remote", "set-url", "origin", str(remote))
    assert a.sync().json()["pushed"]
    b.sync()
    assert [i["title"] for i in b.issues()] == ["made offline"]


def test_the_users_other_changes_survive_a_sync(remote: Path) -> None:
    a, b = clone(remote, "a"), clone(remote, "b")
    b.create("from b")
    (b.path / "notes.txt").write_text("b's code\n")
    git(b.path, "add", "notes.txt")
    git(b.path, "commit", "-q", "-m", "code")
    b.sync()  # the remote moves on: a's sync has to merge, not fast-forward
    a.create("from a")
    (a.path / "README").write_text("edited, not staged\n")
    (a.path / "staged.txt").write_text("staged\n")
    git(a.path, "add", "staged.txt")
    git(a.path, "commit", "-q", "-m", "a's own commit", "--allow-empty")
    (a.path / "staged2.txt").write_text("staged, not committed\n")
    git(a.path, "add", "staged2.txt")
    a.sync()
    status = git(a.path, "status", "--porcelain")
    assert " M README" in status and "A  staged2.txt" in status
    assert (a.path / "notes.txt").read_text() == "b's code\n"  # the remote's file arrived
    assert len(a.issues()) == 2


def test_sync_through_a_daemon(remote: Path) -> None:
    a, b = clone(remote, "a"), clone(remote, "b")
    run_bd_process(a.path, "daemon", "start", env=env()).ok()
    try:
        run_bd_process(a.path, "create", "via daemon", env=env(BD_REQUIRE_DAEMON="1")).ok()
        b.create("from b")
        b.sync()
        summary = run_bd_process(a.path, "sync", "--json", env=env(BD_REQUIRE_DAEMON="1")).ok()
        assert summary.json()["pushed"]
        b.sync()
        listed = run_bd_process(a.path, "list", "--json", env=env(BD_REQUIRE_DAEMON="1")).ok()
        assert len(listed.json()) == 2
    finally:
        run_bd_process(a.path, "daemon", "stop", env=env()).ok()
    assert_converged(a, b)


def test_no_remote_commits_and_says_so(tmp_path: Path) -> None:
    repo = tmp_path / "solo"
    repo.mkdir()
    git(repo, "init", "-q")
    run_bd_process(repo, "init", "-q", "--prefix", "bd", env=env()).ok()
    run_bd_process(repo, "create", "alone", env=env()).ok()
    done = run_bd_process(repo, "sync", env=env()).ok()
    assert "no remote" in done.stdout
    assert "alone" in git(repo, "show", "HEAD:.beads/issues.jsonl")
    assert os.path.exists(repo / ".beads" / ".gitattributes")


def test_the_daemon_syncs_by_itself_and_reports_it(remote: Path) -> None:
    import time

    a, b = clone(remote, "a"), clone(remote, "b")
    run_bd_process(a.path, "daemon", "start", "--auto-sync", "1s", env=env()).ok()
    try:
        via = env(BD_REQUIRE_DAEMON="1")
        run_bd_process(a.path, "create", "synced by the daemon", env=via).ok()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            b.sync()
            if b.issues():
                break
            time.sleep(0.5)
        assert [i["title"] for i in b.issues()] == ["synced by the daemon"]
        b.create("from b")
        b.sync()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            listed = run_bd_process(a.path, "list", "--json", env=via).ok().json()
            if len(listed) == 2:
                break
            time.sleep(0.5)
        assert len(listed) == 2
        status = run_bd_process(a.path, "daemon", "status", "--json", env=env()).ok().json()
        assert status["sync"]["syncs"] >= 1 and status["sync"]["last_sync_error"] is None
        assert status["sync"]["unpushed_commits"] == 0
        # Offline: the error is reported, nothing is lost, and it recovers.
        git(a.path, "remote", "set-url", "origin", str(remote.parent / "gone.git"))
        run_bd_process(a.path, "create", "made while offline", env=via).ok()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            status = run_bd_process(a.path, "daemon", "status", "--json", env=env()).ok().json()
            if status["sync"]["last_sync_error"]:
                break
            time.sleep(0.5)
        assert "cannot reach origin" in status["sync"]["last_sync_error"]
        git(a.path, "remote", "set-url", "origin", str(remote))
        run_bd_process(a.path, "sync", env=via).ok()
    finally:
        run_bd_process(a.path, "daemon", "stop", env=env()).ok()
    b.sync()
    assert sorted(i["title"] for i in b.issues()) == [
        "from b",
        "made while offline",
        "synced by the daemon",
    ]


def test_three_clones_in_any_order_end_identical(remote: Path) -> None:
    import random

    clones = [clone(remote, name) for name in ("a", "b", "c")]
    rng = random.Random(3)
    for clone_ in clones:
        clone_.sync()
    for round_no in range(3):
        for clone_ in clones:
            made = clone_.create(f"{clone_.actor} round {round_no}")
            existing = [i["id"] for i in clone_.issues()]
            target = rng.choice(existing)
            clone_.bd("update", target, "--notes", f"{clone_.actor} {round_no}")
            clone_.bd("label", "add", made, clone_.actor)
        order = clones[:]
        rng.shuffle(order)
        for clone_ in order:
            clone_.sync()
    for clone_ in clones:  # a last round so that everyone has everything
        clone_.sync()
    assert_converged(*clones)
    assert len(clones[0].issues()) == 9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see bd-5.", "see bd-9."),
        ("(bd-5), bd-5", "(bd-9), bd-9"),
        ("bd-5\nnext", "bd-9\nnext"),
        ("bd-50 and bd-5.1 and bd-5-x", "bd-50 and bd-5.1 and bd-5-x"),
        ("xbd-5 my-bd-5", "xbd-5 my-bd-5"),
    ],
)
def test_a_mention_is_a_whole_id(text: str, expected: str) -> None:
    from bd_trio.store.renumber import mention_pattern

    assert mention_pattern("bd-5").sub("bd-9", text) == expected
