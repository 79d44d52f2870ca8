"""The JSONL codec: one JSON object per record, sorted by id; and the strict parser that
refuses a whole file (with the file's name, the line number and the field) on a conflict
marker or a bad line. What each parsed object means (issue, tombstone, a record kept as its
line) and how records are written is sync/recordmap.py's."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bd_trio.errors import BdError
from bd_trio.model.issue import Issue
from bd_trio.store.issues import DepRecord
from bd_trio.store.tombstones import Tombstone
from bd_trio.sync import lines, recordmap
from bd_trio.sync.records import issue_record

CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


def dumps_record(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


def encode(records: Iterable[dict[str, Any]]) -> bytes:
    """The whole file: records sorted by id, one per line (in Go bd's form,
    recordmap.render_line), newline-terminated."""
    lines = sorted((str(r["id"]), recordmap.render_line(r)) for r in records)
    return "".join(line + "\n" for _, line in lines).encode("utf-8")


# How the lines of Go bd and of bd-trio begin (Go 1.x's exports start with `_type`).
LINE_HEADS = ('{"id":"', '{"_type":"issue","id":"')


def line_id(line: str) -> str | None:
    """The id of an issue's line (without parsing all of it when it starts with the id)."""
    for head in LINE_HEADS:
        if line.startswith(head):
            end = line.find('"', len(head))
            if end > 0 and "\\" not in line[len(head) : end]:
                return line[len(head) : end]
    value = lines.load_quietly(line)  # bounded: a line from a pull is anyone's
    if not isinstance(value, dict) or recordmap.kind_of(value) == "other":
        return None
    return str(value.get("id"))


def line_key(line: str) -> str:
    """What a line is matched by across versions of the file, and sorted by: an issue's (or
    tombstone's) id; for any other record its recordmap.other_key (after every issue)."""
    found = line_id(line)
    if found is not None:
        return found
    value = lines.load_quietly(line)
    if not isinstance(value, dict):
        return recordmap.OTHER_KEY_PREFIX + line
    return recordmap.other_key(value, line)


@dataclass(slots=True)
class IncomingIssue:
    """One parsed line: the issue, its outgoing dependencies and its comments; `raw`: the line
    as it was read (written back while the issue's record stays the same)."""

    issue: Issue
    dependencies: list[DepRecord] = field(default_factory=list)
    comments: list[dict[str, str]] = field(default_factory=list)
    line: int = 0
    raw: str | None = None

    @property
    def key(self) -> str:
        return self.issue.id

    def to_record(self) -> dict[str, Any]:
        return issue_record(self.issue, self.dependencies, self.comments)


@dataclass(slots=True)
class IncomingTombstone:
    """One parsed tombstone line: an issue deleted on some clone."""

    tombstone: Tombstone
    line: int = 0
    raw: str | None = None

    @property
    def id(self) -> str:
        return self.tombstone.id

    @property
    def key(self) -> str:
        return self.tombstone.id

    def to_record(self) -> dict[str, Any]:
        return self.tombstone.to_record()


@dataclass(slots=True)
class IncomingOther:
    """A line that is not an issue (`{"_type": "memory", ...}`, an object without an id):
    kept as it is, by its key (recordmap.other_key), and written back after the issues."""

    key: str
    raw: str
    line: int = 0


Incoming = IncomingIssue | IncomingTombstone | IncomingOther


def parse(text: str, source: str = "issues.jsonl") -> list[Incoming]:
    """Parse a whole JSONL document. Any bad line rejects the whole document (the error names
    `source`, the line and the field); reading is bounded (sync/lines.py)."""
    out: list[Incoming] = []
    seen: dict[str, int] = {}
    for number, line in lines.split(text, source):
        if line.startswith(CONFLICT_MARKERS):
            raise lines.line_error(
                source,
                number,
                "git conflict marker found: run `bd sync`, which merges the versions git "
                "keeps (or resolve the conflict by hand), then run the command again",
            )
        value = lines.load(line, number, source)
        if not isinstance(value, dict):
            raise lines.line_error(source, number, "each line must be a JSON object")
        try:
            incoming = incoming_from(value, line)
        except BdError as exc:
            raise lines.line_error(source, number, exc.message) from exc
        except (TypeError, ValueError, KeyError, AttributeError, ArithmeticError) as exc:
            # A shape the mapping did not foresee: still a clean error, never a traceback.
            raise lines.line_error(
                source, number, f"cannot read this record ({type(exc).__name__}: {exc})"
            ) from exc
        incoming.line = number
        previous = seen.get(incoming.key)
        if previous is not None:
            what = "record" if isinstance(incoming, IncomingOther) else f"issue {incoming.key}"
            raise lines.line_error(
                source, number, f"{what} appears twice (also on line {previous})"
            )
        seen[incoming.key] = number
        out.append(incoming)
    return out


def incoming_from(value: dict[str, Any], line: str | None = None) -> Incoming:
    """The record of one parsed line (`line`: its text, kept to be written back)."""
    kind = recordmap.kind_of(value)
    if kind == "other":
        text = line if line is not None else recordmap.go_json(value)
        return IncomingOther(recordmap.other_key(value, text), text)
    if kind == "tombstone":
        return IncomingTombstone(recordmap.tombstone_fields(value), raw=line)
    return record_to_incoming(value, line)


def record_to_incoming(value: dict[str, Any], line: str | None = None) -> IncomingIssue:
    issue = recordmap.issue_fields(value)
    return IncomingIssue(
        issue,
        recordmap.dependencies_of(value, issue.id, issue.created_at),
        recordmap.comments_of(value),
        raw=line,
    )
