"""The one error type every layer raises, and the closed set of error codes.

Errors cross process boundaries (daemon -> client), so they are plain data: a code from
`ERROR_CODES`, a message a user can act on, and optional details such as the field or issue id.
"""

from __future__ import annotations

from typing import Any

# Closed, documented set (docs/PROTOCOL.md). Adding a code is a protocol change.
ERROR_CODES: frozenset[str] = frozenset(
    {
        "bad_request",  # malformed request: unknown op, unknown or mistyped argument
        "validation",  # well-formed but invalid value (priority 7, empty title, ...)
        "not_found",  # an issue id (or other referenced thing) does not exist
        "conflict",  # the change contradicts stored state (duplicate id, existing dependency)
        "cycle",  # a dependency would create a cycle
        "timeout",  # deadline passed before the writer took the request: nothing applied
        "version_mismatch",  # protocol version not supported
        "too_large",  # frame larger than the negotiated maximum
        "unavailable",  # daemon shutting down / not reachable
        "internal",  # a bug: the message says what failed
    }
)


class BdError(Exception):
    """An error with a stable `code` and a message meant for the person or agent that caused it."""

    def __init__(self, code: str, message: str, **details: Any) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "message": self.message}
        out.update(self.details)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BdError:
        code = data.get("code", "internal")
        if code not in ERROR_CODES:
            code = "internal"
        details = {k: v for k, v in data.items() if k not in ("code", "message")}
        return cls(code, str(data.get("message", "unknown error")), **details)

    def __repr__(self) -> str:
        return f"BdError({self.code!r}, {self.message!r})"


def not_found(issue_id: str) -> BdError:
    return BdError("not_found", f"issue {issue_id} not found", issue_id=issue_id)
