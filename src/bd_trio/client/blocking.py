"""BlockingClient: the daemon over a plain stdlib socket (what the CLI uses; no trio).

    with BlockingClient(".beads/bd.sock", actor="agent-1") as bd:
        issue = bd.create("Fix login", priority=1)
        bd.update(issue["id"], status="in_progress")

Requests go over one persistent connection, one at a time. Errors from the daemon are raised
as BdError (with `.code`). A broken connection raises `unavailable`; the client does not retry
by itself, because a write may or may not have been applied.
"""

from __future__ import annotations

import itertools
import socket
from pathlib import Path
from typing import Any

from bd_trio.actor import default_actor
from bd_trio.client.operations import Operations
from bd_trio.errors import BdError
from bd_trio.protocol.envelope import make_request, parse_response
from bd_trio.protocol.frames import BadFrame, FrameDecoder, encode_frame
from bd_trio.protocol.limits import DEFAULT_TIMEOUT_MS, MAX_RESPONSE_FRAME, SOCKET_GRACE_S


class BlockingClient(Operations):
    def __init__(
        self,
        socket_path: str | Path,
        *,
        actor: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_MS / 1000,
        connect_timeout: float = 2.0,
    ) -> None:
        self.socket_path = str(socket_path)
        self.actor = default_actor(actor)
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self._ids = itertools.count(1)
        self._sock: socket.socket | None = None
        self._socket_wait: float | None = None
        self._decoder = FrameDecoder(MAX_RESPONSE_FRAME)

    def set_timeout(self, seconds: float) -> None:
        """Deadline of each later request: past it the daemon answers `timeout` and the
        request is guaranteed not applied."""
        if seconds <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = seconds

    def connect(self) -> BlockingClient:
        if self._sock is None:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.connect_timeout)
            try:
                sock.connect(self.socket_path)
            except OSError as exc:
                sock.close()
                raise BdError(
                    "unavailable", f"cannot connect to the daemon at {self.socket_path}: {exc}"
                ) from None
            self._sock = sock
            self._socket_wait = None
            self._decoder = FrameDecoder(MAX_RESPONSE_FRAME)
        return self

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> BlockingClient:
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(self, op: str, args: dict[str, Any] | None = None) -> Any:
        sock = self.connect()._sock
        assert sock is not None
        request_id = next(self._ids)
        timeout_ms = max(1, int(self.timeout * 1000))
        frame = encode_frame(
            make_request(request_id, op, args or {}, actor=self.actor, timeout_ms=timeout_ms)
        )
        wait = self.timeout + SOCKET_GRACE_S
        if wait != self._socket_wait:  # a syscall: only when the timeout changed
            sock.settimeout(wait)
            self._socket_wait = wait
        try:
            sock.sendall(frame)
            while True:
                event = self._decoder.next_event()
                if event is not None:
                    break
                chunk = sock.recv(1 << 20)
                if not chunk:
                    raise BdError("unavailable", "the daemon closed the connection")
                self._decoder.feed(chunk)
        except (OSError, BdError) as exc:
            self.close()
            if isinstance(exc, BdError):
                raise
            raise BdError("unavailable", f"lost the connection to the daemon: {exc}") from None
        if isinstance(event, BadFrame):
            self.close()
            raise event.error
        return parse_response(event.value, request_id)
