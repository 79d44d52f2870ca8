"""Batches: in order, stop at the first failure, atomic mode, references to earlier results."""

from __future__ import annotations

import pytest

from bd_trio.errors import BdError
from conftest import OpRunner


def test_batch_runs_in_order_and_refers_to_earlier_results(ops: OpRunner) -> None:
    result = ops(
        "batch",
        operations=[
            {"op": "create", "args": {"title": "epic", "issue_type": "epic"}},
            {"op": "create", "args": {"title": "child"}},
            {
                "op": "dep_add",
                "args": {
                    "issue_id": {"$ref": "1.id"},
                    "depends_on_id": {"$ref": "0.id"},
                    "type": "parent-child",
                },
            },
            {"op": "show", "args": {"id": {"$ref": "1.id"}}},
        ],
    )
    assert result["ok"] and not result["rolled_back"]
    assert [r["ok"] for r in result["results"]] == [True] * 4
    assert result["results"][3]["data"]["dependencies"][0]["id"] == "bd-1"


def test_batch_stops_at_first_failure_and_keeps_earlier_work(ops: OpRunner) -> None:
    result = ops(
        "batch",
        operations=[
            {"op": "create", "args": {"title": "kept"}},
            {"op": "create", "args": {"title": "bad", "priority": 9}},
            {"op": "create", "args": {"title": "never run"}},
        ],
    )
    assert not result["ok"]
    assert len(result["results"]) == 2
    assert result["results"][1]["error"]["code"] == "validation"
    assert [i["title"] for i in ops("list")] == ["kept"]


def test_atomic_batch_is_all_or_nothing(ops: OpRunner) -> None:
    ops("create", title="existing")
    before = ops.snapshot()
    result = ops(
        "batch",
        atomic=True,
        operations=[
            {"op": "create", "args": {"title": "a"}},
            {"op": "label_add", "args": {"id": "bd-1", "label": "x"}},
            {"op": "dep_add", "args": {"issue_id": "bd-2", "depends_on_id": "bd-404"}},
        ],
    )
    assert result["rolled_back"] and not result["ok"]
    assert result["results"][-1]["error"]["code"] == "not_found"
    assert ops.snapshot() == before
    # The counter was rolled back too: the next id is bd-2, not bd-3.
    assert ops("create", title="next")["id"] == "bd-2"


def test_failed_operation_inside_batch_leaves_no_partial_rows(ops: OpRunner) -> None:
    ops("create", title="a")
    ops("create", title="b")
    ops("dep_add", issue_id="bd-2", depends_on_id="bd-1")
    before = ops.snapshot()
    result = ops(
        "batch",
        operations=[{"op": "dep_add", "args": {"issue_id": "bd-1", "depends_on_id": "bd-2"}}],
    )
    assert result["results"][0]["error"]["code"] == "cycle"
    assert ops.snapshot() == before


@pytest.mark.parametrize(
    "operations",
    [
        "not a list",
        [{"op": "batch", "args": {}}],
        [{"op": "nope"}],
        [{"op": "create", "args": [1]}],
        [{"op": "create", "args": {}, "extra": 1}],
    ],
)
def test_malformed_batches_are_refused_before_running(ops: OpRunner, operations: object) -> None:
    with pytest.raises(BdError) as info:
        ops("batch", operations=operations)
    assert info.value.code == "bad_request"
    assert ops.count("issues") == 0


def test_bad_references_fail_that_operation(ops: OpRunner) -> None:
    result = ops(
        "batch",
        operations=[
            {"op": "create", "args": {"title": "a"}},
            {"op": "show", "args": {"id": {"$ref": "5.id"}}},
        ],
    )
    assert result["results"][1]["error"]["code"] == "bad_request"
    assert "earlier operation" in result["results"][1]["error"]["message"]
    result = ops(
        "batch",
        operations=[
            {"op": "create", "args": {"title": "a"}},
            {"op": "show", "args": {"id": {"$ref": "0.nope"}}},
        ],
    )
    assert "no 'nope'" in result["results"][1]["error"]["message"]
