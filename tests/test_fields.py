"""One declaration of the issue's fields (model.issue.COLUMNS): the schema, the row mapping,
the JSON shape, the JSONL record and the typed client dict must all agree with it."""

from __future__ import annotations

import sqlite3
import typing
from pathlib import Path
from typing import Any

from bd_trio.client import types as client_types
from bd_trio.model.issue import COLUMNS, FIELDS, Issue
from bd_trio.store.connection import Store
from bd_trio.store.issues import get_issue, insert_issue
from bd_trio.sync.records import issue_record

# A value for every column, none of them empty (so nothing is omitted from the JSON).
FULL: dict[str, Any] = {
    "id": "bd-1",
    "title": "t",
    "description": "d",
    "design": "de",
    "acceptance_criteria": "ac",
    "notes": "n",
    "status": "closed",
    "priority": 1,
    "issue_type": "bug",
    "assignee": "a",
    "created_at": "2025-01-01T00:00:00.000000Z",
    "updated_at": "2025-01-02T00:00:00.000000Z",
    "closed_at": "2025-01-03T00:00:00.000000Z",
    "external_ref": "gh-1",
    "created_by": "me",
    "metadata": {"k": "v", "n": [1, 2]},
    "ephemeral": True,
    "owner": "o@example.com",
    "started_at": "2025-01-01T01:00:00.000000Z",
    "close_reason": "done",
    "defer_until": "2025-02-01T00:00:00.000000Z",
    "extra": {"source_repo": ".", "compaction_level": 1},
}
SPREAD = {c.name for c in COLUMNS if c.shown == "spread"}


def _empty_value(kind: str) -> Any:
    return {"text": "", "time?": None, "json": {}, "bool": False}[kind]


def test_every_column_has_a_full_value() -> None:
    assert list(FULL) == [c.name for c in COLUMNS]


def test_schema_columns_are_the_declared_ones(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    try:
        names = [row[1] for row in store.conn.execute("PRAGMA table_info(issues)")]
    finally:
        store.close()
    assert names == [c.name for c in COLUMNS]


def test_row_mapping_round_trips_every_column(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    try:
        with store.transaction() as conn:
            insert_issue(conn, Issue(**FULL, labels=["b", "a"]))
            got = get_issue(conn, "bd-1")
            raw = conn.execute("SELECT metadata, ephemeral FROM issues").fetchone()
    finally:
        store.close()
    assert got == Issue(**FULL, labels=["a", "b"])
    assert tuple(raw) == ('{"k":"v","n":[1,2]}', 1)  # compact JSON text; 0/1


def test_column_values_are_each_columns_value() -> None:
    issue = Issue(**FULL)
    assert issue.column_values() == tuple(issue.column_value(c.name) for c in COLUMNS)


def test_go_record_fast_path_equals_the_general_one() -> None:
    from bd_trio.store.issues import DepRecord
    from bd_trio.sync import recordmap

    dep = DepRecord("bd-1", "bd-2", "blocks", "2025-01-01T00:00:00.000000Z", "")
    comment = {"author": "a", "text": "t", "created_at": "2025-01-01T00:00:00.000000Z"}
    for values in (
        {**FULL, "extra": {}},
        {**FULL, "extra": {}, "description": "", "metadata": {}, "labels": ["x"]},
        {"id": "bd-1", "title": "t", "created_at": "c", "updated_at": "u"},
    ):
        issue = Issue(**values)
        for deps, comments in (([], []), ([dep], [comment])):
            fast = recordmap.go_record(issue, deps, comments)
            general = recordmap.go_record_general(issue, deps, comments)
            assert fast == general and list(fast) == list(general)


def test_json_shape_follows_the_declaration() -> None:
    data = Issue(**FULL).to_dict()
    # every column, in declared order; a spread column's keys in its place
    expected = [k for name in FULL for k in (FULL[name] if name in SPREAD else [name])]
    assert [k for k in data if k != "labels"] == expected
    assert list(data)[-1] == "labels"
    for column in COLUMNS:
        if column.shown != "nonempty":
            continue
        values = {**FULL, column.name: _empty_value(column.kind)}
        if column.name == "closed_at":
            values["status"] = "open"
        assert column.name not in Issue(**values).to_dict(), column.name
    minimal = Issue(id="bd-1", title="t").to_dict()
    assert [k for k in minimal if k != "labels"] == [c.name for c in COLUMNS if c.shown == "always"]


def test_spread_keys_never_replace_a_declared_field() -> None:
    issue = Issue(**{**FULL, "extra": {"title": "shadow", "x": 1}})
    assert issue.to_dict()["title"] == "t" and issue.to_dict()["x"] == 1


def test_jsonl_record_holds_every_column() -> None:
    record = issue_record(Issue(**FULL), [], [])
    assert set(FULL) - SPREAD <= set(record)
    assert set(FULL["extra"]) <= set(record)


def test_typed_client_dict_matches_the_json_shape() -> None:
    hints = typing.get_type_hints(client_types.Issue, include_extras=True)
    optional = {k for k, hint in hints.items() if typing.get_origin(hint) is typing.NotRequired}
    assert set(hints) == set(FIELDS) - SPREAD
    for column in COLUMNS:
        if column.name in SPREAD:
            continue
        assert (column.name in optional) == (column.shown == "nonempty"), column.name
    assert "labels" not in optional and "claim" in optional


def test_metadata_column_holds_an_object_or_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    try:
        with store.transaction() as conn:
            insert_issue(conn, Issue(id="bd-2", title="t", created_at="c", updated_at="u"))
            assert tuple(conn.execute("SELECT metadata, ephemeral FROM issues").fetchone()) == (
                "",
                0,
            )
    finally:
        store.close()
    assert sqlite3  # the stored form is plain SQLite text/integer, readable by other tools
