"""What beads-ui (npm, 0.12.0) and current bd's users send, through both backends: the global
flags of current bd (--sandbox, --readonly, --lock-timeout, --allow-stale, -q, -v), `epic
status` / `epic close-eligible`, `list --tree` (and Go's `--tree=false`), `comment --author`,
`update --assignee ""`, and the database file changing after a write (beads-ui watches it).
tests_ui/ drives the real beads-ui in a browser; this file pins each command line it sends."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from conftest import BdRunner, DaemonThread


def make(bd: BdRunner, *args: str) -> str:
    return str(bd("create", *args, "--json").ok().json()["id"])


# --- the command lines beads-ui 0.12.0 sends (server/list-adapters.js, ws.js) ----------------


def test_beads_ui_command_lines(bd: BdRunner) -> None:
    epic = make(bd, "Epic", "-t", "epic", "-p", "1")
    child = make(bd, "Child", "-p", "2")
    bd("--sandbox", "dep", "add", child, epic, "--type", "parent-child").ok()
    blocker = make(bd, "Blocker")
    waits = make(bd, "Waits")
    bd("--sandbox", "dep", "add", waits, blocker).ok()
    listed = bd("--sandbox", "list", "--json", "--tree=false").ok().json()
    assert {i["id"] for i in listed} == {epic, child, blocker, waits}
    epics = bd("--sandbox", "epic", "status", "--json").ok().json()
    assert epics == [
        {
            "epic": epics[0]["epic"],
            "total_children": 1,
            "closed_children": 0,
            "eligible_for_close": False,
        }
    ]
    assert epics[0]["epic"]["id"] == epic
    assert [i["id"] for i in bd("--sandbox", "blocked", "--json").ok().json()] == [waits]
    ready = bd("--sandbox", "ready", "--limit", "1000", "--json").ok().json()
    assert waits not in {i["id"] for i in ready}
    bd("--sandbox", "update", child, "--status", "in_progress").ok()
    in_progress = bd("--sandbox", "list", "--json", "--tree=false", "--status", "in_progress")
    assert [i["id"] for i in in_progress.ok().json()] == [child]
    bd("--sandbox", "update", child, "--assignee", "ann").ok()
    bd("--sandbox", "update", child, "--assignee", "").ok()  # "" clears it
    bd("--sandbox", "update", child, "--priority", "0").ok()
    for flag, field in (
        ("--title", "title"),
        ("--description", "description"),
        ("--acceptance-criteria", "acceptance_criteria"),
        ("--notes", "notes"),
        ("--design", "design"),
    ):
        bd("--sandbox", "update", child, flag, f"new {field}").ok()
    (shown,) = bd("--sandbox", "show", child, "--json").ok().json()
    assert "assignee" not in shown or not shown["assignee"]
    assert shown["priority"] == 0 and shown["notes"] == "new notes"
    assert shown["acceptance_criteria"] == "new acceptance_criteria"
    assert [d["id"] for d in bd("show", epic, "--json").ok().json()[0]["dependents"]] == [child]
    bd("--sandbox", "label", "add", child, "ui").ok()
    bd("--sandbox", "label", "remove", child, "ui").ok()
    bd("--sandbox", "comment", child, "from the UI", "--author", "Jane Doe").ok()
    comments = bd("--sandbox", "comments", child, "--json").ok().json()
    assert [(c["author"], c["text"]) for c in comments] == [("Jane Doe", "from the UI")]
    bd("--sandbox", "create", "From the dialog", "-t", "bug", "-p", "1", "-d", "Body").ok()
    bd("--sandbox", "dep", "remove", waits, blocker).ok()
    bd("--sandbox", "close", child).ok()
    closed = ("list", "--json", "--tree=false", "--status", "closed", "--limit", "1000")
    assert [i["id"] for i in bd("--sandbox", *closed).ok().json()] == [child]
    assert bd("--sandbox", "epic", "status", "--json").ok().json()[0]["eligible_for_close"]
    bd("--sandbox", "delete", waits, "--force").ok()
    assert waits not in {i["id"] for i in bd("list", "--json").ok().json()}


def test_comment_author_must_not_be_empty(bd: BdRunner) -> None:
    issue = make(bd, "A")
    failed = bd("comment", issue, "text", "--author", " ")
    assert failed.exit_code == 1 and "--author" in failed.stderr
    assert bd("comments", issue, "--json").ok().json() == []
    bd("comments", "add", issue, "hi", "-a", "Bob").ok()
    assert bd("comments", issue, "--json").ok().json()[0]["author"] == "Bob"


# --- global flags -----------------------------------------------------------------------------


def test_global_flags_anywhere_on_the_line(bd: BdRunner) -> None:
    make(bd, "A")
    for line in (
        ("--sandbox", "list", "--json"),
        ("list", "--sandbox", "--json"),
        ("list", "--json", "--allow-stale"),
        ("-q", "list", "--json"),
        ("list", "--json", "--lock-timeout", "5s"),
        ("list", "--json", "--lock-timeout=100ms"),
        ("--readonly", "list", "--json"),
    ):
        assert [i["title"] for i in bd(*line).ok().json()] == ["A"], line


def test_lock_timeout_must_be_a_duration(bd: BdRunner) -> None:
    bad = bd("list", "--lock-timeout", "soon")
    assert bad.exit_code == 2 and "--lock-timeout 'soon' is not a duration" in bad.stderr


def test_readonly_refuses_writes_and_changes_nothing(bd: BdRunner) -> None:
    issue = make(bd, "A")
    for line in (
        ("create", "B"),
        ("update", issue, "--status", "closed"),
        ("close", issue),
        ("comment", issue, "x"),
        ("label", "add", issue, "x"),
        ("epic", "close-eligible"),
    ):
        refused = bd("--readonly", *line)
        assert refused.exit_code == 1, line
        assert "read-only mode" in refused.stderr and "nothing was changed" in refused.stderr
    (shown,) = bd("show", issue, "--json").ok().json()
    assert shown["status"] == "open" and shown["labels"] == []
    assert [i["id"] for i in bd("list", "--json").ok().json()] == [issue]
    assert bd("--readonly", "epic", "close-eligible", "--dry-run", "--json").ok().json() == []


def test_verbose_says_what_serves_the_command(bd: BdRunner, backend_name: str) -> None:
    run = bd("-v", "list", "--json").ok()
    assert run.json() == []  # stdout stays JSON
    served = "direct mode on" if backend_name == "direct" else "the daemon at"
    assert f"bd: debug: served by {served}" in run.stderr
    assert "bd: debug: list" in run.stderr


def test_quiet_keeps_errors_only(bd: BdRunner, repo: Path) -> None:
    stamp = "2026-01-01T00:00:00Z"
    line = json.dumps(
        {
            "id": "bd-7",
            "title": "imported",
            "status": "open",
            "priority": 2,
            "issue_type": "task",
            "created_at": stamp,
            "updated_at": stamp,
        }
    )
    loud = bd("import", input=line + "\n").ok()
    assert "Import complete" in loud.stderr
    quiet = bd("import", "-q", input=line + "\n").ok()
    assert quiet.stderr == ""
    failed = bd("-q", "show", "bd-99")
    assert failed.exit_code == 1 and "Error:" in failed.stderr


def test_init_quiet_both_spellings(tmp_path: Path, bd_bare: BdRunner) -> None:
    assert bd_bare("init", "-q", "--prefix", "x").ok().stdout == ""
    assert bd_bare("init", "-qp", "x").ok().stdout == ""


def test_sandbox_writes_only_the_database(bd_direct: BdRunner, repo: Path) -> None:
    """--sandbox: the command's own write, no JSONL export; the next ordinary command
    exports it (the issue was marked dirty), so nothing is lost."""
    jsonl = repo / ".beads" / "issues.jsonl"
    before = jsonl.read_text() if jsonl.exists() else ""
    bd_direct("--sandbox", "create", "Quiet write").ok()
    assert (jsonl.read_text() if jsonl.exists() else "") == before
    bd_direct("create", "Loud write").ok()
    titles = [json.loads(line)["title"] for line in jsonl.read_text().splitlines()]
    assert titles == ["Quiet write", "Loud write"]


def test_sandbox_goes_direct_beside_a_daemon(
    bd: BdRunner, daemon: DaemonThread | None, repo: Path
) -> None:
    """beads-ui with a daemon running: its --sandbox calls open the database themselves (as
    bd), and what they write is what the daemon serves."""
    made = bd("--sandbox", "-v", "create", "Beside the daemon", "--json").ok()
    assert "served by direct mode on" in made.stderr
    assert [i["title"] for i in bd("list", "--json").ok().json()] == ["Beside the daemon"]


def test_lock_timeout_is_the_wait_for_a_locked_database(bd_direct: BdRunner, repo: Path) -> None:
    holder = sqlite3.connect(repo / ".beads" / "beads.db", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        locked = bd_direct("--lock-timeout", "0", "create", "X")
        assert time.monotonic() - started < 5
        assert locked.exit_code == 1
        assert "is locked by another process" in locked.stderr
        assert "--lock-timeout" in locked.stderr and "Traceback" not in locked.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert bd_direct("list", "--json").ok().json() == []


# --- epics ------------------------------------------------------------------------------------


def test_epic_status_and_close_eligible(bd: BdRunner) -> None:
    done_epic = make(bd, "Done epic", "-t", "epic", "-p", "1")
    open_epic = make(bd, "Open epic", "-t", "epic", "-p", "2")
    childless = make(bd, "Childless epic", "-t", "epic", "-p", "3")
    a = make(bd, "a")
    b = make(bd, "b")
    c = make(bd, "c")
    for child, parent in ((a, done_epic), (b, done_epic), (c, open_epic)):
        bd("dep", "add", child, parent, "-t", "parent-child").ok()
    bd("close", a, b).ok()
    status = bd("epic", "status", "--json").ok().json()
    assert [
        (s["epic"]["id"], s["total_children"], s["closed_children"], s["eligible_for_close"])
        for s in status
    ] == [(done_epic, 2, 2, True), (open_epic, 1, 0, False), (childless, 0, 0, False)]
    eligible = bd("epic", "status", "--eligible-only", "--json").ok().json()
    assert [s["epic"]["id"] for s in eligible] == [done_epic]
    human = bd("epic", "status").ok().stdout
    assert "Progress: 2/2 children closed (100%)" in human and "Eligible for closure" in human
    dry = bd("epic", "close-eligible", "--dry-run").ok().stdout
    assert "Would close 1 epic(s):" in dry and done_epic in dry
    assert bd("show", done_epic, "--json").ok().json()[0]["status"] == "open"
    closed = bd("epic", "close-eligible", "--json").ok().json()
    assert closed == {"closed": [done_epic], "count": 1}
    (shown,) = bd("show", done_epic, "--json").ok().json()
    assert shown["status"] == "closed" and shown["close_reason"] == "All children completed"
    assert bd("epic", "close-eligible").ok().stdout.strip() == "No epics eligible for closure"
    assert done_epic not in {s["epic"]["id"] for s in bd("epic", "status", "--json").ok().json()}


def test_epic_status_when_there_are_none(bd: BdRunner) -> None:
    assert bd("epic", "status", "--json").ok().json() == []
    assert bd("epic", "status").ok().stdout.strip() == "No open epics found"


# --- list presentation ------------------------------------------------------------------------


def test_list_tree_flags(bd: BdRunner) -> None:
    epic = make(bd, "Epic", "-t", "epic", "-p", "1")
    child = make(bd, "Child")
    grandchild = make(bd, "Grandchild")
    loose = make(bd, "Loose", "-p", "0")
    bd("dep", "add", child, epic, "-t", "parent-child").ok()
    bd("dep", "add", grandchild, child, "-t", "parent-child").ok()
    flat = bd("list").ok().stdout
    for line in (("list", "--tree=false"), ("list", "--no-tree"), ("list", "--flat")):
        assert bd(*line).ok().stdout == flat, line
    tree = bd("list", "--tree").ok().stdout
    assert bd("list", "--pretty").ok().stdout == tree
    assert bd("list", "--tree=true").ok().stdout == tree
    lines = tree.splitlines()
    assert lines[0] == "Found 4 issues:"
    assert lines[1].startswith(loose) and lines[2].startswith(epic)
    assert lines[3].startswith(f"└── {child}")
    assert lines[4].startswith(f"    └── {grandchild}")
    as_json = bd("list", "--json").ok().json()
    for line in (("--tree",), ("--tree=false",), ("--pretty",), ("--flat",)):
        assert bd("list", "--json", *line).ok().json() == as_json
    assert bd("list", "--tree=maybe").exit_code == 2


# --- live updates: the database file changes after a write ------------------------------------


def test_a_write_reaches_the_database_file(
    bd: BdRunner, daemon: DaemonThread | None, repo: Path
) -> None:
    """beads-ui watches `.beads/beads.db` itself (not the WAL): a write must reach that file
    by itself, through the daemon (its exporter checkpoints) and directly beside a daemon."""
    db = repo / ".beads" / "beads.db"

    def reaches_file(*args: str) -> None:
        before = db.read_bytes()
        bd(*args).ok()
        deadline = time.monotonic() + 10
        while db.read_bytes() == before:
            assert time.monotonic() < deadline, f"{args} never reached {db.name}"
            time.sleep(0.05)

    make(bd, "first")  # the schema and first pages
    reaches_file("create", "through the backend under test")
    reaches_file("--sandbox", "create", "direct, beside the daemon if one runs")


@pytest.mark.parametrize("value", ["1", "t", "TRUE", "0", "f", "False"])
def test_go_bool_spellings(value: str) -> None:
    from bd_trio.cli.fastparse import go_bools

    on = value.lower() in ("1", "t", "true")
    assert go_bools(["list", f"--tree={value}"]) == ["list", "--tree" if on else "--no-tree"]
    assert go_bools(["list", "--", f"--tree={value}"]) == ["list", "--", f"--tree={value}"]
    assert go_bools(["create", f"--tree={value}"]) == ["create", f"--tree={value}"]


@pytest.mark.parametrize("backend_name", ["daemon"])  # the typed client talks to a daemon
def test_epics_through_the_typed_client(bd: BdRunner, daemon: DaemonThread | None) -> None:
    assert daemon is not None
    epic = make(bd, "Epic", "-t", "epic")
    child = make(bd, "Child")
    bd("dep", "add", child, epic, "-t", "parent-child").ok()
    with daemon.client() as client:
        (status,) = client.epic_status()
        assert (status["epic"]["id"], status["total_children"]) == (epic, 1)
        assert client.epic_status(eligible_only=True) == []
        client.close_issue(child)
        assert client.epic_close_eligible() == {"closed": [epic], "count": 1}


def test_readonly_init_changes_nothing(bd_bare: BdRunner, repo: Path) -> None:
    refused = bd_bare("--readonly", "init", "--prefix", "x")
    assert refused.exit_code == 1 and "read-only mode" in refused.stderr
    assert not (repo / ".beads").exists()
