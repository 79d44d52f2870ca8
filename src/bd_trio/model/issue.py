"""The Issue record, its fields declared once, and its JSON shape (docs/CLI.md: "JSON objects").

`COLUMNS` is THE declaration of the issue's stored fields: the schema's columns
(store/schema.py, checked by tests/test_fields.py), the SELECT list and row mapping
(store/issues.py `ISSUE_COLUMNS`, `Issue.from_row`, `Issue.column_values`), the JSON shape
(`to_dict`), the JSONL record (sync/records.py) and the typed client dict (client/types.py,
compared by tests/test_fields.py) follow it.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple


class Column(NamedTuple):
    """One stored field: attribute name = column name = JSON key."""

    name: str
    # How it is held: "text" (str, '' when empty), "int", "time" (RFC 3339 str),
    # "time?" (str or None), "json" (a JSON object held as a dict, stored as compact JSON
    # text, '' when empty), "bool" (stored 0/1).
    kind: str
    # In the JSON object: "always", "nonempty" (omitted when '', None, {} or False), or
    # "spread" (a JSON object whose keys are the object's own keys: `extra`).
    shown: str = "nonempty"


# In the order of the table's columns and of the JSON object (id first: a JSONL line starts
# with its id). `metadata`: upstream's free JSON object of extension data (stored as compact
# JSON text, '' for none); `ephemeral`: upstream's "not synced via git" flag (0/1).
COLUMNS: tuple[Column, ...] = (
    Column("id", "text", "always"),
    Column("title", "text", "always"),
    Column("description", "text", "always"),
    Column("design", "text"),
    Column("acceptance_criteria", "text"),
    Column("notes", "text"),
    Column("status", "text", "always"),
    Column("priority", "int", "always"),
    Column("issue_type", "text", "always"),
    Column("assignee", "text"),
    Column("created_at", "time", "always"),
    Column("updated_at", "time", "always"),
    Column("closed_at", "time?"),
    Column("external_ref", "text"),
    Column("created_by", "text"),
    Column("metadata", "json"),
    Column("ephemeral", "bool"),
    # Upstream's fields with a meaning here: who owns the work (a person, not the assignee),
    # when work started (set by the first claim or move to in_progress), why it was closed,
    # and until when it is deferred (`ready` does not offer it before then).
    Column("owner", "text"),
    Column("started_at", "time?"),
    Column("close_reason", "text"),
    Column("defer_until", "time?"),
    # Every other key of the record, verbatim (a JSON object, '' when none): keys bd-trio
    # does not model are kept, shown and written back, and merged key by key.
    Column("extra", "json", "spread"),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)

# The free-text fields, where people write "see bd-5" (sync's renumbering rewrites them).
TEXT_FIELDS = ("title", "description", "design", "acceptance_criteria", "notes")

# Columns that `update` may change, with the JSON name equal to the column name.
UPDATABLE = (
    *TEXT_FIELDS,
    "status",
    "priority",
    "issue_type",
    "assignee",
    "external_ref",
)

# The record's fields, in order: the columns, then what is loaded beside them.
FIELDS = (*COLUMN_NAMES, "labels", "claim")

_JSON_COLUMNS = tuple(c.name for c in COLUMNS if c.kind == "json")
_BOOL_COLUMNS = tuple(c.name for c in COLUMNS if c.kind == "bool")


def encode_json_column(value: dict[str, Any]) -> str:
    """A JSON-object column's stored text: compact, keys in the order given; '' when empty."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) if value else ""


def decode_json_column(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


class Issue:
    """One issue. A plain class with slots rather than a dataclass: importing `dataclasses`
    (which loads `inspect`) costs a direct-mode CLI call about 5 ms."""

    __slots__ = FIELDS

    def __init__(
        self,
        id: str,
        title: str,
        description: str = "",
        design: str = "",
        acceptance_criteria: str = "",
        notes: str = "",
        status: str = "open",
        priority: int = 2,
        issue_type: str = "task",
        assignee: str = "",
        created_at: str = "",
        updated_at: str = "",
        closed_at: str | None = None,
        external_ref: str = "",
        created_by: str = "",
        metadata: dict[str, Any] | None = None,
        ephemeral: bool = False,
        owner: str = "",
        started_at: str | None = None,
        close_reason: str = "",
        defer_until: str | None = None,
        extra: dict[str, Any] | None = None,
        labels: list[str] | None = None,
        # The current claim's JSON (holder, token, claimed_at, expires_at) when the issue is
        # claimed; local to the database, so never part of a JSONL record.
        claim: dict[str, Any] | None = None,
    ) -> None:
        self.id = id
        self.title = title
        self.description = description
        self.design = design
        self.acceptance_criteria = acceptance_criteria
        self.notes = notes
        self.status = status
        self.priority = priority
        self.issue_type = issue_type
        self.assignee = assignee
        self.created_at = created_at
        self.updated_at = updated_at
        self.closed_at = closed_at
        self.external_ref = external_ref
        self.created_by = created_by
        self.metadata: dict[str, Any] = metadata if metadata is not None else {}
        self.ephemeral = ephemeral
        self.owner = owner
        self.started_at = started_at
        self.close_reason = close_reason
        self.defer_until = defer_until
        self.extra: dict[str, Any] = extra if extra is not None else {}
        self.labels: list[str] = labels if labels is not None else []
        self.claim = claim

    def replace(self, **changes: Any) -> Issue:
        """A copy with some fields changed."""
        values = {name: getattr(self, name) for name in FIELDS}
        values.update(changes)
        return Issue(**values)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Issue):
            return NotImplemented
        return all(getattr(self, name) == getattr(other, name) for name in FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"Issue({', '.join(f'{n}={getattr(self, n)!r}' for n in FIELDS)})"

    @classmethod
    def from_row(
        cls, row: Any, labels: list[str] | None = None, claim: dict[str, Any] | None = None
    ) -> Issue:
        """Build from a row whose first columns are store.issues.ISSUE_COLUMNS (= COLUMNS), in
        order (positional access: this runs once per issue of every listing)."""
        r = row
        return cls(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6],
            r[7],
            r[8],
            r[9],
            r[10],
            r[11],
            r[12],
            r[13],
            r[14],
            decode_json_column(r[15]) if r[15] else None,
            bool(r[16]),
            r[17],
            r[18],
            r[19],
            r[20],
            decode_json_column(r[21]) if r[21] else None,
            sorted(labels) if labels else [],
            claim,
        )

    def column_values(self) -> tuple[Any, ...]:
        """The values of COLUMNS, as stored (the inverse of from_row; straight-line for big
        imports, tests/test_fields.py checks it against column_value)."""
        return (
            self.id,
            self.title,
            self.description,
            self.design,
            self.acceptance_criteria,
            self.notes,
            self.status,
            self.priority,
            self.issue_type,
            self.assignee,
            self.created_at,
            self.updated_at,
            self.closed_at,
            self.external_ref,
            self.created_by,
            encode_json_column(self.metadata),
            int(bool(self.ephemeral)),
            self.owner,
            self.started_at,
            self.close_reason,
            self.defer_until,
            encode_json_column(self.extra),
        )

    def column_value(self, name: str) -> Any:
        value = getattr(self, name)
        if name in _JSON_COLUMNS:
            return encode_json_column(value)
        if name in _BOOL_COLUMNS:
            return int(bool(value))
        return value

    def to_dict(self) -> dict[str, Any]:
        # Straight-line on purpose: called for every issue of every listing and export.
        # tests/test_fields.py checks it against COLUMNS (key order and omission rules).
        out: dict[str, Any] = {
            "id": self.id,
            "title": self.title,
            "description": self.description,
        }
        if self.design:
            out["design"] = self.design
        if self.acceptance_criteria:
            out["acceptance_criteria"] = self.acceptance_criteria
        if self.notes:
            out["notes"] = self.notes
        out["status"] = self.status
        out["priority"] = self.priority
        out["issue_type"] = self.issue_type
        if self.assignee:
            out["assignee"] = self.assignee
        out["created_at"] = self.created_at
        out["updated_at"] = self.updated_at
        if self.closed_at is not None:
            out["closed_at"] = self.closed_at
        if self.external_ref:
            out["external_ref"] = self.external_ref
        if self.created_by:
            out["created_by"] = self.created_by
        if self.metadata:
            out["metadata"] = self.metadata
        if self.ephemeral:
            out["ephemeral"] = True
        if self.owner:
            out["owner"] = self.owner
        if self.started_at is not None:
            out["started_at"] = self.started_at
        if self.close_reason:
            out["close_reason"] = self.close_reason
        if self.defer_until is not None:
            out["defer_until"] = self.defer_until
        if self.extra:
            for key, value in self.extra.items():
                out.setdefault(key, value)
        out["labels"] = list(self.labels)
        if self.claim is not None:
            out["claim"] = self.claim
        return out


ISSUE_FIELD_NAMES = frozenset(FIELDS)
