"""Hierarchical ids for new work (issue 15, item 5), as current Go bd: in hash id mode
`create --parent EPIC` gives EPIC.1, EPIC.2, ... with a parent-child dependency; sequential
mode keeps its ids; two clones that hand out the same child id are renumbered by sync."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from bd_trio.store.ids import next_free_id
from conftest import BdRunner, run_bd_process, subprocess_env
from test_agent_plugins import GIT_ENV, git


def hash_mode(repo: Path) -> None:
    """Switch the workspace to hash ids (as a committed config.json would); a daemon looks
    at the file at most every CHECK_S, so wait that long."""
    from bd_trio.daemon.configwatch import CHECK_S

    config = repo / ".beads" / "config.json"
    data = json.loads(config.read_text())
    config.write_text(json.dumps({**data, "id_mode": "hash"}))
    time.sleep(CHECK_S + 0.1)


def parents_of(bd: BdRunner, issue_id: str) -> list[tuple[str, str]]:
    shown = bd("show", issue_id, "--json").ok().json()[0]
    return [(d["id"], d["dependency_type"]) for d in shown["dependencies"]]


def test_hash_mode_children_are_numbered_under_their_parent(bd: BdRunner, repo: Path) -> None:
    hash_mode(repo)
    epic = bd("create", "Epic", "-t", "epic", "--json").ok().json()["id"]
    assert "." not in epic
    first = bd("create", "one", "--parent", epic, "--json").ok().json()["id"]
    second = bd("create", "two", "--parent", epic, "--json").ok().json()["id"]
    assert (first, second) == (f"{epic}.1", f"{epic}.2")
    grandchild = bd("create", "deeper", "--parent", first, "--json").ok().json()["id"]
    assert grandchild == f"{epic}.1.1"
    assert parents_of(bd, first) == [(epic, "parent-child")]
    assert parents_of(bd, grandchild) == [(first, "parent-child")]
    assert sorted(i["id"] for i in bd("list", "--parent", epic, "--json").ok().json()) == sorted(
        [first, second, grandchild]
    )
    # A deleted child's number is retired, like any deleted id.
    bd("delete", second, "--force").ok()
    assert bd("create", "three", "--parent", epic, "--json").ok().json()["id"] == f"{epic}.3"
    # Child ids work everywhere an id does.
    bd("update", f"{epic}.1", "-s", "in_progress").ok()
    bd("close", grandchild).ok()
    assert bd("show", first, "--json").ok().json()[0]["status"] == "in_progress"


def test_sequential_mode_keeps_its_ids_and_adds_the_parent(bd: BdRunner) -> None:
    epic = bd("create", "Epic", "-t", "epic", "--json").ok().json()["id"]
    child = bd("create", "child", "--parent", epic, "--json").ok().json()["id"]
    assert (epic, child) == ("bd-1", "bd-2")
    assert parents_of(bd, child) == [(epic, "parent-child")]
    # --deps naming the same parent is one dependency, not two.
    other = bd("create", "x", "--parent", epic, "--deps", f"parent-child:{epic}", "--json").ok()
    assert parents_of(bd, other.json()["id"]) == [(epic, "parent-child")]


def test_an_unknown_parent_creates_nothing(bd: BdRunner, repo: Path) -> None:
    hash_mode(repo)
    run = bd("create", "orphan", "--parent", "bd-zzzz")
    assert run.exit_code == 1 and "parent bd-zzzz not found" in run.stderr
    bad = bd("create", "orphan", "--parent", "not an id")
    assert bad.exit_code == 1 and "parent" in bad.stderr
    both = bd("create", "x", "--id", "bd-7", "--parent", "bd-zzzz")
    assert both.exit_code == 1 and "not both" in both.stderr
    assert bd("list", "--json").ok().json() == []


def test_an_imported_child_id_that_collides_stays_a_child(bd: BdRunner, repo: Path) -> None:
    hash_mode(repo)
    epic = bd("create", "Epic", "-t", "epic", "--json").ok().json()["id"]
    mine = bd("create", "mine", "--parent", epic, "--json").ok().json()["id"]
    record = {
        "id": mine,  # the same child id, made elsewhere (another created_at)
        "title": "theirs",
        "description": "",
        "status": "open",
        "priority": 2,
        "issue_type": "task",
        "created_at": "2020-01-01T00:00:00Z",
        "updated_at": "2020-01-01T00:00:00Z",
        "dependencies": [{"issue_id": mine, "depends_on_id": epic, "type": "parent-child"}],
    }
    summary = bd("import", "--json", input=json.dumps(record) + "\n").ok().json()
    assert summary["collisions"] == [{"old_id": mine, "new_id": f"{epic}.2", "title": "theirs"}]
    titles = {i["id"]: i["title"] for i in bd("list", "--json").ok().json()}
    assert titles == {epic: "Epic", mine: "mine", f"{epic}.2": "theirs"}


@pytest.mark.parametrize(
    ("issue_id", "taken", "expected"),
    [
        ("bd-a3f8.1", {"bd-a3f8.1", "bd-a3f8.2", "bd-a3f8.2.1", "bd-b.7"}, "bd-a3f8.3"),
        ("bd-a3f8.1.1", {"bd-a3f8.1.1"}, "bd-a3f8.1.2"),
        ("bd-3", {"bd-1", "bd-3", "bd-3.1", "xy-9"}, "bd-4"),
        ("bd-a3f8", {"bd-a3f8", "bd-a3f8.2"}, "bd-a3f8.3"),
    ],
)
def test_next_free_id(issue_id: str, taken: set[str], expected: str) -> None:
    assert next_free_id(issue_id, taken) == expected


@pytest.mark.slow
def test_two_clones_making_the_same_child_id_are_renumbered_by_sync(tmp_path: Path) -> None:
    env = subprocess_env(**GIT_ENV, BD_NO_DAEMON="1")

    def bd(path: Path, *args: str) -> dict[str, object]:
        return dict(run_bd_process(path, *args, "--json", env=env).ok().json())

    def bd_list(path: Path) -> list[dict[str, object]]:
        return list(run_bd_process(path, "list", "--json", env=env).ok().json())

    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    a, b = tmp_path / "a", tmp_path / "b"
    git(tmp_path, "clone", "-q", str(bare), str(a))
    bd(a, "init", "--prefix", "hx", "--id-mode", "hash")
    epic = str(bd(a, "create", "Epic", "-t", "epic")["id"])
    bd(a, "sync")
    git(tmp_path, "clone", "-q", str(bare), str(b))
    mine = bd(a, "create", "from a", "--parent", epic)["id"]
    theirs = bd(b, "create", "from b", "--parent", epic)["id"]
    assert mine == theirs == f"{epic}.1"  # made apart: the same id
    bd(a, "sync")
    summary = bd(b, "sync")
    assert summary["renumbered"] == {f"{epic}.1": f"{epic}.2"}
    bd(a, "sync")
    for clone in (a, b):
        titles = {i["id"]: i["title"] for i in bd_list(clone)}
        assert titles == {epic: "Epic", f"{epic}.1": "from a", f"{epic}.2": "from b"}
    assert (a / ".beads" / "issues.jsonl").read_bytes() == (
        b / ".beads" / "issues.jsonl"
    ).read_bytes()
    shown = run_bd_process(b, "show", f"{epic}.2", "--json", env=env).ok().json()[0]
    assert [(d["id"], d["dependency_type"]) for d in shown["dependencies"]] == [
        (epic, "parent-child")
    ]
