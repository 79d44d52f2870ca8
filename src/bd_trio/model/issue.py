"""The Issue record and its JSON shape (docs/CLI.md: "JSON objects")."""

from __future__ import annotations

from typing import Any

# JSON shape: id first (a JSONL line starts with its id); design, acceptance_criteria, notes,
# assignee, external_ref and closed_at are omitted when empty; description is always present.

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


# The record's fields, in order (from_row reads the first 15 as ISSUE_COLUMNS, in order).
FIELDS = (
    "id",
    "title",
    "description",
    "design",
    "acceptance_criteria",
    "notes",
    "status",
    "priority",
    "issue_type",
    "assignee",
    "created_at",
    "updated_at",
    "closed_at",
    "external_ref",
    "created_by",
    "labels",
    "claim",
)


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
        """Build from a row whose first 15 columns are store.issues.ISSUE_COLUMNS, in order
        (positional access: this runs once per issue of every listing)."""
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
            sorted(labels) if labels else [],
            claim,
        )

    def to_dict(self) -> dict[str, Any]:
        # Straight-line on purpose: called for every issue of every listing and export.
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
        out["labels"] = list(self.labels)
        if self.claim is not None:
            out["claim"] = self.claim
        return out


ISSUE_FIELD_NAMES = frozenset(FIELDS)
