"""Operations on single issues: create, show, update, close, reopen."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from bd_trio.errors import BdError
from bd_trio.model import validate
from bd_trio.model.durations import lease_seconds
from bd_trio.model.enums import (
    DEFAULT_PRIORITY,
    DEFAULT_TYPE,
    IN_PROGRESS_STATUSES,
    DepType,
    Status,
)
from bd_trio.model.issue import UPDATABLE, Issue
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import operation
from bd_trio.store import claims, ids, tombstones
from bd_trio.store import issues as rows
from bd_trio.store.issues import DepRecord


@dataclass(slots=True)
class NewIssue:
    title: str
    description: str = ""
    design: str = ""
    acceptance_criteria: str = ""
    notes: str = ""
    priority: int = DEFAULT_PRIORITY
    issue_type: str = DEFAULT_TYPE.value
    assignee: str = ""
    external_ref: str = ""
    labels: list[str] = field(default_factory=list)
    dependencies: list[tuple[str, str]] = field(default_factory=list)  # (type, depends_on_id)
    id: str | None = None


def parse_dependency_spec(spec: str) -> tuple[str, str]:
    """`blocks:bd-1`, `parent-child:bd-2` or a bare `bd-3` (type defaults to blocks)."""
    kind, sep, target = spec.strip().partition(":")
    if not sep:
        kind, target = DepType.BLOCKS.value, spec.strip()
    dep_type = validate.dep_type(kind)
    return dep_type.value, validate.issue_id(target.strip(), "dependencies")


def parse_create(a: Args) -> NewIssue:
    return NewIssue(
        title=validate.title(a.text("title", required=True)),
        description=a.text("description", ""),
        design=a.text("design", ""),
        acceptance_criteria=a.text("acceptance_criteria", ""),
        notes=a.text("notes", ""),
        priority=a.checked("priority", validate.priority, DEFAULT_PRIORITY),
        issue_type=a.checked("issue_type", validate.issue_type, DEFAULT_TYPE).value,
        assignee=a.text("assignee", "").strip(),
        external_ref=a.text("external_ref", "").strip(),
        labels=sorted({validate.label(label) for label in a.strings("labels")}),
        dependencies=[parse_dependency_spec(s) for s in a.strings("dependencies")],
        id=a.checked("id", validate.issue_id),
    )


def insert_new_issue(conn: sqlite3.Connection, new: NewIssue, ctx: OpContext) -> Issue:
    """Allocate the id, insert the issue with its labels and dependencies, audit, mark dirty."""
    for _, target in new.dependencies:
        if not rows.issue_exists(conn, target):
            raise BdError(
                "not_found",
                f"dependency target {target} not found: create it first or drop it from --deps",
                issue_id=target,
                field="dependencies",
            )
    if new.id is not None:
        if rows.issue_exists(conn, new.id):
            raise BdError(
                "conflict", f"issue {new.id} already exists: choose another --id", issue_id=new.id
            )
        if tombstones.exists(conn, new.id):
            raise BdError(
                "conflict",
                f"issue {new.id} was deleted and its id is never reused: choose another --id",
                issue_id=new.id,
            )
        issue_id = new.id
        ids.note_explicit_id(conn, issue_id)
    elif ctx.id_mode == "hash":
        issue_id = ids.next_hash_id(conn, ctx.prefix, f"{new.title}\0{ctx.actor}\0{ctx.now}")
    else:
        issue_id = ids.next_sequential_id(conn, ctx.prefix)
    issue = Issue(
        id=issue_id,
        title=new.title,
        description=new.description,
        design=new.design,
        acceptance_criteria=new.acceptance_criteria,
        notes=new.notes,
        priority=new.priority,
        issue_type=new.issue_type,
        assignee=new.assignee,
        external_ref=new.external_ref,
        created_at=ctx.now,
        updated_at=ctx.now,
        created_by=ctx.actor,
        labels=new.labels,
    )
    rows.insert_issue(conn, issue)
    for dep_type, target in new.dependencies:
        if target == issue_id:
            raise BdError("validation", f"{issue_id} cannot depend on itself", field="dependencies")
        rows.insert_dep(conn, DepRecord(issue_id, target, dep_type, ctx.now, ctx.actor))
    rows.add_event(conn, issue_id, "created", ctx.actor, ctx.now, new=issue.title)
    rows.mark_dirty(conn, [issue_id], ctx.now)
    return issue


@operation("create", parse=parse_create, writes=True)
def create(conn: sqlite3.Connection, new: NewIssue, ctx: OpContext) -> dict[str, Any]:
    return insert_new_issue(conn, new, ctx).to_dict()


def parse_id(a: Args) -> str:
    return str(validate.issue_id(a.text("id", required=True)))


def related(conn: sqlite3.Connection, records: list[DepRecord], key: str) -> list[dict[str, Any]]:
    """Issue objects at the other end of dependency records, each with its dependency type."""
    other_ids = [getattr(record, key) for record in records]
    found = rows.get_issues(conn, other_ids)
    out = []
    for record in records:
        other = found.get(getattr(record, key))
        if other is not None:
            out.append({**other.to_dict(), "dependency_type": record.type})
    return out


def show_issue(conn: sqlite3.Connection, issue_id: str) -> dict[str, Any]:
    issue = rows.require_issue(conn, issue_id)
    return {
        **issue.to_dict(),
        "dependencies": related(conn, rows.deps_of(conn, issue_id), "depends_on_id"),
        "dependents": related(conn, rows.dependents_of(conn, issue_id), "issue_id"),
        "comments": rows.comments_of(conn, issue_id),
    }


@operation("show", parse=parse_id, writes=False)
def show(conn: sqlite3.Connection, issue_id: str, ctx: OpContext) -> dict[str, Any]:
    return show_issue(conn, issue_id)


@dataclass(slots=True)
class UpdateRequest:
    id: str
    changes: dict[str, Any]
    claim: bool = False  # take (or renew) a claim first, in the same transaction
    lease_s: float | None = None  # the claim's lease; None: the workspace default
    if_claimed: int | None = None  # fencing token: apply only while this claim is current


def parse_fence(a: Args) -> int | None:
    return a.integer("if_claimed", minimum=1)  # type: ignore[no-any-return]


def parse_lease(a: Args) -> float | None:
    return a.checked("lease", lease_seconds)  # type: ignore[no-any-return]


def parse_update(a: Args) -> UpdateRequest:
    issue_id = parse_id(a)
    checks: dict[str, Any] = {
        "title": validate.title,
        "status": lambda v: validate.status(v).value,
        "priority": validate.priority,
        "issue_type": lambda v: validate.issue_type(v).value,
    }
    changes: dict[str, Any] = {}
    for name in UPDATABLE:
        if not a.has(name):
            a.raw(name)
            continue
        if name in checks:
            changes[name] = a.checked(name, checks[name])
        else:
            changes[name] = a.text(name)
    request = UpdateRequest(issue_id, changes, a.flag("claim"), parse_lease(a), parse_fence(a))
    if request.lease_s is not None and not request.claim:
        raise BdError(
            "validation",
            f"update {issue_id}: lease goes with claim (--lease with --claim)",
            field="lease",
        )
    if request.claim:
        taken = sorted({"status", "assignee"} & set(changes))
        if taken:
            raise BdError(
                "validation",
                f"update {issue_id}: claim sets status and assignee itself; drop "
                f"{' and '.join(taken)} (or update without claim)",
                field=taken[0],
            )
    if not changes and not request.claim:
        raise BdError(
            "validation",
            f"update {issue_id}: nothing to update; give at least one of {', '.join(UPDATABLE)}",
        )
    return request


def apply_changes(
    conn: sqlite3.Connection,
    issue: Issue,
    changes: dict[str, Any],
    ctx: OpContext,
    *,
    reason: str | None = None,
) -> Issue:
    """Write the fields that really change, keep closed_at in step with status, audit each."""
    effective = {k: v for k, v in changes.items() if getattr(issue, k) != v}
    if not effective:
        return issue
    if "status" in effective:
        closing = effective["status"] == Status.CLOSED
        effective["closed_at"] = ctx.now if closing else None
        # upstream's close_reason: why it was closed, while it is closed
        if closing and reason:
            effective["close_reason"] = reason
        elif not closing and issue.close_reason:
            effective["close_reason"] = ""
        if effective["status"] in IN_PROGRESS_STATUSES and issue.started_at is None:
            effective["started_at"] = ctx.now  # when work first started
    effective["updated_at"] = ctx.now
    rows.update_columns(conn, issue.id, effective)
    for name, value in effective.items():
        if name in ("updated_at", "closed_at", "close_reason", "started_at"):
            continue
        old = getattr(issue, name)
        if name == "status":
            if value == Status.CLOSED:
                event = "closed"
            elif old == Status.CLOSED:
                event = "reopened"
            else:
                event = "status_changed"
            rows.add_event(
                conn, issue.id, event, ctx.actor, ctx.now, old=old, new=value, comment=reason
            )
        else:
            rows.add_event(
                conn,
                issue.id,
                "updated",
                ctx.actor,
                ctx.now,
                old=str(old),
                new=str(value),
                comment=name,
            )
    # A claim lives only while its issue is in progress under its holder; a write by the
    # holder renews its lease.
    claims.reconcile(conn, [issue.id], ctx.actor, ctx.now)
    claims.renew_if_holder(conn, issue.id, ctx.actor, ctx.now)
    rows.mark_dirty(conn, [issue.id], ctx.now)
    return rows.require_issue(conn, issue.id)


@operation("update", parse=parse_update, writes=True)
def update(conn: sqlite3.Connection, request: UpdateRequest, ctx: OpContext) -> dict[str, Any]:
    if request.claim or request.if_claimed is not None:
        claims.expire_due(conn, ctx.now)
    if request.if_claimed is not None:
        claims.check_fence(conn, request.id, request.if_claimed, ctx.now)
    if request.claim:
        lease = ctx.claim_lease_s if request.lease_s is None else request.lease_s
        claims.acquire(conn, request.id, ctx.actor, ctx.now, lease)
    issue = rows.require_issue(conn, request.id)
    return apply_changes(conn, issue, request.changes, ctx).to_dict()


@dataclass(slots=True)
class StatusRequest:
    id: str
    reason: str | None
    if_claimed: int | None = None


def parse_reason(default: str | None, *, fenced: bool) -> Any:
    def parse(a: Args) -> StatusRequest:
        issue_id = parse_id(a)
        reason = a.text("reason", default)
        reason = (reason.strip() or default) if reason is not None else default
        return StatusRequest(issue_id, reason, parse_fence(a) if fenced else None)

    return parse


@operation("close", parse=parse_reason("Closed", fenced=True), writes=True)
def close(conn: sqlite3.Connection, request: StatusRequest, ctx: OpContext) -> dict[str, Any]:
    """Close an issue. Closing a closed issue changes nothing (agents retry safely); closing
    releases its claim."""
    if request.if_claimed is not None:
        claims.expire_due(conn, ctx.now)
        claims.check_fence(conn, request.id, request.if_claimed, ctx.now)
    issue = rows.require_issue(conn, request.id)
    return apply_changes(conn, issue, {"status": "closed"}, ctx, reason=request.reason).to_dict()


@operation("reopen", parse=parse_reason(None, fenced=False), writes=True)
def reopen(conn: sqlite3.Connection, request: StatusRequest, ctx: OpContext) -> dict[str, Any]:
    """Reopen a closed issue; an issue that is not closed is returned unchanged."""
    issue = rows.require_issue(conn, request.id)
    if issue.status != Status.CLOSED:
        return issue.to_dict()
    return apply_changes(conn, issue, {"status": "open"}, ctx, reason=request.reason).to_dict()


@operation("events", parse=parse_id, writes=False)
def events(conn: sqlite3.Connection, issue_id: str, ctx: OpContext) -> list[dict[str, Any]]:
    """The audit trail of one issue, oldest first."""
    rows.require_issue(conn, issue_id)
    return rows.events_of(conn, issue_id)
