"""The Issue record and its JSON shape (CONTRACT.md: Issue JSON fields)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

# Text fields that are omitted from JSON when empty. `description` is always present.
OPTIONAL_TEXT = ("design", "acceptance_criteria", "notes", "assignee", "external_ref")

# Field order of the JSON object: id first, so a JSONL line starts with its id.
JSON_ORDER = (
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
)

# Columns that `update` may change, with the JSON name equal to the column name.
UPDATABLE = (
    "title",
    "description",
    "design",
    "acceptance_criteria",
    "notes",
    "status",
    "priority",
    "issue_type",
    "assignee",
    "external_ref",
)


@dataclass(slots=True)
class Issue:
    id: str
    title: str
    description: str = ""
    design: str = ""
    acceptance_criteria: str = ""
    notes: str = ""
    status: str = "open"
    priority: int = 2
    issue_type: str = "task"
    assignee: str = ""
    created_at: str = ""
    updated_at: str = ""
    closed_at: str | None = None
    external_ref: str = ""
    created_by: str = ""
    labels: list[str] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: Any, labels: list[str] | None = None) -> Issue:
        """Build from a sqlite3.Row of the issues table (column names equal field names)."""
        return cls(
            id=row["id"],
            title=row["title"],
            description=row["description"],
            design=row["design"],
            acceptance_criteria=row["acceptance_criteria"],
            notes=row["notes"],
            status=row["status"],
            priority=row["priority"],
            issue_type=row["issue_type"],
            assignee=row["assignee"],
            created_at=row["created_at"],
            updated_at=row["updated_at"],
            closed_at=row["closed_at"],
            external_ref=row["external_ref"],
            created_by=row["created_by"],
            labels=sorted(labels) if labels else [],
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in JSON_ORDER:
            value = getattr(self, name)
            if name in OPTIONAL_TEXT and not value:
                continue
            if name == "closed_at" and value is None:
                continue
            out[name] = value
        out["labels"] = list(self.labels)
        return out


ISSUE_FIELD_NAMES = frozenset(f.name for f in fields(Issue))
