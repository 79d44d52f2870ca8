"""Request and response envelopes (docs/PROTOCOL.md).

Request:  {"v": 1, "id": int, "op": str, "args": map, "actor": str?, "timeout_ms": int?,
           "progress": bool?}
Progress: {"v": 1, "id": int, "progress": {"done": int, "total": int}}   (only when asked)
Response: {"v": 1, "id": int, "ok": true, "data": any, "warning": str?}
          {"v": 1, "id": int, "ok": false, "error": {"code": str, "message": str, ...}}
"""

from __future__ import annotations

from typing import Any

from bd_trio.errors import BdError
from bd_trio.protocol.limits import DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, PROTOCOL_VERSION

REQUEST_KEYS = frozenset(
    {"v", "id", "op", "args", "actor", "timeout_ms", "progress", "client_version"}
)


class Request:
    """A parsed request (a plain class: every CLI call imports this module)."""

    __slots__ = ("actor", "args", "client_version", "id", "op", "progress", "timeout_ms")

    def __init__(
        self,
        id: int,
        op: str,
        args: dict[str, Any],
        actor: str | None,
        timeout_ms: int,
        progress: bool = False,
        client_version: str | None = None,
    ) -> None:
        self.client_version = client_version  # bd-trio's version of the client, if it says
        self.id = id
        self.op = op
        self.args = args
        self.actor = actor
        self.timeout_ms = timeout_ms
        self.progress = progress  # send progress frames before the response


class EnvelopeError(Exception):
    """A request that cannot be served; `request_id` is known when the id could be read."""

    def __init__(self, error: BdError, request_id: int | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.request_id = request_id


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_request(value: Any) -> Request:
    if not isinstance(value, dict):
        raise EnvelopeError(BdError("bad_request", "a request must be a CBOR map"), None)
    request_id = value.get("id")
    rid = request_id if _is_int(request_id) else None

    def fail(code: str, message: str) -> EnvelopeError:
        return EnvelopeError(BdError(code, message), rid)

    if rid is None:
        raise fail("bad_request", "request 'id' must be an integer")
    version = value.get("v")
    if version != PROTOCOL_VERSION:
        raise fail(
            "version_mismatch",
            f"protocol version {version!r} is not supported; "
            f"this daemon speaks v{PROTOCOL_VERSION}",
        )
    unknown = set(value) - REQUEST_KEYS
    if unknown:
        raise fail("bad_request", f"unknown request keys: {', '.join(sorted(map(str, unknown)))}")
    op = value.get("op")
    if not isinstance(op, str) or not op:
        raise fail("bad_request", "request 'op' must be a non-empty string")
    args = value.get("args", {})
    if args is None:
        args = {}
    if not isinstance(args, dict):
        raise fail("bad_request", "request 'args' must be a map")
    actor = value.get("actor")
    if actor is not None and (not isinstance(actor, str) or len(actor) > 200):
        raise fail("bad_request", "request 'actor' must be a string of at most 200 characters")
    timeout_ms = value.get("timeout_ms", DEFAULT_TIMEOUT_MS)
    if not _is_int(timeout_ms) or not 0 < timeout_ms <= MAX_TIMEOUT_MS:
        raise fail("bad_request", f"'timeout_ms' must be an integer 1-{MAX_TIMEOUT_MS}")
    progress = value.get("progress", False)
    if not isinstance(progress, bool):
        raise fail("bad_request", "request 'progress' must be true or false")
    client_version = value.get("client_version")
    if client_version is not None and not isinstance(client_version, str):
        raise fail("bad_request", "request 'client_version' must be a string")
    return Request(rid, op, args, actor, timeout_ms, progress, client_version)


def make_request(
    request_id: int,
    op: str,
    args: dict[str, Any],
    *,
    actor: str | None = None,
    timeout_ms: int | None = None,
    progress: bool = False,
    client_version: str | None = None,
) -> dict[str, Any]:
    message: dict[str, Any] = {"v": PROTOCOL_VERSION, "id": request_id, "op": op, "args": args}
    if actor is not None:
        message["actor"] = actor
    if timeout_ms is not None:
        message["timeout_ms"] = timeout_ms
    if progress:
        message["progress"] = True
    if client_version is not None:
        message["client_version"] = client_version
    return message


def progress_message(request_id: int, done: int, total: int) -> dict[str, Any]:
    """How far a long request got (sent only to a request that asked for progress)."""
    return {"v": PROTOCOL_VERSION, "id": request_id, "progress": {"done": done, "total": total}}


def is_progress(value: Any) -> bool:
    return isinstance(value, dict) and "progress" in value and "ok" not in value


def ok_response(request_id: int | None, data: Any, warning: str | None = None) -> dict[str, Any]:
    response = {"v": PROTOCOL_VERSION, "id": request_id, "ok": True, "data": data}
    if warning is not None:  # the answer stands, but its reader should know (docs/PROTOCOL.md)
        response["warning"] = warning
    return response


def error_response(request_id: int | None, error: BdError) -> dict[str, Any]:
    return {"v": PROTOCOL_VERSION, "id": request_id, "ok": False, "error": error.to_dict()}


def parse_response(value: Any, expected_id: int) -> Any:
    """The data of a response, or raise its error as BdError."""
    if not isinstance(value, dict) or "ok" not in value:
        raise BdError("internal", f"malformed response from the daemon: {value!r:.200}")
    if value.get("id") != expected_id:
        raise BdError(
            "internal", f"response id {value.get('id')!r} does not match request {expected_id}"
        )
    if value["ok"]:
        return value.get("data")
    error = value.get("error")
    if not isinstance(error, dict):
        raise BdError("internal", "error response without an error map")
    raise BdError.from_dict(error)
