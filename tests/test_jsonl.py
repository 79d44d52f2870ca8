"""JSONL export/import: the codec, refusal of bad files, merge semantics and round trips."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bd_trio.errors import BdError
from bd_trio.sync import jsonl
from conftest import OpRunner


def export_text(ops: OpRunner) -> str:
    return jsonl.encode(ops("export")).decode()


def test_export_is_sorted_compact_and_id_first(ops: OpRunner) -> None:
    for i in range(12):
        ops("create", title=f"t{i}", labels=["z", "a"])
    ops("dep_add", issue_id="bd-10", depends_on_id="bd-2")
    ops("comment_add", id="bd-10", text="hi")
    text = export_text(ops)
    lines = text.splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == sorted(ids)  # string order: bd-1, bd-10, bd-11, bd-12, bd-2...
    assert all(line.startswith('{"id":"') and ": " not in line[:40] for line in lines)
    record = json.loads(lines[ids.index("bd-10")])
    assert record["labels"] == ["a", "z"]
    assert record["dependencies"][0]["depends_on_id"] == "bd-2"
    assert record["comments"][0]["text"] == "hi"
    assert text.endswith("\n")


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            '{"id":"bd-1","title":"a","created_at":"2026-01-01T00:00:00Z"}\n<<<<<<< HEAD\n',
            2,
            "conflict marker",
        ),
        (
            '{"id":"bd-1","title":"a","created_at":"2026-01-01T00:00:00Z"}\n=======\n',
            2,
            "conflict marker",
        ),
        ('\n\n{"id": "bd-1", "title": \n', 3, "not valid JSON"),
        ("[1, 2]\n", 1, "JSON object"),
        (
            '{"id":"bd-1","title":"a","created_at":"2026-01-01T00:00:00Z","priority":9}\n',
            1,
            "priority",
        ),
        ('{"id":"bd-1","title":"","created_at":"2026-01-01T00:00:00Z"}\n', 1, "title"),
        ('{"id":"bd-1","title":"a"}\n', 1, "created_at"),
        ('{"id":"bd-1","title":"a","created_at":"soon"}\n', 1, "RFC 3339"),
        (
            '{"id":"bd-1","title":"a","created_at":"2026-01-01T00:00:00Z"}\n'
            '{"id":"bd-1","title":"b","created_at":"2026-01-01T00:00:00Z"}\n',
            2,
            "appears twice",
        ),
    ],
)
def test_bad_files_are_refused_with_the_line_number_and_nothing_imported(
    ops: OpRunner, text: str, line: int, words: str
) -> None:
    ops("create", title="existing")
    before = ops.snapshot()
    with pytest.raises(BdError) as info:
        ops("import", jsonl=text)
    assert f"line {line}" in info.value.message
    assert words in info.value.message
    assert "nothing was imported" in info.value.message
    assert info.value.details["line"] == line
    assert ops.snapshot() == before


def _incoming(issue_id: str, title: str, created: str, updated: str, **extra: object) -> str:
    record = {"id": issue_id, "title": title, "created_at": created, "updated_at": updated}
    record.update(extra)
    return json.dumps(record)


def test_import_creates_updates_newer_and_keeps_local_when_local_is_newer(
    ops: OpRunner,
) -> None:
    local = ops("create", title="mine")
    created = local["created_at"]
    newer = "2999-01-01T00:00:00.000000Z"
    text = "\n".join(
        [
            _incoming("bd-1", "changed elsewhere", created, newer, labels=["x"]),
            _incoming("bd-7", "new", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
        ]
    )
    summary = ops("import", jsonl=text)
    assert (summary["created"], summary["updated"]) == (1, 1)
    shown = ops("show", id="bd-1")
    assert shown["title"] == "changed elsewhere" and shown["labels"] == ["x"]
    # The counter moved past the imported id.
    assert ops("create", title="next")["id"] == "bd-8"
    # An older incoming version does not overwrite.
    older = _incoming("bd-1", "stale", created, "2000-01-01T00:00:00Z")
    summary = ops("import", jsonl=older)
    assert summary["updated"] == 0 and summary["unchanged"] == 1
    assert ops("show", id="bd-1")["title"] == "changed elsewhere"
    # Importing the same data twice changes nothing.
    again = ops("import", jsonl=text)
    assert again["created"] == 0 and again["updated"] == 0


def test_skip_existing_and_dry_run(ops: OpRunner) -> None:
    local = ops("create", title="mine")
    text = _incoming("bd-1", "theirs", local["created_at"], "2999-01-01T00:00:00Z")
    assert ops("import", jsonl=text, skip_existing=True)["skipped"] == 1
    before = ops.snapshot()
    summary = ops(
        "import",
        jsonl=text + "\n" + _incoming("bd-2", "n", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
        dry_run=True,
    )
    assert summary["dry_run"] and summary["updated"] == 1 and summary["created"] == 1
    assert ops.snapshot() == before


def test_collision_renames_incoming_issue_and_rewrites_references(ops: OpRunner) -> None:
    ops("create", title="local one")
    incoming = "\n".join(
        [
            _incoming("bd-1", "their one", "2020-01-01T00:00:00Z", "2020-01-01T00:00:00Z"),
            _incoming(
                "bd-2",
                "their two",
                "2020-01-02T00:00:00Z",
                "2020-01-02T00:00:00Z",
                description="follow-up of bd-1 (not bd-10)",
                dependencies=[{"depends_on_id": "bd-1", "type": "blocks"}],
            ),
        ]
    )
    summary = ops("import", jsonl=incoming)
    assert summary["collisions"] == [{"old_id": "bd-1", "new_id": "bd-3", "title": "their one"}]
    assert ops("show", id="bd-1")["title"] == "local one"
    assert ops("show", id="bd-3")["title"] == "their one"
    two = ops("show", id="bd-2")
    assert [d["id"] for d in two["dependencies"]] == ["bd-3"]
    assert two["description"] == "follow-up of bd-3 (not bd-10)"
    # Importing the same file again recognises the renamed issue instead of duplicating it.
    again = ops("import", jsonl=incoming)
    assert again["created"] == 0
    assert ops("stats")["total_issues"] == 3


def test_missing_dependency_targets_warn_or_fail_in_strict_mode(ops: OpRunner) -> None:
    text = _incoming(
        "bd-1",
        "a",
        "2020-01-01T00:00:00Z",
        "2020-01-01T00:00:00Z",
        dependencies=[{"depends_on_id": "bd-99", "type": "blocks"}],
    )
    before = ops.snapshot()
    with pytest.raises(BdError) as info:
        ops("import", jsonl=text, strict=True)
    assert "bd-99" in info.value.message
    assert ops.snapshot() == before
    summary = ops("import", jsonl=text)
    assert summary["created"] == 1
    assert "bd-99" in summary["warnings"][0]


def test_go_bd_style_lines_are_accepted(ops: OpRunner) -> None:
    line = json.dumps(
        {
            "id": "bd-3",
            "title": "from go",
            "description": "",
            "status": "closed",
            "priority": 1,
            "issue_type": "bug",
            "created_at": "2025-10-14T12:34:56.123456789-07:00",
            "updated_at": "2025-10-15T12:34:56Z",
        }
    )
    ops("import", jsonl=line)
    shown = ops("show", id="bd-3")
    assert shown["created_at"] == "2025-10-14T19:34:56.123456Z"
    assert shown["closed_at"] == "2025-10-15T12:34:56.000000Z"


texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=40
)
titles = texts.filter(lambda t: t.strip() != "").map(lambda t: t.strip()[:500])
labels = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz-_:0123456789", min_size=1, max_size=8),
    max_size=3,
)


@st.composite
def graphs(draw: st.DrawFn) -> list[dict[str, object]]:
    n = draw(st.integers(min_value=1, max_value=8))
    issues = []
    for i in range(n):
        issues.append(
            {
                "title": draw(titles),
                "description": draw(texts),
                "notes": draw(texts),
                "priority": draw(st.integers(0, 4)),
                "issue_type": draw(st.sampled_from(["bug", "feature", "task", "epic", "chore"])),
                "assignee": draw(st.sampled_from(["", "alice", "bob"])),
                "labels": draw(labels),
                "close": draw(st.booleans()),
                "comment": draw(texts),
                "deps": draw(
                    st.lists(
                        st.tuples(
                            st.integers(0, max(i - 1, 0)),
                            st.sampled_from(["blocks", "related", "parent-child"]),
                        ),
                        max_size=2,
                    )
                )
                if i
                else [],
            }
        )
    return issues


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(graph=graphs())
def test_export_import_export_is_byte_identical(
    tmp_path: Path, graph: list[dict[str, object]]
) -> None:
    source = OpRunner(tmp_path / f"src-{id(graph)}.db")
    target = OpRunner(tmp_path / f"dst-{id(graph)}.db")
    try:
        created = []
        for spec in graph:
            args = {
                k: spec[k]
                for k in (
                    "title",
                    "description",
                    "notes",
                    "priority",
                    "issue_type",
                    "assignee",
                    "labels",
                )
            }
            issue = source("create", **args)
            created.append(issue["id"])
            for index, dep_type in spec["deps"]:  # type: ignore[attr-defined]
                with contextlib.suppress(BdError):  # a duplicate pair
                    source(
                        "dep_add", issue_id=issue["id"], depends_on_id=created[index], type=dep_type
                    )
            if str(spec["comment"]).strip():
                source("comment_add", id=issue["id"], text=spec["comment"])
            if spec["close"]:
                source("close", id=issue["id"])
        first = jsonl.encode(source("export"))
        target("import", jsonl=first.decode())
        second = jsonl.encode(target("export"))
        assert second == first
    finally:
        source.store.close()
        target.store.close()
