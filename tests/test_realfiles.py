"""Real repositories' issues.jsonl, losslessly (issue 15): every shape is accepted, an
untouched record is written back byte for byte, a changed one in Go bd's form with every key
it had, known values get their meaning and unknown ones are kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bd_trio.errors import BdError
from bd_trio.sync import jsonl, recordmap
from bd_trio.sync.threeway import merge_texts
from conftest import BdRunner, OpRunner
from realshapes import SHAPES

ALL_LINES = list(SHAPES.values())


def file_of(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def exported(ops: OpRunner) -> list[str]:
    return list(ops("export_lines"))


def in_file_order(lines: list[str]) -> list[str]:
    return sorted(lines, key=jsonl.line_key)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_every_shape_is_accepted(ops: OpRunner, name: str) -> None:
    summary = ops("import", jsonl=SHAPES[name] + "\n")
    assert summary["created"] + summary["deleted"] + summary["unchanged"] >= 0
    # written back as it was read, even with a dependency on an issue the file lacks
    assert SHAPES[name] in exported(ops)


def test_a_dependency_on_an_absent_issue_is_kept_and_linked_when_it_arrives(
    ops: OpRunner,
) -> None:
    summary = ops("import", jsonl=SHAPES["child"] + "\n")
    assert "kept, not linked" in summary["warnings"][0]
    assert ops("list", parent="bd-a3f8") == []  # not linked: the parent is not here
    ops("import", jsonl=SHAPES["go-1.x"] + "\n")
    assert [i["id"] for i in ops("list", parent="bd-a3f8")] == ["bd-a3f8.1"]
    assert exported(ops) == in_file_order([SHAPES["child"], SHAPES["go-1.x"]])


def test_untouched_records_are_written_back_byte_for_byte(ops: OpRunner) -> None:
    ops("import", jsonl=file_of(ALL_LINES))
    assert exported(ops) == in_file_order(ALL_LINES)
    # and again after a second import of the same file (nothing changes)
    summary = ops("import", jsonl=file_of(ALL_LINES))
    assert summary["created"] == summary["updated"] == 0
    assert exported(ops) == in_file_order(ALL_LINES)


def test_an_edited_issue_keeps_every_key_in_go_form(ops: OpRunner) -> None:
    ops("import", jsonl=file_of(ALL_LINES))
    ops("update", id="bd-a3f8", notes="edited")
    line = next(x for x in exported(ops) if '"bd-a3f8"' in x and "Agent hook" in x)
    record = json.loads(line)
    before = json.loads(SHAPES["go-1.x"])
    assert {k: v for k, v in record.items() if k not in ("notes", "updated_at")} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    assert record["notes"] == "edited"
    # Go's key order (types.go), unknown keys after the known ones
    positions = [recordmap.GO_KEYS.index(k) for k in record if k in recordmap.GO_KEYS]
    assert positions == sorted(positions)
    # an untouched timestamp keeps its text (offset and digits); the new one is Go's UTC form
    assert record["created_at"] == "2026-01-02T03:04:05.678+01:00"
    assert record["started_at"] == "2026-01-02T03:04:05+01:00"
    assert record["updated_at"].endswith("Z")
    # the other records are still their lines
    others = [x for x in exported(ops) if x != line]
    assert others == in_file_order([x for x in ALL_LINES if x != SHAPES["go-1.x"]])


def test_go_escaping_of_a_changed_issue(ops: OpRunner) -> None:
    ops("import", jsonl=file_of(ALL_LINES))
    ops("update", id="bd-1", notes="a < b && c > d\u2028")
    line = next(x for x in exported(ops) if x.startswith('{"id":"bd-1"'))
    assert "a \\u003c b \\u0026\\u0026 c \\u003e d\\u2028" in line
    assert "<" not in line and "&" not in line
    assert json.loads(line)["title"] == "Fix <script> & escaping"


def test_known_values_get_their_meaning(ops: OpRunner) -> None:
    ops("import", jsonl=file_of(ALL_LINES))
    ready = {i["id"] for i in ops("ready", limit=0)}
    # hooked, deferred (and a future defer_until), pinned, custom statuses: never ready
    assert ready == {"bd-1", "beads_rust-0v1.1", "ABC-7", "proj.sub-12"}
    stats = ops("stats")
    assert stats["in_progress_issues"] == 1  # bd-a3f8 is hooked
    # a tombstone status is a deletion
    with pytest.raises(BdError):
        ops("show", id="bd-9")
    assert ops("stats")["summary"]["tombstone_issues"] == 1
    # br's parent_child is parent-child: the child is a descendant of its parent
    assert [i["id"] for i in ops("list", parent="bd-a3f8")] == ["bd-a3f8.1"]


def test_a_past_defer_until_makes_work_ready_again(ops: OpRunner) -> None:
    line = SHAPES["child"].replace('"deferred"', '"open"').replace("2099", "2001")
    line = line.split(',"dependencies"')[0] + "}"
    ops("import", jsonl=line + "\n")
    assert [i["id"] for i in ops("ready")] == ["bd-a3f8.1"]
    future = line.replace("2001", "2099").replace(
        '"updated_at":"2026-01-03T00:00:00Z"', '"updated_at":"2026-01-04T00:00:00Z"'
    )
    ops("import", jsonl=future + "\n")
    assert ops("ready") == []


def test_unknown_values_are_filterable(ops: OpRunner) -> None:
    ops("import", jsonl=file_of(ALL_LINES))
    assert [i["id"] for i in ops("list", status="review")] == ["bd-wisp-x1y"]
    assert [i["id"] for i in ops("list", issue_type="merge-request")] == ["bd-wisp-x1y"]
    assert [i["id"] for i in ops("list", issue_type="agent")] == ["bd-a3f8"]


def test_started_at_close_reason_and_owner(ops: OpRunner) -> None:
    issue = ops("create", title="work")
    assert "started_at" not in issue
    started = ops("update", id=issue["id"], status="in_progress")["started_at"]
    ops("update", id=issue["id"], status="open")
    assert ops("update", id=issue["id"], status="in_progress")["started_at"] == started
    closed = ops("close", id=issue["id"], reason="shipped")
    assert closed["close_reason"] == "shipped"
    assert "close_reason" not in ops("reopen", id=issue["id"])
    claimed = ops("create", title="claimed")
    assert ops("claim", id=claimed["id"])["started_at"]


def test_show_prints_close_reason_and_owner(bd: BdRunner, tmp_path: Path) -> None:
    source = tmp_path / "real.jsonl"
    source.write_text(file_of(ALL_LINES))
    bd("import", "-i", str(source)).ok()
    shown = bd("show", "bd-2").ok().stdout
    assert "Close reason: Done in abc123" in shown and "Owner: alice@example.com" in shown
    data = bd("show", "bd-a3f8", "--json").ok().json()[0]
    assert data["source_system"] == "gastown" and data["dependent_count"] == 1  # kept keys
    assert data["status"] == "hooked" and data["issue_type"] == "agent"
    listed = bd("list", "--status", "review", "--json").ok().json()
    assert [i["id"] for i in listed] == ["bd-wisp-x1y"]
    assert [i["id"] for i in bd("list", "-t", "molecule", "--json").ok().json()] == ["bd-a3f8.1.2"]
    out = tmp_path / "out.jsonl"
    bd("export", "-o", str(out)).ok()
    assert out.read_text() == file_of(in_file_order(ALL_LINES))


def test_unknown_keys_survive_a_three_way_merge() -> None:
    base = file_of(ALL_LINES)
    ours = base.replace('"agent_state": "idle"', '"agent_state": "busy"')
    ours = ours.replace('"source_system":"gastown"', '"source_system":"gastown","rig":"r1"')
    theirs = base.replace('"title": "Spaced out"', '"title": "Spaced in"')
    theirs = theirs.replace('"wisp_type":"patrol"', '"wisp_type":"patrol","extra_key":[1]')
    merged = merge_texts(base, ours, theirs)
    assert merged == merge_texts(base, theirs, ours)
    records = {jsonl.line_key(x): json.loads(x) for x in merged.splitlines()}
    spaced = records["proj.sub-12"]
    assert spaced["agent_state"] == "busy" and spaced["title"] == "Spaced in"
    assert spaced["parent"] == "proj.sub-1"
    assert records["bd-a3f8"]["rig"] == "r1"
    assert records["bd-wisp-x1y"]["extra_key"] == [1]
    # records nobody changed are their lines
    assert SHAPES["br"] in merged.splitlines() and SHAPES["memory"] in merged.splitlines()


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('{"id":"bd-1","title":{"a":1},"created_at":"2026-01-01T00:00:00Z"}', "got an object"),
        ('{"id":"bd-1","title":"t","created_at":5}', "field 'created_at' must be an RFC 3339"),
        ('{"id":"bd-1","title":"t","created_at":"2026-01-01T00:00:00Z","labels":"x"}', "array"),
        ('{"id":"bd 1","title":"t","created_at":"2026-01-01T00:00:00Z"}', "invalid issue id"),
        ('{"id":"bd-1","title":"t","created_at":"2026-01-01T00:00:00Z","status":7}', "number"),
    ],
)
def test_bad_input_names_file_line_and_field_and_imports_nothing(
    bd: BdRunner, tmp_path: Path, line: str, words: str
) -> None:
    source = tmp_path / "theirs.jsonl"
    source.write_text(SHAPES["br"] + "\n" + line + "\n")
    run = bd("import", "-i", str(source))
    assert run.exit_code == 1
    assert "theirs.jsonl line 2" in run.stderr and words in run.stderr, run.stderr
    assert bd("list", "--json").ok().json() == []


# --- property: any generated record set comes back byte-identical, and equal as data -----------

_word = st.text("abcxyz_-", min_size=1, max_size=6)
_value = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.text("a<&>é\u2028 ", max_size=5),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(_word, inner, max_size=2),
    max_leaves=4,
)
_stamp = st.sampled_from(
    [
        "2026-01-01T00:00:00Z",
        "2026-01-01T00:00:00.1Z",
        "2026-01-01T01:00:00+01:00",
        "2025-12-31T17:00:00.123456789-07:00",
    ]
)


@st.composite
def record_line(draw: st.DrawFn, n: int) -> str:
    record: dict[str, object] = {}
    if draw(st.booleans()):
        record["_type"] = "issue"
    record["id"] = (
        draw(st.sampled_from(["bd", "my-proj", "x_y", "A.b"]))
        + f"-{n}"
        + draw(st.sampled_from(["", ".1", ".1.2", "a3f"]))
    )
    record["title"] = draw(st.text("ab <>&é", min_size=1, max_size=8)).strip() or "t"
    record["status"] = draw(st.sampled_from(["open", "closed", "hooked", "review", "deferred"]))
    record["priority"] = draw(st.integers(0, 4))
    record["issue_type"] = draw(st.sampled_from(["task", "agent", "merge-request", "bug"]))
    record["created_at"] = draw(_stamp)
    record["updated_at"] = draw(_stamp)
    if record["status"] == "closed" and draw(st.booleans()):
        record["closed_at"] = draw(_stamp)
    for key in draw(st.lists(st.sampled_from(["foo", "rig", "content_hash", "zz"]), max_size=3)):
        record[key] = draw(_value)
    if draw(st.booleans()):
        record["metadata"] = draw(st.dictionaries(_word, _value, max_size=3))
    items = list(record.items())
    if draw(st.booleans()):  # keys in any order, as some tools write them
        items = draw(st.permutations(items))
    separators = draw(st.sampled_from([(",", ":"), (", ", ": ")]))
    return json.dumps(dict(items), ensure_ascii=draw(st.booleans()), separators=separators)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.integers(1, 40), unique=True, min_size=1, max_size=6).flatmap(
        lambda ns: st.tuples(*(record_line(n) for n in ns))
    )
)
def test_import_export_is_byte_identical_for_untouched_records(
    tmp_path_factory: pytest.TempPathFactory, lines: tuple[str, ...]
) -> None:
    ids = [jsonl.line_key(x) for x in lines]
    if len(set(ids)) != len(ids):
        return
    runner = OpRunner(tmp_path_factory.mktemp("prop") / "p.db")
    try:
        runner("import", jsonl=file_of(list(lines)))
        out = exported(runner)
        assert out == in_file_order(list(lines))
        # equal as data after an edit of every issue, with every key kept
        for key in ids:
            runner("update", id=key, notes="touched")
        for before, after in zip(in_file_order(list(lines)), exported(runner), strict=True):
            old, new = json.loads(before), json.loads(after)
            assert new.pop("notes") == "touched"
            # every key kept (an empty metadata object is omitted, as a modelled field's empty
            # value is: Go's omitempty); untouched timestamps keep their text
            kept = {k for k in old if k != "updated_at" and not (k == "metadata" and not old[k])}
            assert kept <= set(new)
            for key in kept - {"created_at", "closed_at"}:
                assert new[key] == old[key], key
            for key in kept & {"created_at", "closed_at"}:
                assert new[key] == old[key], key
    finally:
        runner.store.close()


def test_a_big_import_is_searchable_and_keeps_the_index_trigger(ops: OpRunner) -> None:
    """Above BULK_TEXT_INDEX_MIN new issues the full-text index is filled in one statement;
    the trigger is back afterwards (issues created later are found too)."""
    from bd_trio.store.issues import BULK_TEXT_INDEX_MIN

    lines = [
        json.dumps(
            {
                "id": f"big-{n}",
                "title": f"needle{n % 3} haystack",
                "created_at": "2026-01-01T00:00:00Z",
            }
        )
        for n in range(BULK_TEXT_INDEX_MIN + 5)
    ]
    ops("import", jsonl=file_of(lines))
    assert len(ops("search", query="needle1", limit=5000)) == len(range(1, len(lines), 3))
    ops("create", title="needle1 later")
    assert any(i["title"] == "needle1 later" for i in ops("search", query="needle1", limit=5000))
    triggers = ops.store.conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'trigger' AND name = 'issues_fts_insert'"
    ).fetchall()
    assert len(triggers) == 1


def test_a_file_in_go_1x_order_is_rewritten_sorted_once_without_losing_a_line(
    ops: OpRunner, tmp_path: Path
) -> None:
    """Go bd 1.x exports in priority order: the incremental export (a binary search by id)
    must not run over such a file; it is rewritten whole, sorted by id, lines unchanged."""
    from bd_trio.model import clock
    from bd_trio.sync import files
    from bd_trio.sync.summary import ImportOptions

    path = tmp_path / "issues.jsonl"
    unsorted = sorted(ALL_LINES, key=lambda x: x[::-1])  # any order but the ids'
    assert unsorted != in_file_order(ALL_LINES)
    path.write_text(file_of(unsorted))
    opts = ImportOptions(actor="t", prefix="bd", id_mode="sequential", now=clock.now())
    with ops.store.transaction() as conn:
        files.auto_import(conn, path, opts)
        assert not files.sorted_by_id(path.read_bytes())
    ops("update", id="bd-wisp-x1y", notes="changed")
    with ops.store.transaction() as conn:
        files.flush(conn, path)
    lines = path.read_text().splitlines()
    assert lines == exported(ops)
    assert len(lines) == len(ALL_LINES) and len(set(lines)) == len(lines)
    assert [x for x in lines if "bd-wisp-x1y" not in x] == in_file_order(
        [x for x in ALL_LINES if "bd-wisp-x1y" not in x]
    )
