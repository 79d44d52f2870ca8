"""Closed vocabularies: statuses, issue types, dependency types, priorities."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """The statuses `create`/`update` accept: bd 0.12's four and upstream's newer ones
    (internal/types/types.go). Their meaning in bd-trio: only `open` work is ever ready (so
    `deferred`, `pinned`, `hooked` and `blocked` never are); `hooked` (claimed by a worker)
    counts as in progress. Upstream's `tombstone` status is no status here: an imported
    tombstone is a deletion (store/tombstones.py). Any other status read from a file is
    stored and written back as it is (validate.any_status)."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    CLOSED = "closed"
    DEFERRED = "deferred"
    PINNED = "pinned"
    HOOKED = "hooked"


# Upstream's soft-deletion status: imported as a tombstone.
TOMBSTONE_STATUS = "tombstone"
# Statuses counted as work in progress (stats).
IN_PROGRESS_STATUSES = (Status.IN_PROGRESS.value, Status.HOOKED.value)


class IssueType(StrEnum):
    """The types `create`/`update` accept: bd 0.12's five and upstream's built-in ones. No type
    has behaviour of its own in bd-trio (they classify; hierarchy is parent-child). Any other
    type read from a file (`agent`, `convoy`, `merge-request`, ...) is stored, filterable and
    written back as it is (validate.any_issue_type)."""

    BUG = "bug"
    FEATURE = "feature"
    TASK = "task"
    EPIC = "epic"
    CHORE = "chore"
    DECISION = "decision"
    MESSAGE = "message"
    MOLECULE = "molecule"
    GATE = "gate"
    SPIKE = "spike"
    STORY = "story"
    MILESTONE = "milestone"
    EVENT = "event"


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


# Other spellings of known dependency types, read as the type they name (beads_rust writes
# `parent_child`). An untouched line keeps its spelling (its raw line is written back).
DEP_TYPE_ALIASES = {"parent_child": DepType.PARENT_CHILD.value}


PRIORITY_MIN = 0  # highest
PRIORITY_MAX = 4  # lowest
DEFAULT_PRIORITY = 2
DEFAULT_TYPE = IssueType.TASK
TITLE_MAX = 500
LABEL_MAX = 100
