"""AsyncClient: the daemon from Trio code (agents, tests, benchmarks).

    async with AsyncClient(".beads/bd.sock", actor="agent-1") as bd:
        issue = await bd.create("Fix login", priority=1)

One connection per client; a lock keeps concurrent tasks that share a client from
interleaving their requests. Open one client per task for parallelism.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from types import TracebackType
from typing import Any

import trio

from bd_trio.actor import default_actor
from bd_trio.client.operations import Operations
from bd_trio.errors import BdError
from bd_trio.protocol.envelope import make_request, parse_response
from bd_trio.protocol.frames import BadFrame, FrameDecoder, encode_frame
from bd_trio.protocol.limits import DEFAULT_TIMEOUT_MS, MAX_RESPONSE_FRAME, SOCKET_GRACE_S


class AsyncClient(Operations):
    def __init__(
        self,
        socket_path: str | Path,
        *,
        actor: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_MS / 1000,
    ) -> None:
        self.socket_path = str(socket_path)
        self.actor = default_actor(actor)
        self.timeout = timeout
        self._ids = itertools.count(1)
        self._stream: trio.SocketStream | None = None
        self._decoder = FrameDecoder(MAX_RESPONSE_FRAME)
        self._lock = trio.Lock()

    def set_timeout(self, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = seconds

    async def connect(self) -> AsyncClient:
        if self._stream is None:
            try:
                self._stream = await trio.open_unix_socket(self.socket_path)
            except OSError as exc:
                raise BdError(
                    "unavailable", f"cannot connect to the daemon at {self.socket_path}: {exc}"
                ) from None
            self._decoder = FrameDecoder(MAX_RESPONSE_FRAME)
        return self

    async def aclose(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            await stream.aclose()

    async def __aenter__(self) -> AsyncClient:
        return await self.connect()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def call(self, op: str, args: dict[str, Any] | None = None) -> Any:
        return self._call(op, args or {})

    async def _call(self, op: str, args: dict[str, Any]) -> Any:
        async with self._lock:
            await self.connect()
            stream = self._stream
            assert stream is not None
            request_id = next(self._ids)
            timeout_ms = max(1, int(self.timeout * 1000))
            frame = encode_frame(
                make_request(request_id, op, args, actor=self.actor, timeout_ms=timeout_ms)
            )
            try:
                with trio.fail_after(self.timeout + SOCKET_GRACE_S):
                    await stream.send_all(frame)
                    while (event := self._decoder.next_event()) is None:
                        chunk = await stream.receive_some(1 << 20)
                        if not chunk:
                            raise BdError("unavailable", "the daemon closed the connection")
                        self._decoder.feed(chunk)
            except (
                trio.BrokenResourceError,
                trio.ClosedResourceError,
                trio.TooSlowError,
                OSError,
            ) as exc:
                await self.aclose()
                raise BdError("unavailable", f"lost the connection to the daemon: {exc}") from None
            except BdError:
                await self.aclose()
                raise
            if isinstance(event, BadFrame):
                await self.aclose()
                raise event.error
            return parse_response(event.value, request_id)
