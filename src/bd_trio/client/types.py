"""The shapes of results, as TypedDicts: what the typed client methods return.

They describe the JSON the operations produce (docs/PROTOCOL.md); `NotRequired` keys are the
ones an object omits when empty (e.g. an Issue without notes has no `notes` key).
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class Claim(TypedDict):
    holder: str
    token: int
    claimed_at: str
    expires_at: str | None  # None: the lease never expires


class Issue(TypedDict):
    id: str
    title: str
    description: str
    design: NotRequired[str]
    acceptance_criteria: NotRequired[str]
    notes: NotRequired[str]
    status: str
    priority: int
    issue_type: str
    assignee: NotRequired[str]
    created_at: str
    updated_at: str
    closed_at: NotRequired[str]
    external_ref: NotRequired[str]
    created_by: NotRequired[str]
    metadata: NotRequired[dict[str, Any]]
    ephemeral: NotRequired[bool]
    owner: NotRequired[str]
    started_at: NotRequired[str]
    close_reason: NotRequired[str]
    defer_until: NotRequired[str]
    # and, as they were read, any keys bd-trio does not model (the issue's `extra`)
    labels: list[str]
    claim: NotRequired[Claim]


class RelatedIssue(Issue):
    dependency_type: str


class Comment(TypedDict):
    id: str
    issue_id: str
    author: str
    text: str
    created_at: str


class IssueDetail(Issue):
    dependencies: list[RelatedIssue]
    dependents: list[RelatedIssue]
    comments: list[Comment]


class BlockedIssue(Issue):
    blocked_by_count: int
    blocked_by: list[str]


class StaleIssue(Issue):
    stale_reason: str
    holder: str | None
    idle_hours: float


class TreeNode(Issue):
    depth: int
    dependency_type: NotRequired[str]
    truncated: bool


class Event(TypedDict):
    id: int
    issue_id: str
    event_type: str
    actor: str
    old_value: str | None
    new_value: str | None
    comment: str | None
    created_at: str


class Stats(TypedDict):
    total_issues: int
    open_issues: int
    in_progress_issues: int
    closed_issues: int
    blocked_issues: int
    ready_issues: int
    average_lead_time_hours: float | None
    summary: NotRequired[dict[str, Any]]
    recent_activity: NotRequired[dict[str, Any]]


class DepResult(TypedDict):
    status: str  # "added" | "removed"
    issue_id: str
    depends_on_id: str
    type: NotRequired[str]


class EpicStatus(TypedDict):
    epic: Issue
    total_children: int
    closed_children: int
    eligible_for_close: bool


class EpicsClosed(TypedDict):
    closed: list[str]
    count: int


class LabelResult(TypedDict):
    issue_id: str
    label: str
    status: str


class LabelCount(TypedDict):
    label: str
    count: int


class ImportSummary(TypedDict):
    created: int
    updated: int
    unchanged: int
    skipped: int
    collisions: list[dict[str, str]]
    warnings: list[str]
    dry_run: bool


class BatchItem(TypedDict):
    op: str
    ok: bool
    data: NotRequired[Any]
    error: NotRequired[dict[str, Any]]


class BatchResult(TypedDict):
    results: list[BatchItem]
    ok: bool
    atomic: bool
    rolled_back: bool


class Pong(TypedDict):
    pong: bool
    pid: int
    version: str
    protocol: int


class Flushed(TypedDict):
    written: bool
    issues: int


# The daemon's health: many counters (docs/PROTOCOL.md lists them); read by key.
Health = dict[str, Any]
