"""The client side of the protocol without I/O, shared by BlockingClient and AsyncClient.

`ClientCore` numbers requests, builds their frames (with the actor and the deadline), and turns
the bytes that arrive into the answer of the request in flight: its data, the daemon's error
(`BdError`), or `BrokenStream` when the stream itself is broken and the connection must be
closed. The blocking and the async client only move bytes (as h11 does for HTTP).
"""

from __future__ import annotations

import itertools
from typing import Any

from bd_trio.actor import default_actor
from bd_trio.errors import BdError
from bd_trio.protocol.envelope import is_progress, make_request, parse_response
from bd_trio.protocol.frames import BadFrame, FrameDecoder, encode_frame
from bd_trio.protocol.limits import DEFAULT_TIMEOUT_MS, MAX_RESPONSE_FRAME, SOCKET_GRACE_S

DEFAULT_TIMEOUT_S = DEFAULT_TIMEOUT_MS / 1000


class NeedData:
    """The answer is not complete yet: receive more bytes."""


NEED_DATA = NeedData()


class Progress:
    """How far a long request got (a progress frame, sent only when the request asked)."""

    __slots__ = ("done", "total")

    def __init__(self, done: int, total: int) -> None:
        self.done = done
        self.total = total


class BrokenStream(Exception):
    """The connection cannot be used any more (closed, cut mid-frame, garbage): close it."""

    def __init__(self, error: BdError) -> None:
        super().__init__(error.message)
        self.error = error


class ClientCore:
    def __init__(
        self, *, actor: str | None, timeout: float, client_version: str | None = None
    ) -> None:
        self.actor = default_actor(actor)
        # Sent with each request when set: a daemon of another version refuses the request
        # (`version_mismatch`, nothing applied). The CLI sets it; library clients need not.
        self.client_version = client_version
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._decoder = FrameDecoder(MAX_RESPONSE_FRAME)
        self._pending: int | None = None
        # Warnings that came with answers (a refused issues.jsonl: the data is the database's
        # last good state); the reader takes them.
        self.warnings: list[str] = []

    def set_timeout(self, seconds: float) -> None:
        """Deadline of each later request: past it the daemon answers `timeout` and the
        request is guaranteed not applied."""
        if seconds <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = seconds

    @property
    def wait_s(self) -> float:
        """How long the socket may wait for an answer: the deadline plus a grace (the daemon
        answers `timeout` itself at the deadline)."""
        return self.timeout + SOCKET_GRACE_S

    def reset(self) -> None:
        """A new connection: nothing buffered, nothing in flight."""
        self._decoder = FrameDecoder(MAX_RESPONSE_FRAME)
        self._pending = None

    def request(self, op: str, args: dict[str, Any], *, progress: bool = False) -> bytes:
        """The frame of a new request (one in flight at a time); with `progress`, the daemon
        sends progress frames before the answer."""
        request_id = next(self._ids)
        self._pending = request_id
        timeout_ms = max(1, int(self.timeout * 1000))
        return encode_frame(
            make_request(
                request_id,
                op,
                args,
                actor=self.actor,
                timeout_ms=timeout_ms,
                progress=progress,
                client_version=self.client_version,
            )
        )

    def receive(self, data: bytes) -> None:
        if not data:
            raise BrokenStream(BdError("unavailable", "the daemon closed the connection"))
        self._decoder.feed(data)

    def answer(self) -> Any:
        """The data of the request in flight, a `Progress` (more follows), NEED_DATA, or
        raise its error."""
        event = self._decoder.next_event()
        if event is None:
            return NEED_DATA
        if isinstance(event, BadFrame):
            raise BrokenStream(event.error)
        if is_progress(event.value):
            report = event.value["progress"]
            if event.value.get("id") != self._pending or not isinstance(report, dict):
                raise BrokenStream(BdError("internal", "a progress frame for another request"))
            return Progress(int(report.get("done", 0)), int(report.get("total", 0)))
        expected, self._pending = self._pending, None
        if expected is None:
            raise BrokenStream(BdError("internal", "an answer arrived with no request in flight"))
        warning = event.value.get("warning") if isinstance(event.value, dict) else None
        if isinstance(warning, str) and warning not in self.warnings:
            self.warnings.append(warning)
        return parse_response(event.value, expected)
