"""AsyncClient: the daemon from Trio code (agents, tests, benchmarks).

    async with AsyncClient(".beads/bd.sock", actor="agent-1") as bd:
        issue = await bd.create("Fix login", priority=1)

One typed awaitable method per operation (client/operations.py) over one connection; the
protocol work is the shared sans-IO `ClientCore`, this shell only moves bytes. A lock keeps
concurrent tasks that share a client from interleaving their requests: open one client per
task for parallelism.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import trio

from bd_trio.client.core import (
    DEFAULT_TIMEOUT_S,
    NEED_DATA,
    BrokenStream,
    ClientCore,
    Item,
    Progress,
)
from bd_trio.client.operations import AsyncOperations
from bd_trio.client.requests import Request
from bd_trio.errors import BdError

T = TypeVar("T")


class AsyncClient(AsyncOperations):
    def __init__(
        self,
        socket_path: str | Path,
        *,
        actor: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.socket_path = str(socket_path)
        self.core = ClientCore(actor=actor, timeout=timeout)
        self._stream: trio.SocketStream | None = None
        self._lock = trio.Lock()

    @property
    def actor(self) -> str:
        return self.core.actor

    @property
    def timeout(self) -> float:
        """Each request's deadline in seconds (see set_timeout)."""
        return self.core.timeout

    def set_timeout(self, seconds: float) -> None:
        self.core.set_timeout(seconds)

    async def connect(self) -> AsyncClient:
        if self._stream is None:
            try:
                self._stream = await trio.open_unix_socket(self.socket_path)
            except OSError as exc:
                raise BdError(
                    "unavailable", f"cannot connect to the daemon at {self.socket_path}: {exc}"
                ) from None
            self.core.reset()
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

    async def call(
        self,
        op: str,
        args: dict[str, Any] | None = None,
        *,
        on_progress: Callable[[int, int], Any] | None = None,
    ) -> Any:
        """Run one operation by name; its data, or its error raised as BdError. With
        `on_progress` (a function, or an async function), long operations report (done,
        total) as they go."""
        async with self._lock:
            await self.connect()
            stream = self._stream
            assert stream is not None
            frame = self.core.request(op, args or {}, progress=on_progress is not None)
            try:
                with trio.fail_after(self.core.wait_s):
                    await stream.send_all(frame)
                    while True:
                        answer = self.core.answer()
                        if answer is NEED_DATA:
                            self.core.receive(await stream.receive_some(1 << 20))
                        elif isinstance(answer, Progress):
                            if on_progress is not None:
                                reported = on_progress(answer.done, answer.total)
                                if inspect.isawaitable(reported):
                                    await reported
                        else:
                            break
            except (
                trio.BrokenResourceError,
                trio.ClosedResourceError,
                trio.TooSlowError,
                OSError,
            ) as exc:
                await self.aclose()
                raise BdError("unavailable", f"lost the connection to the daemon: {exc}") from None
            except BrokenStream as exc:
                await self.aclose()
                raise exc.error from None
            return answer

    async def watch(self, since: int | None = None) -> AsyncIterator[dict[str, Any]]:
        """The feed of changes after the cursor `since` (None: from now on), one dict per
        change, for as long as you iterate (`async for change in client.watch(0)`). The
        stream has the connection to itself and closes it when you stop. If it breaks (a
        daemon restart, or this reader was too slow and was cut off), BdError `unavailable`
        says the cursor to resume from: resuming there misses nothing and repeats nothing."""
        async with self._lock:
            await self.connect()
            stream = self._stream
            assert stream is not None
            last = since
            try:
                await stream.send_all(
                    self.core.request("watch", {} if since is None else {"since": since})
                )
                while True:
                    answer = self.core.answer()
                    if answer is NEED_DATA:
                        self.core.receive(await stream.receive_some(1 << 20))
                    elif isinstance(answer, Item):
                        last = answer.data.get("cursor", last)
                        yield answer.data
                    elif not isinstance(answer, Progress):
                        raise BdError(
                            "unavailable", f"the daemon stopped; resume with since={last}"
                        )
            except (trio.BrokenResourceError, trio.ClosedResourceError, OSError, BrokenStream):
                raise BdError(
                    "unavailable", f"the watch stream broke; resume with since={last}"
                ) from None
            finally:
                with trio.CancelScope(shield=True):
                    await self.aclose()  # the connection was the stream's

    async def send(self, request: Request[T]) -> T:
        """Run a typed request (bd_trio.client.requests); its typed result."""
        result: T = await self.call(request.op, request.args, on_progress=request.on_progress)
        return result
