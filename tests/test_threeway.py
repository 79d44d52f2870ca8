"""The three-way merge of issues.jsonl: properties (hypothesis) and the rules for each kind of
conflict."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bd_trio.sync import jsonl
from bd_trio.sync.threeway import merge_records, merge_texts

Record = dict[str, Any]
T0 = "2026-01-01T00:00:00.000000Z"


def ts(n: int) -> str:
    return f"2026-01-01T00:00:{n:02d}.000000Z"


def issue(n: int, **fields: Any) -> Record:
    record: Record = {
        "id": f"bd-{n}",
        "title": f"issue {n}",
        "description": "",
        "status": "open",
        "priority": 2,
        "issue_type": "task",
        "created_at": T0,
        "updated_at": T0,
        "labels": [],
        "dependencies": [],
        "comments": [],
    }
    record.update(fields)
    return jsonl.record_to_incoming(record).to_record()


def text(records: list[Record]) -> str:
    return "".join(json.dumps(r) + "\n" for r in sorted(records, key=lambda r: r["id"]))


def by_id(records: list[Record]) -> dict[str, Record]:
    return {r["id"]: r for r in records}


# --- strategies: a base and two sides edited from it ------------------------------------------

edit = st.one_of(
    st.tuples(st.just("title"), st.sampled_from(["x", "y", "z"])),
    st.tuples(st.just("priority"), st.integers(0, 4)),
    st.tuples(st.just("status"), st.sampled_from(["open", "in_progress", "closed"])),
    st.tuples(st.just("label+"), st.sampled_from(["a", "b", "c"])),
    st.tuples(st.just("label-"), st.sampled_from(["a", "b", "c"])),
    st.tuples(st.just("dep+"), st.integers(1, 6)),
    st.tuples(st.just("dep-"), st.integers(1, 6)),
    st.tuples(st.just("comment"), st.sampled_from(["hi", "done"])),
    st.tuples(st.just("delete"), st.just(None)),
    st.tuples(st.just("meta="), st.tuples(st.sampled_from("kmz"), st.sampled_from([1, "v", None]))),
    st.tuples(st.just("meta-"), st.sampled_from("kmz")),
)


def apply(record: Record, change: tuple[str, Any], when: int) -> Record:
    kind, value = change
    if kind == "delete":
        return {
            "id": record["id"],
            "tombstone": True,
            "title": record["title"],
            "deleted_at": ts(when),
            "deleted_by": "x",
        }
    r = json.loads(json.dumps(record))
    for name in ("labels", "dependencies", "comments"):  # Go's form omits them when empty
        r.setdefault(name, [])
    r["updated_at"] = ts(when)
    if kind in ("title", "priority", "status"):
        r[kind] = value
        if kind == "status":
            r.pop("closed_at", None)
            if value == "closed":
                r["closed_at"] = ts(when)
    elif kind == "label+":
        r["labels"] = sorted(set(r["labels"]) | {value})
    elif kind == "label-":
        r["labels"] = [x for x in r["labels"] if x != value]
    elif kind == "dep+" and value != int(r["id"].split("-")[1]):
        deps = {d["depends_on_id"]: d for d in r["dependencies"]}
        deps.setdefault(
            f"bd-{value}",
            {
                "issue_id": r["id"],
                "depends_on_id": f"bd-{value}",
                "type": "blocks",
                "created_at": T0,
                "created_by": "",
            },
        )
        r["dependencies"] = [deps[k] for k in sorted(deps)]
    elif kind == "dep-":
        r["dependencies"] = [d for d in r["dependencies"] if d["depends_on_id"] != f"bd-{value}"]
    elif kind == "meta=":
        r["metadata"] = {**r.get("metadata", {}), value[0]: value[1]}
    elif kind == "meta-":
        r["metadata"] = {k: v for k, v in r.get("metadata", {}).items() if k != value}
    elif kind == "comment":
        r["comments"].append({"author": "a", "text": value, "created_at": ts(when)})
    return jsonl.record_to_incoming(r).to_record()


@st.composite
def scenario(draw: Any) -> tuple[dict[str, Record], dict[str, Record], dict[str, Record]]:
    base = {
        f"bd-{n}": issue(n, labels=draw(st.lists(st.sampled_from("abc"), unique=True)))
        for n in range(1, draw(st.integers(1, 5)) + 1)
    }
    sides = []
    for _side in range(2):
        records = dict(base)
        for issue_id in list(records):
            if draw(st.booleans()):
                continue  # untouched
            for change in draw(st.lists(edit, max_size=3)):
                if records[issue_id].get("tombstone"):
                    break
                records[issue_id] = apply(records[issue_id], change, draw(st.integers(1, 59)))
        for n in draw(st.lists(st.integers(6, 8), unique=True, max_size=2)):  # new issues
            records[f"bd-{n}"] = issue(n, created_at=ts(draw(st.integers(1, 59))))
        if draw(st.booleans()) and len(records) > 1:  # a line dropped without a tombstone
            records.pop(draw(st.sampled_from(sorted(records))))
        sides.append(records)
    return base, sides[0], sides[1]


@settings(max_examples=300, deadline=None)
@given(scenario())
def test_merge_is_commutative(case: Any) -> None:
    base, a, b = case
    ab, ba = merge_records(base, a, b), merge_records(base, b, a)
    assert ab == ba
    assert [jsonl.dumps_record(ab[k]) for k in sorted(ab)] == [
        jsonl.dumps_record(ba[k]) for k in sorted(ba)
    ]  # the same bytes, key order included


@settings(max_examples=200, deadline=None)
@given(scenario())
def test_merge_with_an_unchanged_side_is_the_other_side(case: Any) -> None:
    base, a, _ = case
    assert merge_records(base, base, a) == {**{k: v for k, v in base.items() if k not in a}, **a}


@settings(max_examples=200, deadline=None)
@given(scenario())
def test_merge_is_idempotent_and_loses_nothing(case: Any) -> None:
    base, a, b = case
    merged = merge_records(base, a, b)
    assert merge_records(base, merged, merged) == merged
    assert merge_records(merged, merged, b) == merge_records(merged, b, merged)
    # Every id of either side is in the result (as an issue or a tombstone): nothing lost.
    assert set(a) | set(b) <= set(merged)


@settings(max_examples=100, deadline=None)
@given(scenario())
def test_merged_file_is_byte_identical_whichever_side_merges(case: Any) -> None:
    base, a, b = case
    as_text = [text(list(r.values())) for r in (base, a, b)]
    assert merge_texts(*as_text) == merge_texts(as_text[0], as_text[2], as_text[1])


# --- the rules, one conflict each -------------------------------------------------------------


def test_different_fields_changed_on_each_side_are_both_kept() -> None:
    base = by_id([issue(1)])
    ours = by_id([issue(1, title="ours", updated_at=ts(5))])
    theirs = by_id([issue(1, priority=0, updated_at=ts(9))])
    merged = merge_records(base, ours, theirs)["bd-1"]
    assert (merged["title"], merged["priority"], merged["updated_at"]) == ("ours", 0, ts(9))


def test_same_field_on_both_sides_takes_the_newer_and_ties_by_value() -> None:
    base = by_id([issue(1)])
    older = by_id([issue(1, title="older", updated_at=ts(5))])
    newer = by_id([issue(1, title="newer", updated_at=ts(9))])
    assert merge_records(base, older, newer)["bd-1"]["title"] == "newer"
    assert merge_records(base, newer, older)["bd-1"]["title"] == "newer"
    tie_a = by_id([issue(1, title="apple", updated_at=ts(5))])
    tie_b = by_id([issue(1, title="banana", updated_at=ts(5))])
    assert merge_records(base, tie_a, tie_b) == merge_records(base, tie_b, tie_a)


def test_labels_dependencies_and_comments_merge_as_sets() -> None:
    dep2 = {"issue_id": "bd-1", "depends_on_id": "bd-2", "type": "blocks", "created_at": T0}
    dep3 = {**dep2, "depends_on_id": "bd-3"}
    base = by_id([issue(1, labels=["keep", "drop"], dependencies=[dep2]), issue(2), issue(3)])
    ours = by_id(
        [
            issue(
                1,
                labels=["keep", "ours"],
                dependencies=[dep2, dep3],
                comments=[{"author": "a", "text": "from ours", "created_at": ts(3)}],
                updated_at=ts(3),
            ),
            issue(2),
            issue(3),
        ]
    )
    theirs = by_id(
        [
            issue(
                1,
                labels=["keep", "drop", "theirs"],
                dependencies=[],
                comments=[{"author": "b", "text": "from theirs", "created_at": ts(4)}],
                updated_at=ts(4),
            ),
            issue(2),
            issue(3),
        ]
    )
    merged = merge_records(base, ours, theirs)["bd-1"]
    assert merged["labels"] == ["keep", "ours", "theirs"]  # "drop" removed on ours
    assert [d["depends_on_id"] for d in merged["dependencies"]] == ["bd-3"]  # bd-2 removed
    assert [c["text"] for c in merged["comments"]] == ["from ours", "from theirs"]


def test_a_deletion_wins_over_an_edit_and_absence_deletes_nothing() -> None:
    base = by_id([issue(1), issue(2)])
    edited = by_id([issue(1, title="edited", updated_at=ts(30)), issue(2)])
    deleted = by_id(
        [
            {
                "id": "bd-1",
                "tombstone": True,
                "title": "issue 1",
                "deleted_at": ts(10),
                "deleted_by": "x",
            },
            issue(2),
        ]
    )
    merged = merge_records(base, edited, deleted)
    assert merged["bd-1"].get("tombstone") is True
    dropped = {"bd-2": issue(2)}  # bd-1 missing, no tombstone
    assert merge_records(base, dropped, base)["bd-1"] == issue(1)


def test_the_same_id_created_on_both_sides_keeps_both() -> None:
    ours = by_id([issue(1), issue(2, title="ours", created_at=ts(5))])
    theirs = by_id([issue(1), issue(2, title="theirs", created_at=ts(7))])
    merged = merge_records(by_id([issue(1)]), ours, theirs)
    assert merged["bd-2"]["title"] == "ours" and merged["bd-3"]["title"] == "theirs"
    assert merged == merge_records(by_id([issue(1)]), theirs, ours)


def test_comments_made_in_the_same_microsecond_keep_their_order() -> None:
    # Found by hypothesis in CI: the merge sorted a side's comments that the other side left
    # alone, so merging with an unchanged side reordered them.
    same_time = [
        {"author": "a", "text": "hi", "created_at": ts(1)},
        {"author": "a", "text": "done", "created_at": ts(1)},
    ]
    base = {"bd-1": issue(1)}
    ours = {"bd-1": issue(1, updated_at=ts(1), comments=same_time)}
    assert merge_records(base, base, ours) == ours == merge_records(base, ours, base)
    theirs = {"bd-1": issue(1, updated_at=ts(2), comments=[same_time[1]])}
    both = merge_records(base, ours, theirs)["bd-1"]["comments"]
    assert both == merge_records(base, theirs, ours)["bd-1"]["comments"]  # still symmetric
    assert sorted(c["text"] for c in both) == ["done", "hi"]


def test_metadata_merges_key_by_key() -> None:
    base = issue(1, metadata={"keep": 1, "drop": 2, "both": 0})
    ours = issue(1, metadata={"keep": 1, "both": 5, "mine": "m"}, updated_at=ts(2))
    theirs = issue(1, metadata={"keep": 1, "drop": 2, "both": 0, "theirs": "t"}, updated_at=ts(1))
    merged = merge_records({"bd-1": base}, {"bd-1": ours}, {"bd-1": theirs})["bd-1"]
    # drop: removed on ours; both: changed on ours only; mine and theirs: added on each side
    assert merged["metadata"] == {"keep": 1, "both": 5, "mine": "m", "theirs": "t"}
    assert list(merged["metadata"]) == ["keep", "both", "mine", "theirs"]


def test_ephemeral_merges_as_a_scalar() -> None:
    base = issue(1)
    ours = issue(1, ephemeral=True, updated_at=ts(1))
    merged = merge_records({"bd-1": base}, {"bd-1": ours}, {"bd-1": base})["bd-1"]
    assert merged["ephemeral"] is True
