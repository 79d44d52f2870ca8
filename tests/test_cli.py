"""The `bd` commands through typer's runner (in-process), against every backend."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import BdRunner, jsonl_lines


def test_init_reports_database_and_prefix(bd_bare: BdRunner, repo: Path) -> None:
    human = bd_bare("init", "--prefix", "proj").ok()
    assert "initialized successfully" in human.stdout
    assert str(repo / ".beads" / "beads.db") in human.stdout
    assert "proj" in human.stdout
    data = bd_bare("init", "--json").ok().json()
    assert data["prefix"] == "proj"  # kept from the committed config
    assert data["id_mode"] == "sequential"
    assert json.loads((repo / ".beads" / "config.json").read_text())["prefix"] == "proj"
    assert "*.db" in (repo / ".beads" / ".gitignore").read_text()


def test_without_a_workspace_commands_say_run_init(bd_bare: BdRunner) -> None:
    run = bd_bare("list")
    assert run.exit_code == 1
    assert "bd init" in run.stderr


def test_global_flags_anywhere_on_the_line(bd: BdRunner) -> None:
    created = bd("create", "T", "-p", "1", "--actor", "a", "--json").ok().json()
    assert created["priority"] == 1
    first = bd("--json", "show", created["id"]).ok().json()
    assert first[0]["id"] == created["id"]
    bd("--actor=bob", "comments", "add", created["id"], "hi").ok()
    comments = bd("comments", created["id"], "--json").ok().json()
    assert comments[0]["author"] == "bob"
    events = bd("list", "--json", "--no-auto-import").ok().json()
    assert [i["id"] for i in events] == [created["id"]]


def test_create_human_and_json(bd: BdRunner) -> None:
    human = bd("create", "Fix login", "-p", "P1", "-t", "bug", "-l", "auth,web", "-l", "urgent")
    human.ok()
    assert "Created issue: bd-1" in human.stdout
    assert "Fix login" in human.stdout and "P1" in human.stdout and "open" in human.stdout
    data = (
        bd(
            "create",
            "--title",
            "Second",
            "-d",
            "why",
            "--design",
            "how",
            "--acceptance",
            "done when",
            "-a",
            "alice",
            "--external-ref",
            "gh-1",
            "--deps",
            "blocks:bd-1",
            "--json",
        )
        .ok()
        .json()
    )
    assert data["id"] == "bd-2"
    assert data["description"] == "why" and data["design"] == "how"
    assert data["acceptance_criteria"] == "done when" and data["assignee"] == "alice"
    assert data["external_ref"] == "gh-1"
    assert bd("show", "bd-1", "--json").ok().json()[0]["labels"] == ["auth", "urgent", "web"]
    assert bd("create", "--id", "bd-42", "explicit", "--json").ok().json()["id"] == "bd-42"


def test_show_sections(bd: BdRunner) -> None:
    bd("create", "Parent", "-d", "Line one\nLine two").ok()
    bd("create", "Child", "--deps", "bd-1").ok()
    bd("comments", "add", "bd-1", "first", "comment").ok()
    out = bd("show", "bd-1").ok().stdout
    for needle in (
        "bd-1: Parent",
        "Status: open",
        "Priority: P2",
        "Type: task",
        "Description:",
        "  Line two",
        "Blocks (1):",
        "bd-2: Child",
        "Comments (1):",
        "first comment",
        "[tester]",
    ):
        assert needle in out
    child = bd("show", "bd-2").ok().stdout
    assert "Depends on (1):" in child
    data = bd("show", "bd-1", "bd-2", "--json").ok().json()
    assert [d["id"] for d in data[1]["dependencies"]] == ["bd-1"]
    assert [d["id"] for d in data[0]["dependents"]] == ["bd-2"]
    assert data[0]["comments"][0]["text"] == "first comment"
    assert data[1]["dependents"] == [] and data[1]["comments"] == []


def test_multi_id_commands_process_all_and_exit_1_on_any_failure(bd: BdRunner) -> None:
    bd("create", "a").ok()
    bd("create", "b").ok()
    run = bd("close", "bd-1", "bd-404", "bd-2", "-r", "done", "--json")
    assert run.exit_code == 1
    assert "bd-404 not found" in run.stderr
    assert [i["id"] for i in run.json()] == ["bd-1", "bd-2"]
    assert all(i["status"] == "closed" for i in run.json())
    human = bd("reopen", "bd-1", "bd-2")
    assert human.ok().stdout.splitlines() == ["Reopened bd-1", "Reopened bd-2"]
    upd = bd("update", "bd-1", "bd-9", "-s", "in_progress")
    assert upd.exit_code == 1 and "Updated issue: bd-1" in upd.stdout
    shown = bd("show", "bd-404", "--json")
    assert shown.exit_code == 1 and shown.json() == []


def test_update_changes_only_given_flags(bd: BdRunner) -> None:
    bd("create", "a", "-d", "keep").ok()
    out = bd("update", "bd-1", "--notes", "n", "-p", "0", "--title", "A", "-a", "x").ok()
    assert "Updated issue: bd-1" in out.stdout
    issue = bd("show", "bd-1", "--json").ok().json()[0]
    assert (issue["title"], issue["priority"], issue["notes"], issue["assignee"]) == (
        "A",
        0,
        "n",
        "x",
    )
    assert issue["description"] == "keep"


def test_close_output_and_closed_at(bd: BdRunner) -> None:
    bd("create", "a").ok()
    assert bd("close", "bd-1", "-r", "Fixed").ok().stdout.strip() == "Closed bd-1: Fixed"
    issue = bd("show", "bd-1", "--json").ok().json()[0]
    assert issue["status"] == "closed" and issue["closed_at"]
    assert bd("close", "bd-1").ok().stdout.strip() == "Closed bd-1: Closed"


def test_list_human_json_and_empty(bd: BdRunner) -> None:
    assert bd("list", "--json").ok().stdout.strip() == "[]"
    assert bd("ready", "--json").ok().stdout.strip() == "[]"
    assert bd("blocked", "--json").ok().stdout.strip() == "[]"
    bd("create", "one", "-p", "3", "-l", "x").ok()
    bd("create", "two", "-p", "1", "-a", "al").ok()
    bd("create", "three", "-t", "bug").ok()
    bd("close", "bd-3").ok()
    out = bd("list").ok().stdout
    assert out.startswith("Found 3 issues:")
    assert out.index("bd-2") < out.index("bd-3") < out.index("bd-1")
    data = bd("list", "-s", "open", "--json").ok().json()
    assert [i["id"] for i in data] == ["bd-2", "bd-1"]
    assert all(isinstance(i["labels"], list) for i in data)
    assert [i["id"] for i in bd("list", "-s", "all", "-n", "1", "--json").ok().json()] == ["bd-2"]
    assert [i["id"] for i in bd("list", "-l", "x", "--json").ok().json()] == ["bd-1"]
    assert [i["id"] for i in bd("list", "--label-any", "x,zz", "--json").ok().json()] == ["bd-1"]
    assert [i["id"] for i in bd("list", "-t", "bug", "--json").ok().json()] == ["bd-3"]
    assert [i["id"] for i in bd("list", "-a", "al", "--json").ok().json()] == ["bd-2"]
    assert [i["id"] for i in bd("list", "--title", "THR", "--json").ok().json()] == ["bd-3"]
    assert [i["id"] for i in bd("list", "--id", "bd-1,bd-3", "--json").ok().json()] == [
        "bd-3",
        "bd-1",
    ]
    assert [i["id"] for i in bd("list", "-p", "1", "--json").ok().json()] == ["bd-2"]


def test_ready_and_blocked_output(bd: BdRunner) -> None:
    assert "No ready work found" in bd("ready").ok().stdout
    bd("create", "blocker", "-p", "1").ok()
    bd("create", "waiting", "-p", "0").ok()
    bd("dep", "add", "bd-2", "bd-1").ok()
    ready = bd("ready").ok().stdout
    assert "Ready work (1 issues with no blockers)" in ready and "bd-1" in ready
    assert "bd-2" not in ready
    blocked = bd("blocked").ok().stdout
    assert "Blocked issues (1)" in blocked
    assert "Blocked by 1 open dependencies: [bd-1]" in blocked
    data = bd("blocked", "--json").ok().json()
    assert data[0]["blocked_by_count"] == 1 and data[0]["blocked_by"] == ["bd-1"]
    assert [i["id"] for i in bd("ready", "-n", "5", "-p", "1", "--json").ok().json()] == ["bd-1"]


def test_stats_output(bd: BdRunner) -> None:
    bd("create", "a").ok()
    bd("create", "b").ok()
    bd("dep", "add", "bd-2", "bd-1").ok()
    out = bd("stats").ok().stdout
    for needle in (
        "Total Issues: 2",
        "Open: 2",
        "In Progress: 0",
        "Closed: 0",
        "Blocked: 1",
        "Ready: 1",
    ):
        assert needle in out
    data = bd("stats", "--json").ok().json()
    flat = {
        "total_issues",
        "open_issues",
        "in_progress_issues",
        "closed_issues",
        "blocked_issues",
        "ready_issues",
        "average_lead_time_hours",
    }
    assert set(data) == flat | {"summary", "recent_activity"}  # 0.12's keys, and the newer
    assert flat <= set(data["summary"])


def test_dep_commands(bd: BdRunner) -> None:
    for title in ("a", "b", "c"):
        bd("create", title).ok()
    assert (
        "Added dependency: bd-2 depends on bd-1 (blocks)"
        in bd("dep", "add", "bd-2", "bd-1").ok().stdout
    )
    data = bd("dep", "add", "bd-3", "bd-2", "-t", "parent-child", "--json").ok().json()
    assert data == {
        "status": "added",
        "issue_id": "bd-3",
        "depends_on_id": "bd-2",
        "type": "parent-child",
    }
    cycle = bd("dep", "add", "bd-1", "bd-3")
    assert cycle.exit_code == 1 and "cycle" in cycle.stderr
    tree = bd("dep", "tree", "bd-3").ok().stdout.splitlines()
    assert tree[2].startswith("bd-3: c")
    assert tree[3].startswith("  └─ (parent-child) bd-2")
    assert tree[4].startswith("    └─ (blocks) bd-1")
    nodes = bd("dep", "tree", "bd-3", "--json", "-d", "1").ok().json()
    assert [(n["id"], n["depth"], n["truncated"]) for n in nodes] == [
        ("bd-3", 0, False),
        ("bd-2", 1, True),
    ]
    assert "No dependency cycles detected" in bd("dep", "cycles").ok().stdout
    assert bd("dep", "cycles", "--json").ok().json() == []
    removed = bd("dep", "remove", "bd-2", "bd-1", "--json").ok().json()
    assert removed == {"status": "removed", "issue_id": "bd-2", "depends_on_id": "bd-1"}
    assert "Removed dependency" in bd("dep", "remove", "bd-3", "bd-2").ok().stdout
    missing = bd("dep", "remove", "bd-3", "bd-2")
    assert missing.exit_code == 1 and "does not depend" in missing.stderr


def test_label_commands(bd: BdRunner) -> None:
    bd("create", "a").ok()
    bd("create", "b").ok()
    out = bd("label", "add", "bd-1", "bd-2", "urgent").ok().stdout
    assert "Added label 'urgent' to bd-1" in out and "Added label 'urgent' to bd-2" in out
    assert bd("label", "list", "bd-1", "--json").ok().json() == ["urgent"]
    assert bd("label", "list-all", "--json").ok().json() == [{"label": "urgent", "count": 2}]
    assert "urgent" in bd("label", "list-all").ok().stdout
    removed = bd("label", "remove", "bd-1", "urgent", "--json").ok().json()
    assert removed == [{"issue_id": "bd-1", "label": "urgent", "status": "removed"}]
    assert bd("label", "list", "bd-1", "--json").ok().json() == []
    bad = bd("label", "add", "bd-1", "bd-404", "x")
    assert bad.exit_code == 1 and "bd-404" in bad.stderr
    assert bd("label", "list", "bd-1", "--json").ok().json() == ["x"]


def test_comments_from_file(bd: BdRunner, repo: Path) -> None:
    bd("create", "a").ok()
    note = repo / "note.md"
    note.write_text("multi\nline\n")
    added = bd("comments", "add", "bd-1", "-f", str(note), "--json").ok().json()
    assert added["text"] == "multi\nline"
    assert "No comments" not in bd("comments", "bd-1").ok().stdout


def test_create_from_markdown_plan(bd: BdRunner, repo: Path) -> None:
    plan = repo / "plan.md"
    plan.write_text(
        "# Plan\n\n## Set up CI\nRun the tests on every push.\n\n### Priority\n1\n\n"
        "### Type\nchore\n\n### Labels\nci, infra\n\n## Write docs\n\n### Dependencies\n"
        "blocks:bd-1\n\n### Acceptance Criteria\nREADME explains setup\n"
    )
    created = bd("create", "-f", str(plan), "--json").ok().json()
    assert [(i["id"], i["title"]) for i in created] == [
        ("bd-1", "Set up CI"),
        ("bd-2", "Write docs"),
    ]
    assert created[0]["priority"] == 1 and created[0]["issue_type"] == "chore"
    assert created[0]["labels"] == ["ci", "infra"]
    assert created[0]["description"] == "Run the tests on every push."
    assert bd("blocked", "--json").ok().json()[0]["id"] == "bd-2"
    bad = repo / "bad.md"
    bad.write_text("## ok\n\n## broken\n### Priority\n9\n")
    run = bd("create", "-f", str(bad))
    assert run.exit_code == 1 and "no issues were created" in run.stderr
    assert len(bd("list", "--json").ok().json()) == 2


def test_batch_from_stdin(bd: BdRunner) -> None:
    ops = [
        {"op": "create", "args": {"title": "epic", "issue_type": "epic"}},
        {"op": "create", "args": {"title": "task"}},
        {
            "op": "dep_add",
            "args": {
                "issue_id": {"$ref": "1.id"},
                "depends_on_id": {"$ref": "0.id"},
                "type": "parent-child",
            },
        },
    ]
    result = bd("batch", "--json", input=json.dumps(ops)).ok().json()
    assert [r["ok"] for r in result["results"]] == [True, True, True]
    lines = "\n".join(
        json.dumps(o)
        for o in [
            {"op": "create", "args": {"title": "x"}},
            {"op": "create", "args": {"title": "y", "priority": 9}},
            {"op": "create", "args": {"title": "z"}},
        ]
    )
    failed = bd("batch", input=lines)
    assert failed.exit_code == 1
    assert "[1] create: FAILED validation" in failed.stdout
    assert "1 operations not run" in failed.stdout
    atomic = bd("batch", "--atomic", "--json", input=lines)
    assert atomic.exit_code == 1 and atomic.json()["rolled_back"]
    titles = sorted(i["title"] for i in bd("list", "--json").ok().json())
    assert titles == ["epic", "task", "x"]
    assert bd("batch", input="{not json").exit_code == 1


def test_export_and_import_commands(bd: BdRunner, repo: Path) -> None:
    bd("create", "a", "-l", "x").ok()
    bd("create", "b").ok()
    bd("close", "bd-2").ok()
    exported = bd("export").ok().stdout
    assert [json.loads(line)["id"] for line in exported.splitlines()] == ["bd-1", "bd-2"]
    assert len(bd("export", "-s", "closed").ok().stdout.splitlines()) == 1
    out_file = repo / "out.jsonl"
    bd("export", "-o", str(out_file)).ok()
    assert out_file.read_text() == exported
    line = json.dumps({"id": "bd-9", "title": "imported", "created_at": "2020-01-01T00:00:00Z"})
    dry = bd("import", "--dry-run", "--json", input=line).ok()
    assert dry.json()["created"] == 1 and "Dry run" in dry.stderr
    assert len(bd("list", "--json").ok().json()) == 2
    run = bd("import", input=line).ok()
    assert "Import complete: 1 created, 0 updated" in run.stderr
    assert bd("show", "bd-9", "--json").ok().json()[0]["title"] == "imported"
    bad = bd("import", input=line + "\n<<<<<<< HEAD\n")
    assert bad.exit_code == 1 and "line 2" in bad.stderr


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["create", "x", "-p", "7"], 1, "priority"),
        (["create", "x", "-p", "high"], 1, "priority"),
        (["create", "x", "-t", "stroy"], 1, "bug, feature, task, epic, chore"),
        (["create", ""], 1, "title"),
        (["create", "x" * 501], 1, "500"),
        (["create"], 1, "title"),
        (["update", "bd-1", "-s", "done"], 1, "status"),
        (["show", "bd-404"], 1, "bd-404 not found"),
        (["dep", "add", "bd-1", "bd-1"], 1, "itself"),
        (["dep", "add", "bd-1", "bd-2", "-t", "kinda"], 1, "blocks, related"),
        (["create", "x", "--no-such-flag"], 2, "No such option"),
        (["frobnicate"], 2, "No such command"),
        (["list", "-n", "many"], 2, "--limit"),
    ],
)
def test_bad_input_exit_codes_and_nothing_changes(
    bd: BdRunner, settle: Callable[[], None], repo: Path, args: list[str], code: int, words: str
) -> None:
    bd("create", "one").ok()
    bd("create", "two").ok()
    settle()
    before_db = bd("export").ok().stdout
    before_file = (repo / ".beads" / "issues.jsonl").read_bytes()
    run = bd(*args)
    assert run.exit_code == code, run
    assert words in run.stderr
    assert bd("export").ok().stdout == before_db
    settle()
    assert (repo / ".beads" / "issues.jsonl").read_bytes() == before_file


def test_jsonl_is_up_to_date_after_every_changing_command(
    bd: BdRunner, settle: Callable[[], None], repo: Path
) -> None:
    bd("create", "a").ok()
    settle()
    assert [r["title"] for r in jsonl_lines(repo)] == ["a"]
    bd("update", "bd-1", "--title", "A").ok()
    settle()
    assert jsonl_lines(repo)[0]["title"] == "A"
    bd("create", "b").ok()
    bd("dep", "add", "bd-2", "bd-1").ok()
    settle()
    assert jsonl_lines(repo)[1]["dependencies"][0]["depends_on_id"] == "bd-1"
    bd("label", "add", "bd-1", "x").ok()
    bd("comments", "add", "bd-1", "note").ok()
    settle()
    record = jsonl_lines(repo)[0]
    assert record["labels"] == ["x"] and record["comments"][0]["text"] == "note"
    bd("close", "bd-1").ok()
    settle()
    assert jsonl_lines(repo)[0]["status"] == "closed"
    assert (repo / ".beads" / "issues.jsonl").read_text() == bd("export").ok().stdout


def test_no_auto_flush_leaves_file_alone_until_next_write(bd_direct: BdRunner, repo: Path) -> None:
    bd = bd_direct  # a direct-mode flag: the daemon decides when to export by itself
    bd("create", "a").ok()
    bd("create", "b", "--no-auto-flush").ok()
    assert len(jsonl_lines(repo)) == 1
    bd("create", "c").ok()
    assert [r["title"] for r in jsonl_lines(repo)] == ["a", "b", "c"]


def test_changed_file_is_imported_before_the_next_command(
    bd: BdRunner, settle: Callable[[], None], repo: Path
) -> None:
    bd("create", "a").ok()
    settle()
    path = repo / ".beads" / "issues.jsonl"
    record = json.loads(path.read_text())
    record["title"] = "edited by a git pull"
    record["updated_at"] = "2999-01-01T00:00:00.000000Z"
    extra = {
        "id": "bd-5",
        "title": "from elsewhere",
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
    }
    path.write_text(json.dumps(record) + "\n" + json.dumps(extra) + "\n")
    run = bd("list", "--json").ok()
    assert sorted(i["title"] for i in run.json()) == ["edited by a git pull", "from elsewhere"]
    assert bd("create", "next", "--json").ok().json()["id"] == "bd-6"
    settle()
    assert [r["id"] for r in jsonl_lines(repo)] == ["bd-1", "bd-5", "bd-6"]


def test_no_auto_import_leaves_a_changed_file_alone(bd_direct: BdRunner, repo: Path) -> None:
    bd = bd_direct  # a direct-mode flag: the daemon always imports a changed file
    bd("create", "a").ok()
    path = repo / ".beads" / "issues.jsonl"
    path.write_text(path.read_text().replace('"a"', '"changed again"'))
    titles = [i["title"] for i in bd("list", "--json", "--no-auto-import").ok().json()]
    assert titles == ["a"]
    # Without the flag the file is imported: the repository's file wins for issues without
    # unexported local changes (a merge or a pull wrote it).
    run = bd("list", "--json").ok()
    assert "auto-import: 0 created, 1 updated" in run.stderr
    assert [i["title"] for i in run.json()] == ["changed again"]


def test_conflicted_file_stops_the_command_and_is_left_alone(
    bd: BdRunner, settle: Callable[[], None], repo: Path
) -> None:
    bd("create", "a").ok()
    settle()
    path = repo / ".beads" / "issues.jsonl"
    conflicted = "<<<<<<< HEAD\n" + path.read_text() + "=======\n>>>>>>> theirs\n"
    path.write_text(conflicted)
    run = bd("create", "b")
    assert run.exit_code == 1
    assert "line 1" in run.stderr and "conflict" in run.stderr
    assert path.read_text() == conflicted
    assert bd("create", "c").exit_code == 1  # every command refuses until it is resolved
    assert path.read_text() == conflicted
    listed = bd("list", "--json", "--no-daemon", "--no-auto-import").ok().json()
    assert [i["title"] for i in listed] == ["a"]


def test_version_and_quickstart(bd: BdRunner) -> None:
    out = bd("version").ok().stdout
    assert out.startswith("bd version 0.12.0 (bd-trio ")
    assert bd("version", "--json").ok().json()["version"] == "0.12.0"
    assert "bd ready" in bd("quickstart").ok().stdout


def test_hash_id_mode(bd_bare: BdRunner, repo: Path) -> None:
    bd_bare("init", "--prefix", "h", "--id-mode", "hash", "-q").ok()
    issue = bd_bare("create", "x", "--json").ok().json()
    assert issue["id"].startswith("h-") and len(issue["id"]) == 6
    assert json.loads((repo / ".beads" / "config.json").read_text())["id_mode"] == "hash"
    bad = bd_bare("init", "--id-mode", "uuid")
    assert bad.exit_code == 1 and "sequential, hash" in bad.stderr


def test_init_with_db_outside_a_beads_directory(bd_bare: BdRunner, repo: Path) -> None:
    db = repo / "elsewhere" / "tracker.db"
    data = bd_bare("init", "--db", str(db), "--prefix", "abc", "--json").ok().json()
    assert data["database"] == str(db)
    assert json.loads((db.parent / "config.json").read_text())["prefix"] == "abc"
    assert not (repo / ".beads").exists()
    created = bd_bare("create", "t", "--db", str(db), "--json").ok().json()
    assert created["id"] == "abc-1"
