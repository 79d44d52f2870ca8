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
    """Dependency types. Only `blocks` makes an issue wait (and, through `parent-child`, its
    descendants); the others record a relation. The first four are bd 0.12's; the rest are the
    newer bd's (docs/CLI.md)."""

    BLOCKS = "blocks"
    RELATED = "related"
    PARENT_CHILD = "parent-child"
    DISCOVERED_FROM = "discovered-from"
    CONDITIONAL_BLOCKS = "conditional-blocks"
    WAITS_FOR = "waits-for"
    REPLIES_TO = "replies-to"
    RELATES_TO = "relates-to"
    DUPLICATES = "duplicates"
    SUPERSEDES = "supersedes"
    AUTHORED_BY = "authored-by"
    ASSIGNED_TO = "assigned-to"
    APPROVED_BY = "approved-by"
    ATTESTS = "attests"
    TRACKS = "tracks"
    UNTIL = "until"
    CAUSED_BY = "caused-by"
    VALIDATES = "validates"
    DELEGATED_FROM = "delegated-from"


PRIORITY_MIN = 0  # highest
PRIORITY_MAX = 4  # lowest
DEFAULT_PRIORITY = 2
DEFAULT_TYPE = IssueType.TASK
TITLE_MAX = 500
LABEL_MAX = 100
