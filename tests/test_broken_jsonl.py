"""A broken or hostile `.beads/issues.jsonl` (what a bad push brings) never takes bd down: reads
answer from the database with a one-line warning naming the file and the line, writes and
sync refuse with that error, the daemon keeps running and says so in `daemon status` and `bd
doctor`, and a fixed file is imported by the next command with no restart. The same files
given to `bd import` get the same clean errors and change nothing. Both backends."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from bd_trio.errors import BdError
from bd_trio.sync import lines
from conftest import BdRunner, DaemonThread, run_bd_process, subprocess_env

STAMP = '"created_at":"2026-01-01T00:00:00Z"'
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}

# name -> (the bad line, words its error must hold)
HOSTILE: dict[str, tuple[bytes, str]] = {
    "nested 200,000 deep": (b"[" * 200_000 + b"]" * 200_000, "JSON nested 200000 levels deep"),
    "invalid UTF-8": (b'{"id":"bd-9","title":"t\xff",' + STAMP.encode() + b"}", "not UTF-8"),
    "truncated line": (b'{"id":"bd-9","title":"trunc', "not valid JSON"),
    "duplicate id": (b"", "appears twice (also on line 1)"),  # the first line again
    "20 MB title": (
        b'{"id":"bd-9","title":"' + b"x" * (20 * 1024 * 1024) + b'",' + STAMP.encode() + b"}",
        "the line is longer than",
    ),
    "priority 10^400": (
        b'{"id":"bd-9","title":"t","priority":1' + b"0" * 400 + b"," + STAMP.encode() + b"}",
        "too large",
    ),
    "year 99999": (b'{"id":"bd-9","title":"t","created_at":"99999-01-01T00:00:00Z"}', "99999"),
    "title is an object": (b'{"id":"bd-9","title":{"a":1},' + STAMP.encode() + b"}", "title"),
    "conflict markers": (b"<<<<<<< HEAD", "git conflict marker"),
    "year 1 at +01:00": (
        b'{"id":"bd-9","title":"t","created_at":"0001-01-01T00:00:00+01:00"}',
        "is not an RFC 3339 timestamp",
    ),
    "unpaired surrogate": (
        b'{"id":"bd-9","title":"\\udc00",' + STAMP.encode() + b"}",
        "unpaired UTF-16 surrogate",
    ),
}


def jsonl_path(root: Path) -> Path:
    return root / ".beads" / "issues.jsonl"


def break_file(root: Path, case: str) -> bytes:
    """issues.jsonl with the hostile line appended as line 2; its bytes."""
    path = jsonl_path(root)
    good = path.read_bytes()
    bad_line, _ = HOSTILE[case]
    data = good + (bad_line or good.rstrip(b"\n")) + b"\n"
    path.write_bytes(data)
    return data


def assert_clean(stderr: str) -> None:
    assert "Traceback" not in stderr
    assert "RecursionError" not in stderr


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_broken_file_leaves_reads_working_and_refuses_writes(
    bd1: BdRunner, repo: Path, settle: Callable[[], None], case: str
) -> None:
    bd1("create", "first", "-l", "keep").ok()
    settle()
    good = jsonl_path(repo).read_bytes()
    broken = break_file(repo, case)
    path = str(jsonl_path(repo))
    words = HOSTILE[case][1]

    for read in (("list",), ("show", "bd-1"), ("ready",), ("stats",), ("label", "list-all")):
        run = bd1(*read)
        assert run.exit_code == 0, (read, run)
        assert_clean(run.stderr)
        warnings = [line for line in run.stderr.splitlines() if line]
        assert len(warnings) == 1, run.stderr
        assert warnings[0].startswith(f"bd: warning: {path} line 2: ")
        assert words in warnings[0]
    assert "first" in bd1("list").stdout
    assert [i["id"] for i in bd1("list", "--json").ok().json()] == ["bd-1"]

    for write in (("create", "second"), ("update", "bd-1", "--notes", "n"), ("close", "bd-1")):
        run = bd1(*write)
        assert run.exit_code == 1, (write, run)
        assert_clean(run.stderr)
        assert run.stderr.startswith(f"Error: {path} line 2: "), run.stderr
        assert words in run.stderr
    imported = bd1("import", "-i", str(repo / "other.jsonl"))  # a write too (file missing)
    assert imported.exit_code == 1
    assert jsonl_path(repo).read_bytes() == broken  # nothing overwrote the file

    listed = bd1("list", "--json").ok().json()
    assert [(i["id"], i["status"], i.get("notes", "")) for i in listed] == [("bd-1", "open", "")]

    jsonl_path(repo).write_bytes(good)  # fixed (a git checkout would do the same)
    bd1("create", "second").ok()
    run = bd1("list", "--json")
    assert run.stderr == ""
    assert [i["title"] for i in run.ok().json()] == ["second", "first"]
    settle()
    assert [json.loads(x)["id"] for x in jsonl_path(repo).read_text().splitlines()] == [
        "bd-1",
        "bd-2",
    ]


def test_a_fixed_file_is_imported_by_the_next_command(
    bd1: BdRunner, repo: Path, settle: Callable[[], None]
) -> None:
    bd1("create", "first").ok()
    settle()
    good = jsonl_path(repo).read_bytes()
    break_file(repo, "truncated line")
    assert bd1("create", "refused").exit_code == 1
    # The fix brings an issue from elsewhere: it is imported, and writes work again.
    fixed = good + good.replace(b"bd-1", b"bd-7").replace(b"first", b"pulled")
    jsonl_path(repo).write_bytes(fixed)
    assert sorted(i["id"] for i in bd1("list", "--json").ok().json()) == ["bd-1", "bd-7"]
    bd1("update", "bd-7", "--notes", "seen").ok()


def test_the_daemon_reports_a_refused_file(
    bd1: BdRunner, repo: Path, backend_name: str, settle: Callable[[], None]
) -> None:
    bd1("create", "first").ok()
    settle()
    before = bd1("daemon", "status", "--json").ok().json()
    if backend_name != "daemon":
        assert before["status"] == "stopped"
        return
    assert before["jsonl_error"] is None
    break_file(repo, "nested 200,000 deep")
    assert bd1("list").exit_code == 0  # the daemon imports (and refuses) the file
    health = bd1("daemon", "status", "--json").ok().json()
    assert health["jsonl_error"]["line"] == 2
    assert health["jsonl_error"]["file"] == str(jsonl_path(repo))
    human = bd1("daemon", "status").ok().stdout
    assert "issues.jsonl: REFUSED" in human and "line 2" in human
    doctor = bd1("doctor")
    assert doctor.exit_code == 1
    assert "[FAIL] jsonl: cannot be imported: " in doctor.stdout
    assert "line 2: JSON nested 200000 levels deep" in doctor.stdout


def test_doctor_names_a_refused_file(bd1: BdRunner, repo: Path, settle: Callable[[], None]) -> None:
    bd1("create", "first").ok()
    settle()
    break_file(repo, "invalid UTF-8")
    run = bd1("doctor", "--json")
    assert run.exit_code == 1
    checks = {c["name"]: c for c in run.json()["checks"]}
    assert not checks["jsonl"]["ok"]
    assert "line 2: not UTF-8 text" in checks["jsonl"]["detail"]


@pytest.mark.parametrize("case", list(HOSTILE))
def test_import_of_a_hostile_file_is_a_clean_error_that_changes_nothing(
    bd1: BdRunner, repo: Path, tmp_path: Path, case: str
) -> None:
    bd1("create", "first").ok()
    before = bd1("list", "--json").ok().json()
    bad_line, words = HOSTILE[case]
    good = b'{"id":"bd-5","title":"five",' + STAMP.encode() + b"}"
    source = tmp_path / "incoming.jsonl"
    source.write_bytes(good + b"\n" + (bad_line or good) + b"\n")
    run = bd1("import", "-i", str(source))
    assert run.exit_code == 1
    assert_clean(run.stderr)
    assert run.stderr.startswith(f"Error: {source} line 2: "), run.stderr
    assert words in run.stderr
    assert bd1("list", "--json").ok().json() == before


def test_import_names_stdin(bd1: BdRunner) -> None:
    run = bd1("import", input='{"id":"bd-1","title":"t",' + STAMP + "}\n{\n")
    assert run.exit_code == 1
    assert run.stderr.startswith("Error: stdin line 2: not valid JSON")


def test_a_windows_checkout_is_imported_and_written_back_as_bd_writes(
    bd1: BdRunner, repo: Path, settle: Callable[[], None]
) -> None:
    bd1("create", "first").ok()
    settle()
    path = jsonl_path(repo)
    lf = path.read_bytes()
    second = lf.replace(b"bd-1", b"bd-2").replace(b"first", b"second")
    path.write_bytes(b"\xef\xbb\xbf" + (lf + second).replace(b"\n", b"\r\n"))
    run = bd1("list", "--json")
    assert "warning" not in run.stderr and "Error" not in run.stderr
    assert sorted(i["title"] for i in run.ok().json()) == ["first", "second"]
    bd1("update", "bd-1", "--notes", "n").ok()
    settle()
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    assert [json.loads(x)["id"] for x in data.decode().splitlines()] == ["bd-1", "bd-2"]


def test_a_real_process_with_a_broken_file_never_shows_a_traceback(
    repo: Path, backend_name: str, daemon: DaemonThread | None
) -> None:
    env = subprocess_env(BD_REQUIRE_DAEMON="1") if daemon is not None else subprocess_env()
    extra = ["--no-daemon"] if daemon is None else []
    run_bd_process(repo, "create", "first", *extra, env=env).ok()
    if daemon is not None:
        with daemon.client() as client:
            client.flush()
    break_file(repo, "nested 200,000 deep")
    listed = run_bd_process(repo, "list", *extra, env=env)
    assert listed.exit_code == 0 and "first" in listed.stdout
    assert "line 2: JSON nested" in listed.stderr and "Traceback" not in listed.stderr
    created = run_bd_process(repo, "create", "x", *extra, env=env)
    assert created.exit_code == 1 and "Traceback" not in created.stderr


def test_sync_refuses_a_broken_file_and_commits_nothing(
    bd1: BdRunner, repo: Path, settle: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in GIT_IDENTITY.items():
        monkeypatch.setenv(name, value)

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    git("init", "-q")
    bd1("create", "first").ok()
    settle()
    bd1("sync").ok()
    commits = git("rev-list", "--count", "HEAD")
    broken = break_file(repo, "truncated line")
    run = bd1("sync")
    assert run.exit_code == 1
    assert run.stderr.startswith(f"Error: {jsonl_path(repo)} line 2: not valid JSON")
    assert git("rev-list", "--count", "HEAD") == commits
    assert jsonl_path(repo).read_bytes() == broken


def test_the_limits_are_stated_in_the_cli_reference() -> None:
    text = (Path(__file__).parent.parent / "docs" / "CLI.md").read_text()
    for what, limit in lines.LIMITS:
        assert f"| {what} | {limit} |" in text


def test_config_json_nested_too_deep_is_a_clean_error(
    bd1: BdRunner, repo: Path, daemon: DaemonThread | None
) -> None:
    (repo / ".beads" / "config.json").write_text("[" * 100_000)
    for command in (("list",), ("create", "x")):
        run = bd1(*command)
        assert_clean(run.stderr)
        if run.exit_code:
            assert run.stderr.startswith("Error: cannot read ") and "config.json" in run.stderr
    if daemon is None:
        assert run.exit_code == 1
    else:
        with daemon.client() as client:
            assert client.ping()["pong"]


@pytest.mark.slow
def test_sync_after_a_hostile_push_is_a_clean_error(tmp_path: Path) -> None:
    """Someone pushes a broken issues.jsonl with plain git; `bd sync` in another clone stops
    with an error naming what is wrong, and that clone keeps its issues and its reads."""
    env = subprocess_env(**GIT_IDENTITY, BD_NO_DAEMON="1")

    def git(cwd: Path, *args: str) -> None:
        done = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr

    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    a, b = tmp_path / "a", tmp_path / "b"
    git(tmp_path, "clone", "-q", str(bare), str(a))
    run_bd_process(a, "init", "--prefix", "bd", "-q", env=env).ok()
    run_bd_process(a, "create", "shared", env=env).ok()
    run_bd_process(a, "sync", env=env).ok()
    git(tmp_path, "clone", "-q", str(bare), str(b))
    run_bd_process(b, "create", "mine", env=env).ok()  # b's database from the clone, + one

    for bad in (b"[" * 200_000 + b"\n", b'{"id":"bd-1","title":"\xff"}\n'):
        (a / ".beads" / "issues.jsonl").write_bytes(bad)
        git(a, "commit", "-q", "-am", "hostile")
        git(a, "push", "-q")
        run = run_bd_process(b, "sync", env=env)
        assert run.exit_code == 1, run
        assert run.stderr.startswith("Error: ") and "Traceback" not in run.stderr
        listed = run_bd_process(b, "list", "--json", env=env)
        assert sorted(i["title"] for i in listed.ok().json()) == ["mine", "shared"]


@pytest.mark.parametrize("backend_name", ["daemon"])  # the protocol is the daemon's
def test_clients_get_the_warning_and_the_refusal(
    bd1: BdRunner, repo: Path, daemon: DaemonThread | None, settle: Callable[[], None]
) -> None:
    """Through the protocol: a read's answer carries `warning`, a write fails `validation`
    with the file and the line."""
    assert daemon is not None
    bd1("create", "first").ok()
    settle()
    break_file(repo, "invalid UTF-8")
    with daemon.client() as client:
        assert [i["id"] for i in client.list_issues()] == ["bd-1"]
        assert len(client.core.warnings) == 1 and "line 2: not UTF-8" in client.core.warnings[0]
        with pytest.raises(BdError) as refused:
            client.create("second")
        assert refused.value.code == "validation"
        assert refused.value.details == {"file": str(jsonl_path(repo)), "line": 2}
