"""What an import is told (options) and what it reports (summary): small, so the CLI can
import them without the merge machinery."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class ImportOptions:
    actor: str
    prefix: str
    id_mode: str
    now: str
    skip_existing: bool = False
    strict: bool = False
    # The repository's own issues.jsonl (after a pull or a merge): its version of an issue
    # wins unless the issue has local changes not exported yet (then the newer one wins).
    # An explicit `bd import` of some file keeps "the newer updated_at wins".
    file_wins: bool = False
    # (done, total) every few hundred records, for a progress bar or progress frames.
    progress: Callable[[int, int], None] | None = None


@dataclass(slots=True)
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    deleted: int = 0
    collisions: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changed_ids: list[str] = field(default_factory=list)
    # local issues renumbered because the repository's file gives their id to another issue
    # (sync/unpushed.py; auto-import only)
    renumbered: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "deleted": self.deleted,
            "collisions": self.collisions,
            "warnings": self.warnings,
        }
