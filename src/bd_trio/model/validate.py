"""Value checks shared by operations and import. Each error names the field and what is allowed."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import TypeVar

from bd_trio.errors import BdError
from bd_trio.model.enums import (
    DEP_TYPE_ALIASES,
    LABEL_MAX,
    PRIORITY_MAX,
    PRIORITY_MIN,
    TITLE_MAX,
    DepType,
    IssueType,
    Status,
)

E = TypeVar("E", bound=StrEnum)

# An issue id is a prefix, a dash and a suffix, as every bd and its peers write them:
# `bd-12`, `bd-a3f9`, children `bd-a3f8.1.2`, prefixes with `-`, `_`, `.` or capitals
# (`my-proj-3`, `beads_rust-0v1.1`, `ABC-7`), compound ids (`bd-wisp-x1y`). Letters, digits,
# `_`, `.` and `-`; at least one dash not at either end.
ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*-[A-Za-z0-9_.]*[A-Za-z0-9]$")
PREFIX_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
# A status, type or dependency type read from a file: any such word is kept (upstream allows
# custom ones); what is refused is what cannot be a value of that kind (spaces, punctuation).
TOKEN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,63}$")


def _choices(enum: type[StrEnum]) -> str:
    return ", ".join(member.value for member in enum)


def enum_value(enum: type[E], value: object, field: str) -> E:
    if isinstance(value, str):
        try:
            return enum(value.strip().lower())
        except ValueError:
            pass
    raise BdError(
        "validation",
        f"invalid {field} {value!r}: must be one of {_choices(enum)}",
        field=field,
    )


def status(value: object) -> Status:
    return enum_value(Status, value, "status")


def issue_type(value: object) -> IssueType:
    return enum_value(IssueType, value, "issue_type")


def dep_type(value: object) -> DepType:
    if isinstance(value, str) and value.strip().lower() in DEP_TYPE_ALIASES:
        return DepType(DEP_TYPE_ALIASES[value.strip().lower()])
    return enum_value(DepType, value, "type")


def _any(enum: type[StrEnum], value: object, field: str) -> str:
    """A known value in its canonical spelling, or any other word as it is."""
    if isinstance(value, str):
        if value in _KNOWN:  # the common case, without the enum machinery (big imports)
            return value
        word = value.strip()
        try:
            return enum(word.lower()).value
        except ValueError:
            pass
        if TOKEN_RE.match(word):
            return word
    raise BdError(
        "validation",
        f"invalid {field} {value!r}: expected a word such as {_choices(enum)}",
        field=field,
    )


_KNOWN = frozenset(m.value for e in (Status, IssueType, DepType) for m in e)


def any_status(value: object) -> str:
    """A status from a file or a filter: upstream's custom statuses are kept."""
    return _any(Status, value, "status")


def any_issue_type(value: object) -> str:
    return _any(IssueType, value, "issue_type")


def any_dep_type(value: object) -> str:
    if isinstance(value, str) and value.strip().lower() in DEP_TYPE_ALIASES:
        return DEP_TYPE_ALIASES[value.strip().lower()]
    return _any(DepType, value, "type")


def priority(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BdError(
            "validation",
            f"invalid priority {value!r}: must be an integer {PRIORITY_MIN}-{PRIORITY_MAX} "
            f"(0 is highest)",
            field="priority",
        )
    if not PRIORITY_MIN <= value <= PRIORITY_MAX:
        raise BdError(
            "validation",
            f"invalid priority {value}: must be {PRIORITY_MIN}-{PRIORITY_MAX} (0 is highest)",
            field="priority",
        )
    return value


def title(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BdError("validation", "title must not be empty", field="title")
    text = value.strip()
    if len(text) > TITLE_MAX:
        raise BdError(
            "validation",
            f"title is {len(text)} characters long: the maximum is {TITLE_MAX}",
            field="title",
        )
    return text


def label(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BdError("validation", "label must not be empty", field="label")
    text = value.strip()
    if "," in text or any(ch.isspace() for ch in text):
        raise BdError(
            "validation",
            f"invalid label {text!r}: labels cannot contain commas or whitespace",
            field="label",
        )
    if len(text) > LABEL_MAX:
        raise BdError("validation", f"label is longer than {LABEL_MAX} characters", field="label")
    return text


def issue_id(value: object, field: str = "id") -> str:
    if not isinstance(value, str) or not ID_RE.match(value.strip()):
        raise BdError(
            "validation",
            f"invalid issue id {value!r} for {field}: expected PREFIX-SUFFIX such as bd-12, "
            "bd-a3f8 or bd-a3f8.1",
            field=field,
        )
    return value.strip()


def prefix(value: object) -> str:
    if not isinstance(value, str) or not PREFIX_RE.match(value) or value.endswith("-"):
        raise BdError(
            "validation",
            f"invalid prefix {value!r}: use 1-32 letters, digits, '_', '.' or '-' "
            "(not ending in '-')",
            field="prefix",
        )
    return value
