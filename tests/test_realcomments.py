"""Comments and dependencies keep every key they were read with (issue 15, "nothing is
dropped"): through import -> edit -> export -> three-way merge -> renumber, written in Go bd's
form when their issue changed; untouched lines stay byte for byte."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bd_trio.model import clock
from bd_trio.store.renumber import renumber
from bd_trio.sync import jsonl
from bd_trio.sync.threeway import merge_texts
from conftest import BdRunner, OpRunner
from realshapes import KEPT_KEY_SHAPES

LINES = list(KEPT_KEY_SHAPES.values())


def file_of(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def exported(ops: OpRunner) -> dict[str, str]:
    return {jsonl.line_key(line): line for line in ops("export_lines")}


def nested(line: str) -> dict[str, Any]:
    """What must survive of a line: its comments and dependencies, every key, in order."""
    record = json.loads(line)
    return {
        "comments": [list(c.items()) for c in record.get("comments", [])],
        "dependencies": [list(d.items()) for d in record.get("dependencies", [])],
    }


@pytest.mark.parametrize("name", sorted(KEPT_KEY_SHAPES))
def test_every_key_survives_an_edit(ops: OpRunner, name: str) -> None:
    ops("import", jsonl=file_of(LINES))
    line = KEPT_KEY_SHAPES[name]
    key = jsonl.line_key(line)
    assert exported(ops)[key] == line  # untouched: byte for byte
    ops("update", id=key, notes="edited")
    after = exported(ops)[key]
    assert after != line and json.loads(after)["notes"] == "edited"
    # every key of every comment and dependency, its value and its text (timestamps too)
    assert nested(after) == nested(line)


def test_go_comments_are_written_in_go_order_with_go_escaping(ops: OpRunner) -> None:
    ops("import", jsonl=file_of(LINES))
    ops("update", id="cm-1", priority=0)
    line = exported(ops)["cm-1"]
    assert (
        '"comments":[{"id":41,"issue_id":"cm-1","author":"alice","text":"first \\u003cb\\u003e",'
        '"created_at":"2026-02-01T00:00:01.5Z"},{"id":42,"issue_id":"cm-1","author":"bob",'
        '"text":"second","created_at":"2026-02-01T01:00:02+01:00"}]'
    ) in line


def test_a_new_comment_leaves_the_kept_keys_of_the_others(ops: OpRunner) -> None:
    ops("import", jsonl=file_of(LINES))
    ops("comment_add", id="cm-2", text="ours")
    comments = json.loads(exported(ops)["cm-2"])["comments"]
    assert comments[0] == json.loads(KEPT_KEY_SHAPES["peer-comment"])["comments"][0]
    assert set(comments[1]) == {"author", "text", "created_at"}  # ours: bd-trio's own shape


def test_a_reimported_comment_takes_the_files_kept_keys(ops: OpRunner) -> None:
    """A comment matched by author, time and text whose other keys changed in the file (a
    teammate's tool edited it): the file's version is stored."""
    ops("import", jsonl=file_of(LINES))
    changed = KEPT_KEY_SHAPES["peer-comment"].replace('{"+1":2}', '{"+1":3}')
    changed = changed.replace(
        '"2026-02-02T00:00:00-07:00","comments"', '"2026-02-03T00:00:00Z","comments"'
    )
    summary = ops("import", jsonl=changed + "\n")
    assert summary["updated"] == 1
    assert exported(ops)["cm-2"] == changed
    assert ops.count("comments") == 3  # matched, not added twice


def test_kept_keys_survive_a_three_way_merge() -> None:
    base = file_of(LINES)
    # ours: edits a comment's own key and the issue; theirs: edits the dependency's own key
    ours = base.replace('"edited":true', '"edited":false').replace(
        '"title":"Go comments"', '"title":"Go comments, ours"'
    )
    ours = ours.replace(
        '"updated_at":"2026-02-01T00:00:00Z"', '"updated_at":"2026-02-05T00:00:00Z"'
    )
    theirs = base.replace('"thread_id":"t-9"', '"thread_id":"t-10"')
    theirs = theirs.replace(
        '"created_at":"2026-02-01T01:00:02+01:00"}]}',
        '"created_at":"2026-02-01T01:00:02+01:00"},{"id":43,"issue_id":"cm-1","author":"eve",'
        '"text":"third","created_at":"2026-02-04T00:00:00Z","lang":"en"}],'
        '"updated_at_note":"x"}',
    )
    merged = merge_texts(base, ours, theirs)
    assert merged == merge_texts(base, theirs, ours)
    records = {jsonl.line_key(x): json.loads(x) for x in merged.splitlines()}
    assert records["cm-2"]["comments"][0]["edited"] is False
    assert records["cm-2"]["comments"][0]["reactions"] == {"+1": 2}
    assert records["cm-3"]["dependencies"][0]["thread_id"] == "t-10"
    assert records["cm-3"]["dependencies"][0]["metadata"] == '{"why":"x"}'
    go = records["cm-1"]
    assert go["title"] == "Go comments, ours"
    assert [list(c) for c in go["comments"]] == [
        ["id", "issue_id", "author", "text", "created_at"],
        ["id", "issue_id", "author", "text", "created_at"],
        ["id", "issue_id", "author", "text", "created_at", "lang"],
    ]
    assert go["comments"][1]["created_at"] == "2026-02-01T01:00:02+01:00"  # its text
    assert go["comments"][2]["lang"] == "en"


def test_a_renumbered_issue_names_its_comments_and_dependencies(ops: OpRunner) -> None:
    ops("import", jsonl=file_of(LINES))
    with ops.store.transaction() as conn:
        renumber(conn, "cm-1", "cm-100", "t", clock.now())
    lines = exported(ops)
    moved = json.loads(lines["cm-100"])
    assert [c["issue_id"] for c in moved["comments"]] == ["cm-100", "cm-100"]
    assert [c["id"] for c in moved["comments"]] == [41, 42]
    dep = json.loads(lines["cm-3"])["dependencies"][0]
    assert dep["depends_on_id"] == "cm-100" and dep["thread_id"] == "t-9"


def test_both_backends_keep_comment_and_dependency_keys(bd: BdRunner, tmp_path: Path) -> None:
    source = tmp_path / "go.jsonl"
    source.write_text(file_of(LINES))
    bd("import", "-i", str(source)).ok()
    bd("comments", "add", "cm-1", "from bd-trio").ok()
    bd("update", "cm-2", "--notes", "touched").ok()
    bd("dep", "add", "cm-3", "cm-2").ok()
    out = tmp_path / "out.jsonl"
    bd("export", "-o", str(out)).ok()
    lines = {jsonl.line_key(x): json.loads(x) for x in out.read_text().splitlines()}
    before = {jsonl.line_key(x): json.loads(x) for x in LINES}
    go = lines["cm-1"]["comments"]
    assert go[:2] == before["cm-1"]["comments"] and go[2]["text"] == "from bd-trio"
    assert lines["cm-2"]["comments"] == before["cm-2"]["comments"]
    kept, added = lines["cm-3"]["dependencies"]
    assert list(kept.items()) == list(before["cm-3"]["dependencies"][0].items())
    assert added["depends_on_id"] == "cm-2"


# --- property: any comment keys survive import -> edit -> export ------------------------------

_word = st.text("abcxyz_", min_size=1, max_size=5).filter(
    lambda k: k not in ("author", "text", "created_at")
)
_value = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text("a<&é ", max_size=4),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(_word, inner, max_size=2),
    max_leaves=4,
)
_stamp = st.sampled_from(
    ["2026-01-01T00:00:00Z", "2026-01-01T01:00:00.25+01:00", "2025-12-31T17:00:00.5-07:00"]
)


@st.composite
def comment(draw: st.DrawFn, issue_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if draw(st.booleans()):  # Go bd's keys first
        out["id"] = draw(st.integers(1, 999))
        out["issue_id"] = issue_id
    out["author"] = draw(st.sampled_from(["a", "b"]))
    out["text"] = draw(st.text("xy <&", min_size=1, max_size=4))
    out["created_at"] = draw(_stamp)
    for key in draw(st.lists(_word, max_size=2, unique=True)):
        out[key] = draw(_value)
    return out


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(comment("pc-1"), min_size=1, max_size=4))
def test_any_comment_keys_survive_import_edit_export(
    tmp_path_factory: pytest.TempPathFactory, comments: list[dict[str, Any]]
) -> None:
    record = {
        "id": "pc-1",
        "title": "t",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
        "comments": comments,
    }
    line = jsonl.dumps_record(record)
    runner = OpRunner(tmp_path_factory.mktemp("comments") / "p.db")
    try:
        runner("import", jsonl=line + "\n")
        assert exported(runner)["pc-1"] == line
        runner("update", id="pc-1", notes="touched")
        after = json.loads(exported(runner)["pc-1"])["comments"]

        # the same comments (as a multiset: time order), every key and value kept
        def canon(items: list[dict[str, Any]]) -> list[str]:
            return sorted(json.dumps(c, sort_keys=True) for c in items)

        assert canon(after) == canon(comments)
    finally:
        runner.store.close()
