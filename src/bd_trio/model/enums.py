"""Closed vocabularies: statuses, issue types, dependency types, priorities."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    CLOSED = "closed"


class IssueType(StrEnum):
    BUG = "bug"
    FEATURE = "feature"
    TASK = "task"
    EPIC = "epic"
    CHORE = "chore"


class DepType(StrEnum):
    BLOCKS = "blocks"
    RELATED = "related"
    PARENT_CHILD = "parent-child"
    DISCOVERED_FROM = "discovered-from"


PRIORITY_MIN = 0  # highest
PRIORITY_MAX = 4  # lowest
DEFAULT_PRIORITY = 2
DEFAULT_TYPE = IssueType.TASK
TITLE_MAX = 500
LABEL_MAX = 100
