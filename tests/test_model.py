"""Pure model pieces: validation messages, timestamps, the Issue JSON shape."""

from __future__ import annotations

import pytest

from bd_trio.errors import BdError
from bd_trio.model import clock, validate
from bd_trio.model.issue import Issue


@pytest.mark.parametrize("value", [-1, 5, 7, "1", 1.0, True, None])
def test_priority_rejects_out_of_range_and_wrong_types(value: object) -> None:
    with pytest.raises(BdError) as info:
        validate.priority(value)
    assert info.value.code == "validation"
    assert "priority" in info.value.message
    assert "0-4" in info.value.message


def test_enum_errors_list_the_allowed_values() -> None:
    with pytest.raises(BdError) as info:
        validate.issue_type("stroy")
    assert "bug, feature, task, epic, chore" in info.value.message
    with pytest.raises(BdError) as info:
        validate.status("done")
    assert "open, in_progress, blocked, closed" in info.value.message
    assert validate.status(" In_Progress ").value == "in_progress"


def test_title_limits() -> None:
    assert validate.title("  hi  ") == "hi"
    assert validate.title("x" * 500) == "x" * 500
    for bad in ("", "   ", "x" * 501, None, 3):
        with pytest.raises(BdError):
            validate.title(bad)


@pytest.mark.parametrize(
    "good",
    [
        "bd-1",
        "my-proj-12",
        "bd-a3f9",
        "X.y_z-0",
        "bd-a3f8.1",
        "bd-a3f8.1.2",
        "beads_rust-0v1.1",
        "bd-wisp-x1y",
        "ABC-7",
        "bd-A1",
        "gt-mol.3.10",
    ],
)
def test_issue_ids_accepted(good: str) -> None:
    assert validate.issue_id(good) == good


@pytest.mark.parametrize(
    "bad", ["bd", "bd-", "-1", "bd 1", "", "bd-1;drop", "bd-1.", 'bd-"1', "bd-1\\n"]
)
def test_issue_ids_rejected(bad: str) -> None:
    with pytest.raises(BdError):
        validate.issue_id(bad)


def test_labels_refuse_commas_and_spaces() -> None:
    assert validate.label("needs-review") == "needs-review"
    for bad in ("a,b", "a b", "", "x" * 101):
        with pytest.raises(BdError):
            validate.label(bad)


def test_timestamps_normalise_and_sort_as_text() -> None:
    assert clock.normalize_ts("2025-10-14T12:34:56Z") == "2025-10-14T12:34:56.000000Z"
    assert clock.normalize_ts("2025-10-14T12:34:56.123456789-07:00") == (
        "2025-10-14T19:34:56.123456Z"
    )
    first, second = clock.now(), clock.now()
    assert first <= second
    with pytest.raises(ValueError):
        clock.normalize_ts("yesterday")


def test_issue_json_omits_empty_optional_text_but_keeps_description() -> None:
    issue = Issue(id="bd-1", title="t", created_at="c", updated_at="u")
    data = issue.to_dict()
    assert data["description"] == ""
    assert data["labels"] == []
    for absent in ("design", "notes", "assignee", "closed_at", "external_ref"):
        assert absent not in data
    assert next(iter(data)) == "id"


def test_row_columns_are_in_issue_field_order() -> None:
    """Issue.from_row reads rows by position: the SELECT list must follow the field order."""
    from bd_trio.store.issues import ISSUE_COLUMNS

    columns = [c.strip() for c in ISSUE_COLUMNS.split(",")]
    from bd_trio.model.issue import COLUMN_NAMES, FIELDS

    assert columns == list(FIELDS[: len(columns)])
    assert list(FIELDS) == list(Issue.__init__.__code__.co_varnames[1 : len(FIELDS) + 1])
    assert len(columns) == len(COLUMN_NAMES)
