"""The JSONL codec: one compact JSON object per issue, sorted by id; and the strict parser
that refuses a whole file (with the line number) on a conflict marker or a bad line."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bd_trio.errors import BdError
from bd_trio.model import clock, validate
from bd_trio.model.enums import DEFAULT_PRIORITY, DEFAULT_TYPE, Status
from bd_trio.model.issue import Issue
from bd_trio.store.issues import DepRecord
from bd_trio.store.tombstones import Tombstone
from bd_trio.sync.records import issue_record

CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


def dumps_record(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def encode(records: Iterable[dict[str, Any]]) -> bytes:
    """The whole file: records sorted by id, one per line, newline-terminated."""
    lines = sorted((str(r["id"]), dumps_record(r)) for r in records)
    return "".join(line + "\n" for _, line in lines).encode("utf-8")


def line_id(line: str) -> str | None:
    """The id of a line we wrote (id is the first key) without parsing all of it."""
    head = '{"id":"'
    if line.startswith(head):
        end = line.find('"', len(head))
        if end > 0 and "\\" not in line[len(head) : end]:
            return line[len(head) : end]
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return str(value.get("id")) if isinstance(value, dict) else None


@dataclass(slots=True)
class IncomingIssue:
    """One parsed line: the issue, its outgoing dependencies and its comments."""

    issue: Issue
    dependencies: list[DepRecord] = field(default_factory=list)
    comments: list[dict[str, str]] = field(default_factory=list)
    line: int = 0

    def to_record(self) -> dict[str, Any]:
        return issue_record(self.issue, self.dependencies, self.comments)


def _line_error(number: int, message: str) -> BdError:
    return BdError(
        "validation",
        f"issues.jsonl line {number}: {message}; nothing was imported",
        line=number,
    )


@dataclass(slots=True)
class IncomingTombstone:
    """One parsed tombstone line: an issue deleted on some clone."""

    tombstone: Tombstone
    line: int = 0

    @property
    def id(self) -> str:
        return self.tombstone.id

    def to_record(self) -> dict[str, Any]:
        return self.tombstone.to_record()


Incoming = IncomingIssue | IncomingTombstone


def parse(text: str) -> list[Incoming]:
    """Parse a whole JSONL document. Any bad line rejects the whole document."""
    out: list[Incoming] = []
    seen: dict[str, int] = {}
    # Split on \n only: str.splitlines() would also split inside values at U+0085 or U+2028,
    # which JSON leaves unescaped.
    for number, raw_line in enumerate(text.split("\n"), start=1):
        line = raw_line.strip()
        if not line:
            continue
        if line.startswith(CONFLICT_MARKERS):
            raise _line_error(
                number,
                "git conflict marker found: run `bd sync`, which merges the versions git "
                "keeps (or resolve the conflict by hand), then run the command again",
            )
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _line_error(number, f"not valid JSON ({exc.msg} at column {exc.colno})") from exc
        if not isinstance(value, dict):
            raise _line_error(number, "each line must be a JSON object")
        try:
            incoming: Incoming = (
                record_to_tombstone(value)
                if value.get("tombstone") is True
                else record_to_incoming(value)
            )
        except BdError as exc:
            raise _line_error(number, exc.message) from exc
        incoming.line = number
        issue_id = incoming.id if isinstance(incoming, IncomingTombstone) else incoming.issue.id
        previous = seen.get(issue_id)
        if previous is not None:
            raise _line_error(number, f"issue {issue_id} appears twice (also on line {previous})")
        seen[issue_id] = number
        out.append(incoming)
    return out


def record_to_tombstone(value: dict[str, Any]) -> IncomingTombstone:
    return IncomingTombstone(
        Tombstone(
            validate.issue_id(value.get("id")),
            _text(value, "title"),
            _timestamp(value, "deleted_at"),
            _text(value, "deleted_by"),
        )
    )


def _text(value: dict[str, Any], name: str) -> str:
    raw = value.get(name)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise BdError("validation", f"field {name!r} must be a string", field=name)
    return raw


def json_type(value: object) -> str:
    """What a JSON value is, in JSON's words (for errors that say what was found)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _object(value: dict[str, Any], name: str) -> dict[str, Any]:
    raw = value.get(name)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise BdError(
            "validation", f"field {name!r} must be an object, got {json_type(raw)}", field=name
        )
    return raw


def _flag(value: dict[str, Any], name: str) -> bool:
    raw = value.get(name)
    if raw is None:
        return False
    if not isinstance(raw, bool):
        raise BdError(
            "validation", f"field {name!r} must be true or false, got {json_type(raw)}", field=name
        )
    return raw


def _timestamp(value: dict[str, Any], name: str, fallback: str | None = None) -> str:
    raw = value.get(name)
    if raw in (None, ""):
        if fallback is None:
            raise BdError("validation", f"field {name!r} is required", field=name)
        return fallback
    if not isinstance(raw, str):
        raise BdError("validation", f"field {name!r} must be an RFC 3339 string", field=name)
    try:
        return clock.normalize_ts(raw)
    except ValueError as exc:
        raise BdError(
            "validation", f"field {name!r}: {raw!r} is not an RFC 3339 timestamp", field=name
        ) from exc


def record_to_incoming(value: dict[str, Any]) -> IncomingIssue:
    issue_id = validate.issue_id(value.get("id"))
    created_at = _timestamp(value, "created_at")
    updated_at = _timestamp(value, "updated_at", created_at)
    status = validate.status(value.get("status", Status.OPEN.value)).value
    closed_at: str | None = None
    if status == Status.CLOSED:
        # Older exports may lack closed_at: the last update is the best estimate.
        closed_at = _timestamp(value, "closed_at", updated_at)
    priority = value.get("priority", DEFAULT_PRIORITY)
    issue = Issue(
        id=issue_id,
        title=validate.title(value.get("title")),
        description=_text(value, "description"),
        design=_text(value, "design"),
        acceptance_criteria=_text(value, "acceptance_criteria"),
        notes=_text(value, "notes"),
        status=status,
        priority=validate.priority(priority),
        issue_type=validate.issue_type(value.get("issue_type", DEFAULT_TYPE.value)).value,
        assignee=_text(value, "assignee"),
        created_at=created_at,
        updated_at=updated_at,
        closed_at=closed_at,
        external_ref=_text(value, "external_ref"),
        created_by=_text(value, "created_by"),
        metadata=_object(value, "metadata"),
        ephemeral=_flag(value, "ephemeral"),
    )
    labels = value.get("labels") or []
    if not isinstance(labels, list):
        raise BdError("validation", "field 'labels' must be a list of strings", field="labels")
    issue.labels = sorted({validate.label(label) for label in labels})
    deps_raw = value.get("dependencies") or []
    if not isinstance(deps_raw, list):
        raise BdError("validation", "field 'dependencies' must be a list", field="dependencies")
    dependencies = []
    for dep in deps_raw:
        if not isinstance(dep, dict):
            raise BdError("validation", "each dependency must be an object", field="dependencies")
        owner = dep.get("issue_id", issue_id)
        if owner != issue_id:
            raise BdError(
                "validation",
                f"dependency issue_id {owner!r} does not match the issue id {issue_id}",
                field="dependencies",
            )
        target = validate.issue_id(dep.get("depends_on_id"), "depends_on_id")
        if target == issue_id:
            raise BdError("validation", f"{issue_id} depends on itself", field="dependencies")
        dependencies.append(
            DepRecord(
                issue_id,
                target,
                validate.dep_type(dep.get("type", "blocks")).value,
                _timestamp(dep, "created_at", created_at),
                _text(dep, "created_by"),
            )
        )
    dependencies.sort(key=lambda d: d.depends_on_id)
    comments_raw = value.get("comments") or []
    if not isinstance(comments_raw, list):
        raise BdError("validation", "field 'comments' must be a list", field="comments")
    comments = []
    for comment in comments_raw:
        if not isinstance(comment, dict):
            raise BdError("validation", "each comment must be an object", field="comments")
        comments.append(
            {
                "author": _text(comment, "author"),
                "text": _text(comment, "text"),
                "created_at": _timestamp(comment, "created_at"),
            }
        )
    comments.sort(key=lambda c: c["created_at"])
    return IncomingIssue(issue, dependencies, comments)
