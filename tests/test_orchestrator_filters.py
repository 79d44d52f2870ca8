"""What orchestrators filter on (issue 16, item 4): issue metadata set with --metadata /
--set-metadata / --unset-metadata, shown and kept in JSONL; ready/list's --exclude-type,
--metadata-field, --has-metadata-key, --include-ephemeral (ephemeral issues are left out by
default); the same answers through the daemon and directly, and through the typed client."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import BdRunner, DaemonThread, Run, jsonl_lines


def ids(run: Run) -> list[str]:
    return [issue["id"] for issue in run.ok().json()]


def make(bd: BdRunner, title: str, *flags: str) -> str:
    return str(bd("create", title, *flags, "--json").ok().json()["id"])


GAS_CITY = (
    "ready",
    "--include-ephemeral",
    "--metadata-field",
    "gc.routed_to=worker-1",
    "--unassigned",
    "--exclude-type=epic",
    "--json",
)


def test_gas_city_ready_then_claim(bd: BdRunner) -> None:
    mine = make(bd, "mine", "--metadata", "gc.routed_to=worker-1")
    wisp = make(bd, "wisp", "--ephemeral", "--metadata", "gc.routed_to=worker-1", "-p", "1")
    make(bd, "epic", "-t", "epic", "--metadata", "gc.routed_to=worker-1")
    make(bd, "other worker's", "--metadata", "gc.routed_to=worker-2")
    make(bd, "assigned", "-a", "ann", "--metadata", "gc.routed_to=worker-1")
    make(bd, "nested is not dotted", "--metadata", '{"gc": {"routed_to": "worker-1"}}')
    waits = make(bd, "blocked", "--metadata", "gc.routed_to=worker-1", "--deps", mine)
    assert ids(bd(*GAS_CITY)) == [wisp, mine]
    claimed = bd("update", wisp, "--claim", "--json", "--actor", "worker-1").ok().json()[0]
    assert (claimed["status"], claimed["assignee"]) == ("in_progress", "worker-1")
    assert claimed["metadata"] == {"gc.routed_to": "worker-1"} and claimed["ephemeral"] is True
    assert ids(bd(*GAS_CITY)) == [mine]
    bd("close", mine).ok()
    assert ids(bd(*GAS_CITY)) == [waits]


def test_ephemeral_issues_are_left_out_unless_included(bd: BdRunner) -> None:
    kept = make(bd, "kept")
    wisp = make(bd, "wisp", "--ephemeral")
    assert ids(bd("ready", "--json")) == [kept]
    assert ids(bd("list", "--json")) == [kept]
    assert sorted(ids(bd("list", "--include-ephemeral", "--json"))) == sorted([kept, wisp])
    assert sorted(ids(bd("ready", "--include-ephemeral", "--json"))) == sorted([kept, wisp])
    shown = bd("show", wisp).ok().stdout
    assert "Ephemeral: yes" in shown
    assert bd("stats", "--json").ok().json()["ready_issues"] == 1  # as many as ready lists
    # A claim of the next ready issue never takes an ephemeral one.
    claimed = bd("ready", "--claim", "--json").ok().json()
    assert [i["id"] for i in claimed] == [kept]
    assert bd("ready", "--claim", "--json").ok().json() == []


def test_exclude_type_and_metadata_key_filters(bd: BdRunner) -> None:
    bug = make(bd, "bug", "-t", "bug", "--metadata", "team=web")
    epic = make(bd, "epic", "-t", "epic")
    chore = make(bd, "chore", "-t", "chore", "--metadata", "team=null")
    task = make(bd, "task", "--metadata", "flag=true", "--metadata", "n=5")
    assert sorted(ids(bd("list", "--exclude-type", "epic,chore", "--json"))) == sorted([bug, task])
    ready = ids(bd("ready", "--exclude-type", "epic", "--exclude-type", "bug", "--json"))
    assert ready == [chore, task]  # oldest first within a priority
    # has-metadata-key: set and not null (as Go bd's JSON_EXTRACT IS NOT NULL)
    assert ids(bd("list", "--has-metadata-key", "team", "--json")) == [bug]
    # values compare as their JSON text
    assert ids(bd("list", "--metadata-field", "flag=true", "--json")) == [task]
    assert ids(
        bd("list", "--metadata-field", "n=5", "--metadata-field", "flag=true", "--json")
    ) == [task]
    assert ids(bd("list", "--metadata-field", "n=6", "--json")) == []
    assert ids(bd("list", "--metadata-field", "team=null", "--json")) == [chore]
    assert epic not in ids(bd("list", "--has-metadata-key", "team", "--json"))


def test_metadata_set_merged_replaced_unset_shown_and_exported(
    bd: BdRunner, repo: Path, settle: Callable[[], None]
) -> None:
    issue = make(bd, "x", "--metadata", "a=1", "--metadata", "b=text")
    got = bd("show", issue, "--json").ok().json()[0]["metadata"]
    assert got == {"a": 1, "b": "text"}
    # key=value on update sets that key and keeps the others
    bd("update", issue, "--metadata", "c=true").ok()
    bd("update", issue, "--set-metadata", "a=2", "--set-metadata", "d=null").ok()
    merged = bd("show", issue, "--json").ok().json()[0]["metadata"]
    assert merged == {"a": 2, "b": "text", "c": True, "d": None}
    bd("update", issue, "--unset-metadata", "b", "--unset-metadata", "c").ok()
    assert bd("show", issue, "--json").ok().json()[0]["metadata"] == {"a": 2, "d": None}
    human = bd("show", issue).ok().stdout
    assert "Metadata:" in human and "  a: 2" in human
    # a JSON object replaces the whole metadata
    replaced = bd("update", issue, "--metadata", '{"only": ["x", 1]}', "--json").ok().json()[0]
    assert replaced["metadata"] == {"only": ["x", 1]}
    settle()
    (line,) = [r for r in jsonl_lines(repo) if r["id"] == issue]
    assert line["metadata"] == {"only": ["x", 1]}


def test_metadata_from_a_file(bd: BdRunner, repo: Path) -> None:
    path = repo / "meta.json"
    path.write_text('{"gc.routed_to": "w", "retries": 3}', encoding="utf-8")
    issue = bd("create", "from file", "--metadata", f"@{path}", "--json").ok().json()
    assert issue["metadata"] == {"gc.routed_to": "w", "retries": 3}


def test_bad_metadata_input_is_refused_and_changes_nothing(bd: BdRunner) -> None:
    issue = make(bd, "x", "--metadata", "a=1")
    cases = [
        (("create", "y", "--metadata", "[1, 2]"), "JSON object"),
        (("create", "y", "--metadata", "{oops"), "invalid JSON"),
        (("create", "y", "--metadata", "novalue"), "key=value"),
        (("update", issue, "--set-metadata", "bad key=1"), "invalid metadata key"),
        (("update", issue, "--unset-metadata", "9lives"), "invalid metadata key"),
        (("update", issue, "--set-metadata", "a=2", "--unset-metadata", "a"), "both set"),
        (("list", "--metadata-field", "nokey"), "key=value"),
        (("ready", "--has-metadata-key", "a b"), "invalid metadata key"),
        (("create", "y", "--metadata", "@/nonexistent/meta.json"), "cannot read"),
    ]
    for argv, message in cases:
        run = bd(*argv)
        assert run.exit_code == 1, argv
        assert message in run.stderr, (argv, run.stderr)
    assert ids(bd("list", "--json")) == [issue]
    assert bd("show", issue, "--json").ok().json()[0]["metadata"] == {"a": 1}


@pytest.mark.parametrize("backend_name", ["daemon"])  # the typed client speaks to a daemon
def test_typed_client_filters_like_the_cli(bd: BdRunner, daemon: DaemonThread | None) -> None:
    assert daemon is not None
    with daemon.client() as client:
        routed = client.create("routed", metadata={"gc.routed_to": "w"}, ephemeral=True)
        client.create("epic", issue_type="epic", metadata={"gc.routed_to": "w"})
        client.create("plain")
        found = client.ready(
            metadata_fields={"gc.routed_to": "w"},
            include_ephemeral=True,
            exclude_types=["epic"],
            unassigned=True,
        )
        assert [i["id"] for i in found] == [routed["id"]]
        assert client.list_issues(has_metadata_key="gc.routed_to") != []
        updated = client.update(routed["id"], set_metadata={"n": 1}, unset_metadata=["x"])
        assert updated["metadata"] == {"gc.routed_to": "w", "n": 1}
    assert ids(bd(*GAS_CITY)) == []  # routed to "w", not worker-1
    via_cli = ids(
        bd("ready", "--include-ephemeral", "--metadata-field", "gc.routed_to=w", "--json")
    )
    assert routed["id"] in via_cli
    with daemon.client() as client:  # a claim takes the same filters (not the older epic)
        (claimed,) = client.ready(
            claim=True,
            metadata_fields={"gc.routed_to": "w"},
            include_ephemeral=True,
            exclude_types=["epic"],
        )
        assert claimed["id"] == routed["id"]


@pytest.mark.slow
def test_metadata_edits_of_two_clones_merge_key_by_key(tmp_path: Path) -> None:
    from conftest import run_bd_process, subprocess_env
    from test_agent_plugins import GIT_ENV, git

    env = subprocess_env(**GIT_ENV, BD_NO_DAEMON="1")

    def bd(path: Path, *args: str) -> Any:
        return run_bd_process(path, *args, "--json", env=env).ok().json()

    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    a, b = tmp_path / "a", tmp_path / "b"
    git(tmp_path, "clone", "-q", str(bare), str(a))
    bd(a, "init", "--prefix", "bd")
    issue = bd(a, "create", "shared", "--metadata", "keep=1", "--metadata", "x=old")["id"]
    bd(a, "sync")
    git(tmp_path, "clone", "-q", str(bare), str(b))
    bd(a, "update", issue, "--set-metadata", "x=from-a")
    bd(b, "update", issue, "--set-metadata", "y=from-b", "--unset-metadata", "keep")
    bd(a, "sync")
    bd(b, "sync")
    bd(a, "sync")
    expected = {"x": "from-a", "y": "from-b"}
    for clone in (a, b):
        assert bd(clone, "show", issue)[0]["metadata"] == expected
