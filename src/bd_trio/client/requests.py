"""One typed request builder per operation: `create("Fix it")` is a `Request[Issue]`.

Both clients turn these into methods (client/operations.py): `BlockingClient.create(...)`
returns an `Issue`, `AsyncClient.create(...)` an awaitable of one, from this one definition of
each operation's arguments and result type. Arguments left as None are not sent, so the
operation's own default applies. The argument names are the operation table's
(docs/PROTOCOL.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from bd_trio.client import types as t

T = TypeVar("T")


class Request(Generic[T]):
    """An operation and its arguments; T is the type of its result."""

    __slots__ = ("args", "on_progress", "op")

    def __init__(
        self,
        op: str,
        args: dict[str, Any],
        on_progress: Callable[[int, int], Any] | None = None,
    ) -> None:
        self.op = op
        self.args = args
        self.on_progress = on_progress  # (done, total) as a long operation goes

    def __repr__(self) -> str:
        return f"Request({self.op!r}, {self.args!r})"


def _args(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


# --- the daemon itself -------------------------------------------------------------------------


def ping() -> Request[t.Pong]:
    return Request("ping", {})


def health() -> Request[t.Health]:
    return Request("health", {})


def flush() -> Request[t.Flushed]:
    """Export the JSONL now (returns once the file is written)."""
    return Request("flush", {})


def shutdown() -> Request[dict[str, Any]]:
    return Request("shutdown", {})


# --- issues ------------------------------------------------------------------------------------


def create(
    title: str,
    *,
    description: str | None = None,
    design: str | None = None,
    acceptance_criteria: str | None = None,
    notes: str | None = None,
    priority: int | None = None,
    issue_type: str | None = None,
    assignee: str | None = None,
    labels: list[str] | None = None,
    dependencies: list[str] | None = None,
    id: str | None = None,
    external_ref: str | None = None,
    parent: str | None = None,
    metadata: dict[str, Any] | None = None,
    ephemeral: bool | None = None,
) -> Request[t.Issue]:
    """dependencies: "type:id" (or a bare id: blocks). parent: a child of that issue
    (parent-child; in hash id mode its id is PARENT.N). metadata: a JSON object;
    ephemeral: left out of ready and list unless they include ephemeral issues."""
    return Request(
        "create",
        _args(
            title=title,
            description=description,
            design=design,
            acceptance_criteria=acceptance_criteria,
            notes=notes,
            priority=priority,
            issue_type=issue_type,
            assignee=assignee,
            labels=labels,
            dependencies=dependencies,
            id=id,
            external_ref=external_ref,
            parent=parent,
            metadata=metadata,
            ephemeral=ephemeral,
        ),
    )


def show(issue_id: str) -> Request[t.IssueDetail]:
    return Request("show", {"id": issue_id})


def update(
    issue_id: str,
    *,
    title: str | None = None,
    description: str | None = None,
    design: str | None = None,
    acceptance_criteria: str | None = None,
    notes: str | None = None,
    status: str | None = None,
    priority: int | None = None,
    issue_type: str | None = None,
    assignee: str | None = None,
    external_ref: str | None = None,
    claim: bool | None = None,
    lease: str | float | None = None,
    if_claimed: int | None = None,
    metadata: dict[str, Any] | None = None,
    set_metadata: dict[str, Any] | None = None,
    unset_metadata: list[str] | None = None,
) -> Request[t.Issue]:
    """The fields to change; `claim=True` (with `lease`) claims the issue first in the same
    transaction; `if_claimed=TOKEN` applies the change only while that claim is current.
    metadata replaces the whole object; set_metadata / unset_metadata change single keys and
    keep the others."""
    return Request(
        "update",
        _args(
            id=issue_id,
            title=title,
            description=description,
            design=design,
            acceptance_criteria=acceptance_criteria,
            notes=notes,
            status=status,
            priority=priority,
            issue_type=issue_type,
            assignee=assignee,
            external_ref=external_ref,
            claim=claim,
            lease=lease,
            if_claimed=if_claimed,
            metadata=metadata,
            set_metadata=set_metadata,
            unset_metadata=unset_metadata,
        ),
    )


def close_issue(
    issue_id: str, reason: str | None = None, *, if_claimed: int | None = None
) -> Request[t.Issue]:
    return Request("close", _args(id=issue_id, reason=reason, if_claimed=if_claimed))


def reopen(issue_id: str, reason: str | None = None) -> Request[t.Issue]:
    return Request("reopen", _args(id=issue_id, reason=reason))


def events(issue_id: str) -> Request[list[t.Event]]:
    return Request("events", {"id": issue_id})


def _wait_ms(wait: float | None) -> int | None:
    return None if wait is None else max(0, int(wait * 1000))


def changes(
    since: int = 0, *, limit: int | None = None, wait: float | None = None
) -> Request[list[t.Change]]:
    """The feed: changes after the cursor `since`, oldest first (0: from the oldest kept).
    With `wait` (seconds), answer as soon as there is one, or [] when it passed."""
    return Request("events", _args(since=since, limit=limit, wait_ms=_wait_ms(wait)))


def cursor() -> Request[t.Cursor]:
    """The feed's newest cursor: pass it as `since` to hear only what comes next."""
    return Request("cursor", {})


# --- queries -----------------------------------------------------------------------------------


def list_issues(
    *,
    status: str | None = None,
    priority: int | None = None,
    assignee: str | None = None,
    issue_type: str | None = None,
    labels: list[str] | None = None,
    labels_any: list[str] | None = None,
    title: str | None = None,
    ids: list[str] | None = None,
    limit: int | None = None,
    no_assignee: bool | None = None,
    parent: str | None = None,
    exclude_types: list[str] | None = None,
    metadata_fields: dict[str, str] | None = None,
    has_metadata_key: str | None = None,
    include_ephemeral: bool | None = None,
) -> Request[list[t.Issue]]:
    """metadata_fields: {key: value}, all must match; ephemeral issues are left out unless
    include_ephemeral."""
    return Request(
        "list",
        _args(
            no_assignee=no_assignee,
            parent=parent,
            exclude_types=exclude_types,
            metadata_fields=metadata_fields,
            has_metadata_key=has_metadata_key,
            include_ephemeral=include_ephemeral,
            status=status,
            priority=priority,
            assignee=assignee,
            issue_type=issue_type,
            labels=labels,
            labels_any=labels_any,
            title=title,
            ids=ids,
            limit=limit,
        ),
    )


def ready(
    limit: int | None = None,
    *,
    claim: bool = False,
    lease: str | float | None = None,
    priority: int | None = None,
    assignee: str | None = None,
    issue_type: str | None = None,
    labels: list[str] | None = None,
    labels_any: list[str] | None = None,
    unassigned: bool | None = None,
    sort: str | None = None,
    parent: str | None = None,
    wait: float | None = None,
    exclude_types: list[str] | None = None,
    metadata_fields: dict[str, str] | None = None,
    has_metadata_key: str | None = None,
    include_ephemeral: bool | None = None,
) -> Request[list[t.Issue]]:
    """Ready work (sort: priority, oldest or hybrid; parent: descendants of an issue;
    metadata_fields: {key: value}, all must match; ephemeral issues only with
    include_ephemeral); with
    `claim=True`, claim the first ready issue the caller may take and return it as a
    one-element list ([] when none is left; the same filters apply, `limit` does not). With `wait`
    (seconds): when nothing is ready, wait up to that long for work (woken by the commit
    that made it ready, no polling), then []."""
    # One set of filters for both forms: a claim takes the first issue `ready` would list.
    filters = _args(
        priority=priority,
        assignee=assignee,
        issue_type=issue_type,
        labels=labels,
        labels_any=labels_any,
        unassigned=unassigned,
        sort=sort,
        parent=parent,
        wait_ms=_wait_ms(wait),
        exclude_types=exclude_types,
        metadata_fields=metadata_fields,
        has_metadata_key=has_metadata_key,
        include_ephemeral=include_ephemeral,
    )
    if claim:
        return Request("ready_claim", {**_args(lease=lease), **filters})
    return Request("ready", {**_args(limit=limit), **filters})


def search(
    query: str, *, limit: int | None = None, status: str | None = None
) -> Request[list[t.Issue]]:
    """Issues whose title, description or notes hold these words, best matches first."""
    return Request("search", _args(query=query, limit=limit, status=status))


def blocked() -> Request[list[t.BlockedIssue]]:
    return Request("blocked", {})


def stats() -> Request[t.Stats]:
    return Request("stats", {})


def stale(hours: float | None = None) -> Request[list[t.StaleIssue]]:
    return Request("stale", _args(hours=hours))


# --- claims ------------------------------------------------------------------------------------


def claim(issue_id: str, lease: str | float | None = None) -> Request[t.Issue]:
    """Claim an issue (exactly one caller wins); the issue with its `claim` object."""
    return Request("claim", _args(id=issue_id, lease=lease))


def heartbeat(issue_id: str, lease: str | float | None = None) -> Request[t.Issue]:
    """Renew the caller's lease on an issue it holds."""
    return Request("heartbeat", _args(id=issue_id, lease=lease))


def unclaim(issue_id: str, force: bool = False) -> Request[t.Issue]:
    return Request("unclaim", _args(id=issue_id, force=force or None))


# --- dependencies, labels, comments ------------------------------------------------------------


def dep_add(issue_id: str, depends_on_id: str, dep_type: str | None = None) -> Request[t.DepResult]:
    return Request("dep_add", _args(issue_id=issue_id, depends_on_id=depends_on_id, type=dep_type))


def dep_remove(issue_id: str, depends_on_id: str) -> Request[t.DepResult]:
    return Request("dep_remove", {"issue_id": issue_id, "depends_on_id": depends_on_id})


def dep_relate(id1: str, id2: str) -> Request[t.RelateResult]:
    """Link two issues both ways as relates-to."""
    return Request("dep_relate", {"id1": id1, "id2": id2})


def dep_unrelate(id1: str, id2: str) -> Request[t.RelateResult]:
    return Request("dep_unrelate", {"id1": id1, "id2": id2})


def dep_tree(issue_id: str, max_depth: int | None = None) -> Request[list[t.TreeNode]]:
    return Request("dep_tree", _args(id=issue_id, max_depth=max_depth))


def dep_cycles() -> Request[list[list[t.Issue]]]:
    return Request("dep_cycles", {})


def label_add(issue_id: str, label: str) -> Request[t.LabelResult]:
    return Request("label_add", {"id": issue_id, "label": label})


def label_remove(issue_id: str, label: str) -> Request[t.LabelResult]:
    return Request("label_remove", {"id": issue_id, "label": label})


def label_list(issue_id: str) -> Request[list[str]]:
    return Request("label_list", {"id": issue_id})


def label_list_all() -> Request[list[t.LabelCount]]:
    return Request("label_list_all", {})


def comments(issue_id: str) -> Request[list[t.Comment]]:
    return Request("comments", {"id": issue_id})


def comment_add(issue_id: str, text: str) -> Request[t.Comment]:
    return Request("comment_add", {"id": issue_id, "text": text})


def note(issue_id: str, text: str) -> Request[t.Issue]:
    """Append a paragraph to the issue's notes."""
    return Request("note_add", {"id": issue_id, "text": text})


# --- epics -------------------------------------------------------------------------------------


def epic_status(*, eligible_only: bool | None = None) -> Request[list[t.EpicStatus]]:
    """Open epics with their parent-child children closed of total."""
    return Request("epic_status", _args(eligible_only=eligible_only))


def epic_close_eligible() -> Request[t.EpicsClosed]:
    """Close the open epics whose children (at least one) are all closed."""
    return Request("epic_close_eligible", {})


# --- transfer and batches ----------------------------------------------------------------------


def export(status: str | None = None) -> Request[list[dict[str, Any]]]:
    return Request("export", _args(status=status))


def export_lines(status: str | None = None) -> Request[list[str]]:
    """The lines of issues.jsonl (untouched issues byte for byte as they were read)."""
    return Request("export_lines", _args(status=status))


def import_jsonl(
    text: str,
    *,
    dry_run: bool | None = None,
    skip_existing: bool | None = None,
    strict: bool | None = None,
    source: str | None = None,
    on_progress: Callable[[int, int], Any] | None = None,
) -> Request[t.ImportSummary]:
    """source: what errors call the input (a file name). on_progress(done, total): called as
    the import goes (at least every 256 records)."""
    return Request(
        "import",
        _args(
            jsonl=text, dry_run=dry_run, skip_existing=skip_existing, strict=strict, source=source
        ),
        on_progress,
    )


def batch(
    operations: list[dict[str, Any]],
    atomic: bool = False,
    *,
    continue_on_error: bool = False,
    on_progress: Callable[[int, int], Any] | None = None,
) -> Request[t.BatchResult]:
    """operations: [{"op": name, "args": {...}}]; {"$ref": "N.path"} refers to the result
    of operation N. continue_on_error: run every operation, each failure in its place.
    on_progress(done, total): called as the batch goes (at least every 256 operations)."""
    args: dict[str, Any] = {"operations": operations, "atomic": atomic}
    if continue_on_error:
        args["continue_on_error"] = True
    return Request("batch", args, on_progress)


# Every builder, by method name (client/operations.py and tests/test_clients.py use this list).
BUILDERS = (
    ping, health, flush, shutdown,
    create, show, update, close_issue, reopen, events, changes, cursor,
    list_issues, ready, search, blocked, stats, stale,
    claim, heartbeat, unclaim,
    dep_add, dep_remove, dep_relate, dep_unrelate, dep_tree, dep_cycles,
    label_add, label_remove, label_list, label_list_all, comments, comment_add, note,
    epic_status, epic_close_eligible,
    export, export_lines, import_jsonl, batch,
)  # fmt: skip
