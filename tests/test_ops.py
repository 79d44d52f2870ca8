"""The operation table on a real SQLite file: semantics, audit trail, ids, validation."""

from __future__ import annotations

import pytest

from bd_trio.errors import BdError
from bd_trio.ops import OP_MODULES, load_all
from bd_trio.store import ids
from conftest import OpRunner


def test_create_assigns_sequential_ids_and_records_everything(ops: OpRunner) -> None:
    first = ops("create", title="First", priority=1, issue_type="bug", labels=["b", "a", "a"])
    second = ops("create", title="Second", dependencies=["bd-1", "related:bd-1"][:1])
    assert (first["id"], second["id"]) == ("bd-1", "bd-2")
    assert first["labels"] == ["a", "b"]
    assert first["priority"] == 1 and first["issue_type"] == "bug"
    assert first["created_at"] == first["updated_at"]
    shown = ops("show", id="bd-2")
    assert [d["id"] for d in shown["dependencies"]] == ["bd-1"]
    assert shown["dependencies"][0]["dependency_type"] == "blocks"
    assert [d["id"] for d in ops("show", id="bd-1")["dependents"]] == ["bd-2"]
    events = ops("events", id="bd-1")
    assert [e["event_type"] for e in events] == ["created"]
    assert events[0]["actor"] == "tester"
    assert ops.count("dirty_issues") == 2


def test_create_with_unknown_dependency_changes_nothing(ops: OpRunner) -> None:
    ops("create", title="One")
    before = ops.snapshot()
    with pytest.raises(BdError) as info:
        ops("create", title="Two", dependencies=["blocks:bd-9"])
    assert info.value.code == "not_found"
    assert "bd-9" in info.value.message
    assert ops.snapshot() == before


def test_explicit_id_moves_the_counter_and_is_never_reused(ops: OpRunner) -> None:
    ops("create", title="a")
    assert ops("create", title="b", id="bd-10")["id"] == "bd-10"
    assert ops("create", title="c")["id"] == "bd-11"
    with pytest.raises(BdError) as info:
        ops("create", title="dup", id="bd-10")
    assert info.value.code == "conflict"
    # A lower explicit id does not move the counter back.
    ops("create", title="d", id="bd-5")
    assert ops("create", title="e")["id"] == "bd-12"


def test_hash_ids_are_base36_and_grow_with_size(ops: OpRunner) -> None:
    ops.id_mode = "hash"
    created = {ops("create", title=f"t{i}")["id"] for i in range(50)}
    assert len(created) == 50
    for issue_id in created:
        prefix, _, suffix = issue_id.partition("-")
        assert prefix == "bd"
        assert len(suffix) == 4
        assert all(ch in ids.BASE36 for ch in suffix)
    assert ids.hash_length(0) == 4
    assert ids.hash_length(1_000) == 4
    assert ids.hash_length(100_000) == 6
    assert ids.hash_length(10**9) > ids.hash_length(10**6)


def test_update_changes_only_given_fields_and_audits_each(ops: OpRunner) -> None:
    ops("create", title="a", description="keep me")
    updated = ops("update", id="bd-1", priority=0, assignee="alice", status="in_progress")
    assert updated["description"] == "keep me"
    assert (updated["priority"], updated["assignee"], updated["status"]) == (
        0,
        "alice",
        "in_progress",
    )
    kinds = [e["event_type"] for e in ops("events", id="bd-1")]
    assert kinds.count("updated") == 2 and "status_changed" in kinds
    with pytest.raises(BdError) as info:
        ops("update", id="bd-1")
    assert "nothing to update" in info.value.message


def test_closed_at_is_set_exactly_when_closed(ops: OpRunner) -> None:
    ops("create", title="a")
    closed = ops("close", id="bd-1", reason="done")
    assert closed["status"] == "closed" and closed["closed_at"]
    again = ops("close", id="bd-1")
    assert again["closed_at"] == closed["closed_at"]  # idempotent
    reopened = ops("reopen", id="bd-1", reason="not done")
    assert reopened["status"] == "open" and "closed_at" not in reopened
    ops("update", id="bd-1", status="closed")
    assert ops("show", id="bd-1")["closed_at"]
    ops("update", id="bd-1", status="in_progress")
    assert "closed_at" not in ops("show", id="bd-1")
    kinds = [e["event_type"] for e in ops("events", id="bd-1")]
    assert kinds == ["created", "closed", "reopened", "closed", "reopened"]
    close_event = ops("events", id="bd-1")[1]
    assert close_event["comment"] == "done"


@pytest.mark.parametrize(
    ("op", "args", "code", "words"),
    [
        ("create", {"title": "x", "priority": 7}, "validation", "priority"),
        ("create", {"title": "x", "issue_type": "storyy"}, "validation", "issue_type"),
        ("create", {"title": ""}, "validation", "title"),
        ("create", {"title": "x" * 501}, "validation", "500"),
        ("create", {"title": "x", "priorty": 1}, "bad_request", "priorty"),
        ("create", {"title": 5}, "bad_request", "title"),
        ("update", {"id": "bd-1", "status": "done"}, "validation", "status"),
        ("update", {"id": "bd-404", "priority": 1}, "not_found", "bd-404"),
        ("show", {"id": "bd-404"}, "not_found", "bd-404"),
        ("close", {"id": "nope"}, "validation", "nope"),
        ("dep_add", {"issue_id": "bd-1", "depends_on_id": "bd-1"}, "validation", "itself"),
        ("dep_add", {"issue_id": "bd-1", "depends_on_id": "bd-404"}, "not_found", "bd-404"),
        (
            "dep_add",
            {"issue_id": "bd-1", "depends_on_id": "bd-2", "type": "x"},
            "validation",
            "type",
        ),
        ("list", {"limit": -1}, "validation", "limit"),
        ("label_add", {"id": "bd-1", "label": "a b"}, "validation", "label"),
        ("no_such_op", {}, "bad_request", "unknown operation"),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(
    ops: OpRunner, op: str, args: dict[str, object], code: str, words: str
) -> None:
    ops("create", title="one")
    ops("create", title="two")
    before = ops.snapshot()
    with pytest.raises(BdError) as info:
        ops(op, **args)
    assert info.value.code == code
    assert words in info.value.message
    assert ops.snapshot() == before


def test_labels_and_comments(ops: OpRunner) -> None:
    ops("create", title="a")
    ops("create", title="b")
    assert ops("label_add", id="bd-1", label="x")["status"] == "added"
    assert ops("label_add", id="bd-1", label="x")["status"] == "exists"
    ops("label_add", id="bd-2", label="x")
    ops("label_add", id="bd-2", label="y")
    assert ops("label_list", id="bd-2") == ["x", "y"]
    assert ops("label_list_all") == [{"label": "x", "count": 2}, {"label": "y", "count": 1}]
    assert ops("label_remove", id="bd-2", label="x")["status"] == "removed"
    assert [i["id"] for i in ops("list", labels=["x"])] == ["bd-1"]
    assert [i["id"] for i in ops("list", labels_any=["x", "y"])] == ["bd-2", "bd-1"]
    comment = ops("comment_add", id="bd-1", text="looks good")
    assert comment["author"] == "tester" and comment["issue_id"] == "bd-1"
    assert [c["text"] for c in ops("comments", id="bd-1")] == ["looks good"]
    with pytest.raises(BdError):
        ops("comment_add", id="bd-1", text="   ")


def test_list_filters_and_order(ops: OpRunner) -> None:
    ops("create", title="low old", priority=3)
    ops("create", title="high", priority=0, assignee="al", issue_type="bug")
    ops("create", title="low new", priority=3)
    ops("close", id="bd-2")
    assert [i["title"] for i in ops("list")] == ["high", "low new", "low old"]
    assert [i["id"] for i in ops("list", status="closed")] == ["bd-2"]
    assert [i["id"] for i in ops("list", status="all", limit=1)] == ["bd-2"]
    assert [i["id"] for i in ops("list", assignee="al")] == ["bd-2"]
    assert [i["id"] for i in ops("list", issue_type="bug")] == ["bd-2"]
    assert [i["id"] for i in ops("list", title="LOW")] == ["bd-3", "bd-1"]
    assert [i["id"] for i in ops("list", ids=["bd-1", "bd-3"])] == ["bd-3", "bd-1"]
    assert ops("list", priority=4) == []


def test_lazy_module_map_matches_the_registrations() -> None:
    table = load_all()
    assert set(table) == set(OP_MODULES)
    for name, spec in table.items():
        assert spec.run.__module__ == f"bd_trio.ops.{OP_MODULES[name]}", name


# Arguments that pass every other check of each operation, so the unknown one is what fails.
VALID_ARGS: dict[str, dict[str, object]] = {
    "create": {"title": "t"},
    "show": {"id": "bd-1"},
    "update": {"id": "bd-1", "title": "t"},
    "close": {"id": "bd-1"},
    "reopen": {"id": "bd-1"},
    "events": {"id": "bd-1"},
    "list": {},
    "ready": {},
    "blocked": {},
    "stats": {},
    "dep_add": {"issue_id": "bd-1", "depends_on_id": "bd-2"},
    "dep_remove": {"issue_id": "bd-1", "depends_on_id": "bd-2"},
    "dep_tree": {"id": "bd-1"},
    "dep_cycles": {},
    "label_add": {"id": "bd-1", "label": "x"},
    "label_remove": {"id": "bd-1", "label": "x"},
    "label_list": {"id": "bd-1"},
    "label_list_all": {},
    "comments": {"id": "bd-1"},
    "comment_add": {"id": "bd-1", "text": "hi"},
    "export": {},
    "export_lines": {},
    "import": {"jsonl": "", "source": "x.jsonl"},
    "batch": {"operations": [{"op": "stats", "args": {}}]},
    "claim": {"id": "bd-1"},
    "ready_claim": {},
    "heartbeat": {"id": "bd-1"},
    "unclaim": {"id": "bd-1"},
    "stale": {},
    "delete": {"ids": ["bd-1"]},
    "note_add": {"id": "bd-1", "text": "more"},
    "info": {},
    "migrate_inspect": {},
    "repair_deps": {"fix": False},
    "doctor": {"check": "validate"},
    "search": {"query": "x"},
    "epic_status": {"eligible_only": True},
    "epic_close_eligible": {},
    "parent_links": {"ids": ["bd-1"]},
}


def test_every_operation_rejects_unknown_arguments(ops: OpRunner) -> None:
    table = load_all()
    assert set(VALID_ARGS) == set(table)
    for name, spec in table.items():
        spec.parse_args(VALID_ARGS[name])  # valid as they are
        with pytest.raises(BdError) as info:
            spec.parse_args({**VALID_ARGS[name], "definitely_not_an_argument": 1})
        assert info.value.code == "bad_request", name
        assert "unknown argument(s) definitely_not_an_argument" in info.value.message, name
        assert info.value.details["field"] == "definitely_not_an_argument", name


def test_rpc_argument_names_are_accepted(ops: OpRunner) -> None:
    ops("create", title="a")
    ops("create", title="b")
    added = ops("dep_add", from_id="bd-2", to_id="bd-1", dep_type="parent-child")
    assert added == {
        "status": "added",
        "issue_id": "bd-2",
        "depends_on_id": "bd-1",
        "type": "parent-child",
    }
    assert ops("dep_remove", from_id="bd-2", to_id="bd-1")["status"] == "removed"
