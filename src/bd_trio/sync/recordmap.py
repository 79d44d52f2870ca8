"""Records as Go bd and its peers write them, mapped to ours and back.

Reading (`incoming_from`): every JSON object a real issues.jsonl holds is accepted.
- An issue: its modelled keys become the Issue's fields (a known spelling of a status, type or
  dependency type gets its meaning: br's `parent_child` is parent-child); every other key is
  kept verbatim in `Issue.extra`.
- A deletion: our `{"tombstone": true}` line, or upstream's `"status": "tombstone"` issue.
- Anything else (`{"_type": "memory", ...}`, an object without an id): kept as its line and
  written back (`IncomingOther`).
A wrong type in a modelled key is an error that says what was found ("field 'title' must be a
string, got an object").

Writing (`go_record`, `render_line`): the form current Go bd writes. Keys in the order of the
JSON tags of upstream's `internal/types/types.go` (`GO_KEYS`; keys it does not know follow in
the order they were read), empty values omitted (Go's omitempty), timestamps as RFC 3339 with
the offset the last read line had for the same instant (else UTC, trailing fraction zeros
trimmed, as Go's RFC3339Nano), `<`, `>`, `&`, U+2028 and U+2029 escaped as Go's encoder does.
An issue whose record did not change since it was read is not rendered at all: its raw line is
written back (sync/records.py).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from bd_trio.errors import BdError
from bd_trio.model import clock, validate
from bd_trio.model.enums import DEFAULT_PRIORITY, DEFAULT_TYPE, TOMBSTONE_STATUS, Status
from bd_trio.model.issue import Issue
from bd_trio.store.issues import DepRecord
from bd_trio.store.tombstones import Tombstone

# The JSON keys of upstream's Issue (and IssueWithCounts, and the `_type` of its exports), in
# its struct order: the order Go's encoder writes them.
GO_KEYS = (
    "_type",
    "id",
    "title",
    "description",
    "design",
    "acceptance_criteria",
    "notes",
    "spec_id",
    "status",
    "priority",
    "issue_type",
    "assignee",
    "owner",
    "estimated_minutes",
    "created_at",
    "created_by",
    "updated_at",
    "started_at",
    "closed_at",
    "close_reason",
    "closed_by_session",
    "due_at",
    "defer_until",
    "external_ref",
    "source_system",
    "metadata",
    "compaction_level",
    "compacted_at",
    "compacted_at_commit",
    "original_size",
    "labels",
    "dependencies",
    "comments",
    "sender",
    "ephemeral",
    "no_history",
    "wisp_type",
    "pinned",
    "is_template",
    "bonded_from",
    "await_type",
    "await_id",
    "timeout",
    "waiters",
    "source_formula",
    "source_location",
    "mol_type",
    "work_type",
    "event_kind",
    "actor",
    "target",
    "payload",
    "dependency_count",
    "dependent_count",
    "comment_count",
    "parent",
)
_GO_POSITION = {key: n for n, key in enumerate(GO_KEYS)}

# Keys Go writes even when empty (no omitempty).
_ALWAYS = frozenset({"id", "title", "priority", "created_at", "updated_at"})

# The issue's keys that map to Issue fields (the rest go to `extra`).
_MODELLED = frozenset(
    {
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
        "metadata",
        "ephemeral",
        "owner",
        "started_at",
        "close_reason",
        "defer_until",
        "labels",
        "dependencies",
        "comments",
    }
)
_TIME_FIELDS = ("created_at", "updated_at", "started_at", "closed_at", "defer_until")
_DEP_KEYS = ("issue_id", "depends_on_id", "type", "created_at", "created_by")

# Where records that are not issues sort in a file: after every issue.
OTHER_KEY_PREFIX = "\U0010ffff"


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


def _wrong(name: str, expected: str, raw: object) -> BdError:
    return BdError(
        "validation", f"field {name!r} must be {expected}, got {json_type(raw)}", field=name
    )


def text_field(value: dict[str, Any], name: str) -> str:
    raw = value.get(name)
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise _wrong(name, "a string", raw)
    return raw


def object_field(value: dict[str, Any], name: str) -> dict[str, Any]:
    raw = value.get(name)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _wrong(name, "an object", raw)
    return raw


def flag_field(value: dict[str, Any], name: str) -> bool:
    raw = value.get(name)
    if raw is None:
        return False
    if not isinstance(raw, bool):
        raise _wrong(name, "true or false", raw)
    return raw


def time_field(value: dict[str, Any], name: str, fallback: str | None = None) -> str:
    raw = value.get(name)
    if raw in (None, ""):
        if fallback is None:
            raise BdError("validation", f"field {name!r} is required", field=name)
        return fallback
    if not isinstance(raw, str):
        raise _wrong(name, "an RFC 3339 timestamp string", raw)
    try:
        return clock.normalize_ts(raw)
    except (ValueError, OverflowError) as exc:
        raise BdError(
            "validation", f"field {name!r}: {raw!r} is not an RFC 3339 timestamp", field=name
        ) from exc


def optional_time(value: dict[str, Any], name: str) -> str | None:
    return time_field(value, name) if value.get(name) not in (None, "") else None


def _title(value: dict[str, Any]) -> str:
    raw = value.get("title")
    if raw is not None and not isinstance(raw, str):
        raise _wrong("title", "a string", raw)
    return validate.title(raw)


def _word(value: dict[str, Any], name: str, default: str, check: Any) -> str:
    raw = value.get(name)
    if raw in (None, ""):
        return default
    if not isinstance(raw, str):
        raise _wrong(name, "a string", raw)
    return str(check(raw))


def issue_fields(value: dict[str, Any]) -> Issue:
    """The Issue of an issue record (labels included; dependencies and comments apart)."""
    issue_id = validate.issue_id(value.get("id"))
    created_at = time_field(value, "created_at")
    updated_at = time_field(value, "updated_at", created_at)
    status = _word(value, "status", Status.OPEN.value, validate.any_status)
    closed_at = optional_time(value, "closed_at")
    if status == Status.CLOSED and closed_at is None:
        closed_at = updated_at  # older exports lack it: the last update is the best estimate
    priority = value.get("priority", DEFAULT_PRIORITY)
    if priority is None:
        priority = DEFAULT_PRIORITY
    labels = value.get("labels") or []
    if not isinstance(labels, list):
        raise _wrong("labels", "an array of strings", labels)
    for label in labels:
        if not isinstance(label, str):
            raise _wrong("labels", "an array of strings", label)
    return Issue(
        id=issue_id,
        title=_title(value),
        description=text_field(value, "description"),
        design=text_field(value, "design"),
        acceptance_criteria=text_field(value, "acceptance_criteria"),
        notes=text_field(value, "notes"),
        status=status,
        priority=validate.priority(priority),
        issue_type=_word(value, "issue_type", DEFAULT_TYPE.value, validate.any_issue_type),
        assignee=text_field(value, "assignee"),
        created_at=created_at,
        updated_at=updated_at,
        closed_at=closed_at,
        external_ref=text_field(value, "external_ref"),
        created_by=text_field(value, "created_by"),
        metadata=object_field(value, "metadata"),
        ephemeral=flag_field(value, "ephemeral"),
        owner=text_field(value, "owner"),
        started_at=optional_time(value, "started_at"),
        close_reason=text_field(value, "close_reason"),
        defer_until=optional_time(value, "defer_until"),
        extra={k: v for k, v in value.items() if k not in _MODELLED},
        labels=sorted({validate.label(label) for label in labels}),
    )


def dependencies_of(value: dict[str, Any], issue_id: str, created_at: str) -> list[DepRecord]:
    deps_raw = value.get("dependencies") or []
    if not isinstance(deps_raw, list):
        raise _wrong("dependencies", "an array", deps_raw)
    out = []
    for dep in deps_raw:
        if not isinstance(dep, dict):
            raise _wrong("dependencies", "an array of objects", dep)
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
        kind = dep.get("type", dep.get("dep_type", "blocks"))
        if not isinstance(kind, str):
            raise _wrong("type", "a string", kind)
        extra = {k: v for k, v in dep.items() if k not in _DEP_KEYS}
        out.append(
            DepRecord(
                issue_id,
                target,
                validate.any_dep_type(kind),
                time_field(dep, "created_at", created_at),
                text_field(dep, "created_by"),
                json.dumps(extra, ensure_ascii=False, separators=(",", ":")) if extra else "",
            )
        )
    out.sort(key=lambda d: d.depends_on_id)
    return out


def comments_of(value: dict[str, Any]) -> list[dict[str, str]]:
    comments_raw = value.get("comments") or []
    if not isinstance(comments_raw, list):
        raise _wrong("comments", "an array", comments_raw)
    out = []
    for comment in comments_raw:
        if not isinstance(comment, dict):
            raise _wrong("comments", "an array of objects", comment)
        out.append(
            {
                "author": text_field(comment, "author"),
                "text": text_field(comment, "text"),
                "created_at": time_field(comment, "created_at"),
            }
        )
    out.sort(key=lambda c: c["created_at"])
    return out


def tombstone_fields(value: dict[str, Any]) -> Tombstone:
    """Our tombstone line, or upstream's issue with status `tombstone` (deleted then)."""
    fallback = None
    if value.get("status") == TOMBSTONE_STATUS:
        fallback = value.get("updated_at") or value.get("created_at")
        fallback = clock.normalize_ts(fallback) if isinstance(fallback, str) else None
    return Tombstone(
        validate.issue_id(value.get("id")),
        text_field(value, "title"),
        time_field(value, "deleted_at", fallback),
        text_field(value, "deleted_by"),
    )


def kind_of(value: dict[str, Any]) -> str:
    """ "issue", "tombstone" or "other" (kept as a line, not understood as an issue)."""
    record_type = value.get("_type")
    if record_type not in (None, "issue") or "id" not in value:
        return "other"
    if value.get("tombstone") is True or value.get("status") == TOMBSTONE_STATUS:
        return "tombstone"
    return "issue"


def other_key(value: dict[str, Any], line: str) -> str:
    """Where a record that is not an issue sorts, and what it is matched by across clones:
    its `_type` and `key` (Go's memories), else its id, else the line itself."""
    name = value.get("key", value.get("id", value.get("name")))
    ident = json.dumps(name, ensure_ascii=False) if name is not None else line
    return f"{OTHER_KEY_PREFIX}{value.get('_type', '')}\x1f{ident}"


# --- writing ----------------------------------------------------------------------------------


def _empty(value: Any) -> bool:
    return value is None or value == "" or value is False or value == [] or value == {}


def go_record(
    issue: Issue, dependencies: Sequence[DepRecord], comments: Sequence[Any]
) -> dict[str, Any]:
    """THE record of an issue: Go's key order, empty values omitted (unmodelled keys are
    written as they were read, empty or not). Straight-line for an issue without unmodelled
    keys (most of them: imports and exports of big files); tests/test_fields.py checks it
    against go_record_general."""
    if issue.extra:
        return go_record_general(issue, dependencies, comments)
    out: dict[str, Any] = {"id": issue.id, "title": issue.title}
    for key, value in (
        ("description", issue.description),
        ("design", issue.design),
        ("acceptance_criteria", issue.acceptance_criteria),
        ("notes", issue.notes),
        ("status", issue.status),
    ):
        if value:
            out[key] = value
    out["priority"] = issue.priority
    for key, value in (
        ("issue_type", issue.issue_type),
        ("assignee", issue.assignee),
        ("owner", issue.owner),
    ):
        if value:
            out[key] = value
    out["created_at"] = issue.created_at
    if issue.created_by:
        out["created_by"] = issue.created_by
    out["updated_at"] = issue.updated_at
    later: tuple[tuple[str, Any], ...] = (
        ("started_at", issue.started_at),
        ("closed_at", issue.closed_at),
        ("close_reason", issue.close_reason),
        ("defer_until", issue.defer_until),
        ("external_ref", issue.external_ref),
        ("metadata", issue.metadata),
        ("labels", issue.labels),
    )
    for key, item in later:
        if item:
            out[key] = list(item) if key == "labels" else item
    if dependencies:
        out["dependencies"] = [d.to_dict() for d in dependencies]
    if comments:
        out["comments"] = [
            {"author": c["author"], "text": c["text"], "created_at": c["created_at"]}
            for c in comments
        ]
    if issue.ephemeral:
        out["ephemeral"] = True
    return out


def go_record_general(
    issue: Issue, dependencies: Sequence[DepRecord], comments: Sequence[Any]
) -> dict[str, Any]:
    """go_record for any issue: its JSON object's keys sorted into Go's order."""
    values = issue.to_dict()
    values.pop("claim", None)
    for key in ("description", "status", "issue_type"):
        if key in values and _empty(values[key]) and key not in issue.extra:
            del values[key]
    if dependencies:
        values["dependencies"] = [d.to_dict() for d in dependencies]
    if comments:
        values["comments"] = [
            {"author": c["author"], "text": c["text"], "created_at": c["created_at"]}
            for c in comments
        ]
    extra = issue.extra
    out: dict[str, Any] = {}
    for key in sorted(values, key=lambda k: _GO_POSITION.get(k, len(GO_KEYS))):
        value = values[key]
        if key in _ALWAYS or key in extra or not _empty(value):
            out[key] = value
    return out


_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}
_GO_ESCAPES["\u2029"] = "\\u2029"
_SHORT_ESCAPE = re.compile(r"\\(.)")


def go_json(record: dict[str, Any]) -> str:
    """Compact JSON escaped as Go's encoding/json escapes it."""
    text = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _GO_ESCAPES.items():
        if char in text:
            text = text.replace(char, escape)
    if "\\b" in text or "\\f" in text:  # Go writes these two as \u0008 and \u000c
        text = _SHORT_ESCAPE.sub(
            lambda m: {"b": "\\u0008", "f": "\\u000c"}.get(m.group(1), m.group(0)), text
        )
    return text


def go_time(stored: str) -> str:
    """A stored UTC timestamp as Go's RFC3339Nano writes it (fraction zeros trimmed)."""
    if len(stored) == 27 and stored.endswith("Z") and stored[19] == ".":
        fraction = stored[20:26].rstrip("0")
        return f"{stored[:19]}.{fraction}Z" if fraction else f"{stored[:19]}Z"
    return stored


def _same_instant(text: Any, stored: str) -> bool:
    try:
        return isinstance(text, str) and clock.normalize_ts(text) == stored
    except (ValueError, OverflowError):
        return False


def with_times(record: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """The record with its timestamps in written form: the text the previous line had for
    the same instant (its offset and digits), else Go's UTC form."""
    out = dict(record)
    for name in _TIME_FIELDS:
        stored = out.get(name)
        if not isinstance(stored, str):
            continue
        before = previous.get(name) if previous else None
        out[name] = before if _same_instant(before, stored) else go_time(stored)
    if out.get("dependencies"):
        old = {}
        if previous and isinstance(previous.get("dependencies"), list):
            old = {
                d.get("depends_on_id"): d for d in previous["dependencies"] if isinstance(d, dict)
            }
        deps = []
        for dep in out["dependencies"]:
            before = old.get(dep["depends_on_id"], {}).get("created_at")
            stamp = dep["created_at"]
            dep = {**dep, "created_at": before if _same_instant(before, stamp) else go_time(stamp)}
            deps.append(dep)
        out["dependencies"] = deps
    if out.get("comments"):
        out["comments"] = [{**c, "created_at": go_time(c["created_at"])} for c in out["comments"]]
    return out


def render_line(record: dict[str, Any], previous_line: str | None = None) -> str:
    """The line of a record that changed (or is new): Go's form."""
    previous = None
    if previous_line:
        try:
            loaded = json.loads(previous_line)
            previous = loaded if isinstance(loaded, dict) else None
        except ValueError:
            previous = None
    if "tombstone" in record and record.get("tombstone") is True:
        return go_json(record)
    return go_json(with_times(record, previous))
