"""What agent plugins teach agents to run (issue 16, item 7): `bd dep relate`, `bd template` and
`create --from-template`, `bd sync --status` (real git), `bd daemons ...` (real daemon
processes in two workspaces, found through the per-user registry)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bd_trio.daemon_state import held
from conftest import BdRunner, DaemonThread, run_bd_process, subprocess_env

# --- dep relate / unrelate ---------------------------------------------------------------------


def test_dep_relate_links_both_ways_and_unrelate_removes_both(bd: BdRunner) -> None:
    a = bd("create", "A", "--json").ok().json()["id"]
    b = bd("create", "B", "--json").ok().json()["id"]
    assert bd("dep", "relate", a, b, "--json").ok().json() == {
        "id1": a,
        "id2": b,
        "related": True,
    }
    shown = {i["id"]: i for i in bd("show", a, b, "--json").ok().json()}
    for one, other in ((a, b), (b, a)):
        deps = [(d["id"], d["dependency_type"]) for d in shown[one]["dependencies"]]
        assert deps == [(other, "relates-to")]
    # A link both ways is no cycle, and nothing waits on it.
    assert bd("dep", "cycles", "--json").ok().json() == []
    assert sorted(i["id"] for i in bd("ready", "--json").ok().json()) == sorted([a, b])
    assert "Linked" in bd("dep", "relate", b, a).ok().stdout  # again: kept as it is
    assert bd("dep", "unrelate", a, b, "--json").ok().json()["unrelated"] is True
    assert bd("show", a, "--json").ok().json()[0]["dependencies"] == []
    assert bd("show", b, "--json").ok().json()[0]["dependencies"] == []
    again = bd("dep", "unrelate", a, b)
    assert again.exit_code == 1 and "not related" in again.stderr


def test_dep_relate_refuses_bad_input_and_changes_nothing(bd: BdRunner) -> None:
    a = bd("create", "A", "--json").ok().json()["id"]
    b = bd("create", "B", "--json").ok().json()["id"]
    same = bd("dep", "relate", a, a)
    assert same.exit_code == 1 and "itself" in same.stderr
    missing = bd("dep", "relate", a, "bd-99")
    assert missing.exit_code == 1 and "bd-99" in missing.stderr
    bd("dep", "add", a, b).ok()  # a blocks-dependency stays what it is
    typed = bd("dep", "relate", a, b)
    assert typed.exit_code == 1 and "blocks" in typed.stderr
    assert [
        d["dependency_type"] for d in bd("show", a, "--json").ok().json()[0]["dependencies"]
    ] == ["blocks"]
    assert bd("show", b, "--json").ok().json()[0]["dependencies"] == []


# --- templates ---------------------------------------------------------------------------------


def test_builtin_templates_and_create_from_one(bd: BdRunner) -> None:
    names = [t["name"] for t in bd("template", "list", "--json").ok().json()]
    assert names == ["bug", "epic", "feature"]
    bug = bd("template", "show", "bug", "--json").ok().json()
    assert (bug["type"], bug["priority"], bug["labels"]) == ("bug", 1, ["bug"])
    made = bd(
        "create", "--from-template", "bug", "Crash on save", "-p", "0", "-l", "ui", "--json"
    ).ok()
    issue = made.json()
    assert issue["title"] == "Crash on save"
    assert (issue["issue_type"], issue["priority"]) == ("bug", 0)  # -p overrides P1
    assert issue["labels"] == ["bug", "ui"]
    assert issue["description"] == bug["description"]
    assert issue["acceptance_criteria"] == bug["acceptance_criteria"]
    # A flag given wins over the template's field.
    own = bd("create", "--from-template", "epic", "Q4", "-d", "mine", "--json").ok().json()
    assert (own["description"], own["issue_type"]) == ("mine", "epic")
    unknown = bd("create", "--from-template", "nope", "X")
    assert unknown.exit_code == 1
    assert "no template named 'nope'" in unknown.stderr and "bug, epic, feature" in unknown.stderr


def test_custom_template_written_edited_and_used(bd: BdRunner, repo: Path) -> None:
    made = bd("template", "create", "perf", "--json").ok().json()
    path = Path(made["path"])
    assert path == repo / ".beads" / "templates" / "perf.yaml"
    assert bd("template", "show", "perf", "--json").ok().json()["type"] == "task"
    path.write_text(
        "# our performance template\n"
        "name: perf\n"
        "description: |\n"
        "  ## Budget\n"
        "\n"
        "  [p99 target]\n"
        "type: chore\n"
        "priority: 3\n"
        "labels:\n"
        "  - perf\n"
        "  - 'needs-bench'\n"
        'design: "Measure \\"before\\" and after"\n'
        "acceptance_criteria: |-\n"
        "  - [ ] bench shows it\n",
        encoding="utf-8",
    )
    shown = bd("template", "show", "perf", "--json").ok().json()
    assert shown["description"] == "## Budget\n\n[p99 target]\n"
    assert shown["labels"] == ["perf", "needs-bench"]
    assert shown["design"] == 'Measure "before" and after'
    assert shown["acceptance_criteria"] == "- [ ] bench shows it"
    issue = bd("create", "Slow list", "--from-template", "perf", "--json").ok().json()
    assert (issue["issue_type"], issue["priority"]) == ("chore", 3)
    assert issue["labels"] == ["needs-bench", "perf"]
    # A custom template of a built-in's name replaces it; making it twice is refused.
    bd("template", "create", "bug").ok()
    assert bd("template", "create", "bug").exit_code == 1
    sources = {t["name"]: t["source"] for t in bd("template", "list", "--json").ok().json()}
    assert sources["bug"].endswith("bug.yaml") and sources["epic"] == "built-in"
    assert bd("template", "create", "../escape").exit_code == 1


def test_a_broken_template_file_is_named_with_its_line(bd: BdRunner, repo: Path) -> None:
    directory = repo / ".beads" / "templates"
    directory.mkdir(parents=True)
    (directory / "bad.yaml").write_text("name: bad\n  oops: indented\n", encoding="utf-8")
    run = bd("create", "X", "--from-template", "bad")
    assert run.exit_code == 1 and "bad.yaml:2" in run.stderr
    assert bd("list", "--json").ok().json() == []


# --- sync --status -----------------------------------------------------------------------------

GIT_ENV = {
    "GIT_AUTHOR_NAME": "tester",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "tester",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=subprocess_env(**GIT_ENV), capture_output=True, text=True
    )
    assert proc.returncode == 0, f"git {args}: {proc.stderr}"
    return proc.stdout


def bd_in(path: Path, *args: str) -> dict[str, object]:
    env = subprocess_env(**GIT_ENV, BD_NO_DAEMON="1")
    return dict(run_bd_process(path, *args, "--json", env=env).ok().json())


@pytest.mark.slow
def test_sync_status_tells_what_a_sync_would_do_and_changes_nothing(tmp_path: Path) -> None:
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    a, b = tmp_path / "a", tmp_path / "b"
    git(tmp_path, "clone", "-q", str(bare), str(a))
    bd_in(a, "init", "--prefix", "bd")
    bd_in(a, "create", "first")
    bd_in(a, "sync")
    git(tmp_path, "clone", "-q", str(bare), str(b))
    status = bd_in(a, "sync", "--status")
    assert status["remote"] == "origin" and status["remote_known"] is True
    assert (status["ahead"], status["behind"], status["dirty_issues"]) == (0, 0, 0)
    assert status["would"] == [
        f"nothing: up to date with origin/{status['branch']} (as of the last fetch)"
    ]
    # b pushes; a fetches: a is behind by b's commit. a also has an unexported change.
    bd_in(b, "create", "from b")
    bd_in(b, "sync")
    git(a, "fetch", "-q")
    env = subprocess_env(**GIT_ENV, BD_NO_DAEMON="1")
    run_bd_process(a, "create", "local", "--no-auto-flush", env=env).ok()
    head = git(a, "rev-parse", "HEAD")
    jsonl = (a / ".beads" / "issues.jsonl").read_bytes()
    status = bd_in(a, "sync", "--status")
    assert status["behind"] == 1 and len(status["remote_commits"]) == 1
    assert status["dirty_issues"] == 1 and status["ahead"] == 0
    assert any(step.startswith("pull and merge 1 commit") for step in status["would"])
    assert any(step.startswith("export 1 changed issue") for step in status["would"])
    # Nothing changed: no commit, no export, no merge.
    assert git(a, "rev-parse", "HEAD") == head
    assert (a / ".beads" / "issues.jsonl").read_bytes() == jsonl
    human = run_bd_process(a, "sync", "--status", env=env).ok().stdout
    assert (
        "Remote ahead (as of the last fetch): 1" in human and "Issues not yet exported: 1" in human
    )
    bad = run_bd_process(a, "sync", "--status", "--no-push", env=env)
    assert bad.exit_code == 2


def test_sync_status_outside_git_says_so(bd: BdRunner) -> None:
    run = bd("sync", "--status")
    assert run.exit_code == 1 and "not in a git repository" in run.stderr


# --- bd daemons --------------------------------------------------------------------------------


def test_the_test_daemon_is_in_the_registry(
    bd: BdRunner, daemon: DaemonThread | None, repo: Path, daemon_registry_dir: Path
) -> None:
    listed = bd("daemons", "list", "--json").ok().json()
    if daemon is None:
        assert listed == []
        return
    assert [(d["workspace_path"], d["pid"], d["alive"]) for d in listed] == [
        (str(repo), os.getpid(), True)
    ]
    assert len(list(daemon_registry_dir.glob("*.json"))) == 1


def _start(path: Path, *flags: str) -> int:
    env = subprocess_env(BD_NO_DAEMON="1")
    run_bd_process(path, "init", "--prefix", path.name, "-q", env=env).ok()
    started = run_bd_process(path, "daemon", "start", *flags, "--json", env=subprocess_env())
    return int(started.ok().json()["pid"])


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.slow
def test_daemons_of_two_workspaces_listed_checked_stopped_and_pruned(
    tmp_path: Path, daemon_registry_dir: Path
) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    elsewhere = tmp_path / "elsewhere"  # `bd daemons` needs no workspace
    elsewhere.mkdir()
    pid1 = _start(one, "--flush-debounce", "0.3")
    pid2 = _start(two)
    pids: list[int] = [pid1, pid2]

    def bd(*args: str) -> subprocess.CompletedProcess[str]:
        run = run_bd_process(elsewhere, "daemons", *args, env=subprocess_env())
        return subprocess.CompletedProcess(args, run.exit_code, run.stdout, run.stderr)

    try:
        listed = json.loads(bd("list", "--json").stdout)
        assert [(d["workspace_path"], d["pid"]) for d in listed] == [
            (str(one), pid1),
            (str(two), pid2),
        ]
        assert all(d["alive"] and d["version"] for d in listed)
        assert [(d["WorkspacePath"], d["PID"], d["Alive"]) for d in listed] == [
            (str(one), pid1, True),
            (str(two), pid2, True),
        ]
        assert "WORKSPACE" in bd("list").stdout
        health = json.loads(bd("health", "--json").stdout)
        assert (health["total"], health["healthy"]) == (2, 2)
        logs = json.loads(bd("logs", str(pid1), "--json").stdout)
        assert logs["workspace"] == str(one) and "serving" in logs["content"]
        assert "serving" in bd("logs", str(one), "-n", "5").stdout

        # restart keeps the options the daemon ran with
        restarted = json.loads(bd("restart", str(one), "--json").stdout)
        assert restarted["action"] == "restarted" and restarted["pid"] != pid1
        pids.append(restarted["pid"])
        entry = json.loads(bd("list", "--json").stdout)[0]
        assert entry["pid"] == restarted["pid"] and entry["options"]["flush_debounce_s"] == 0.3

        stopped = json.loads(bd("stop", str(two), "--json").stdout)
        assert stopped == {"workspace": str(two), "pid": pid2, "stopped": True}
        assert [d["pid"] for d in json.loads(bd("list", "--json").stdout)] == [restarted["pid"]]
        missing = bd("stop", str(two))
        assert missing.returncode == 1 and "no running daemon" in missing.stderr

        # A daemon killed hard leaves its entry: health reports it stale, and it is pruned.
        os.kill(restarted["pid"], signal.SIGKILL)
        deadline = time.monotonic() + 10  # until the kernel released its lock
        while held(one / ".beads" / "daemon.lock") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(list(daemon_registry_dir.glob("*.json"))) == 1
        health_run = bd("health", "--json")
        assert health_run.returncode == 1
        assert json.loads(health_run.stdout)["stale"] == 1
        assert list(daemon_registry_dir.glob("*.json")) == []
        assert "No running daemons found" in bd("list").stdout
    finally:
        for pid in pids:
            if not _gone(pid):
                os.kill(pid, signal.SIGTERM)


@pytest.mark.slow
def test_daemons_killall_stops_every_daemon(tmp_path: Path) -> None:
    paths = [tmp_path / "p1", tmp_path / "p2"]
    pids = []
    for path in paths:
        path.mkdir()
        pids.append(_start(path))
    try:
        run = run_bd_process(tmp_path, "daemons", "killall", "--json", env=subprocess_env())
        assert run.ok().json() == {"stopped": 2, "failed": 0}
        for path in paths:
            assert not (path / ".beads" / "bd.sock").exists()
        again = run_bd_process(tmp_path, "daemons", "killall", env=subprocess_env()).ok()
        assert "No running daemons found" in again.stdout
    finally:
        for pid in pids:
            if not _gone(pid):
                os.kill(pid, signal.SIGTERM)
