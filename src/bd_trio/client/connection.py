"""BlockingConnection: the daemon over a plain stdlib socket, `call(op, args)` (what the CLI
uses: it imports nothing more). `BlockingClient` (client/blocking.py) adds the typed methods.

Requests go over one persistent connection, one at a time. Errors from the daemon are raised
as BdError (with `.code`). A broken connection raises `unavailable`; the client does not retry
by itself, because a write may or may not have been applied.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Self, TypeVar

from bd_trio.client.core import (
    DEFAULT_TIMEOUT_S,
    NEED_DATA,
    BrokenStream,
    ClientCore,
    Item,
    Progress,
)
from bd_trio.errors import BdError

if TYPE_CHECKING:
    from pathlib import Path

    from bd_trio.client.requests import Request

T = TypeVar("T")


class BlockingConnection:
    def __init__(
        self,
        socket_path: str | Path,
        *,
        actor: str | None = None,
        timeout: float = DEFAULT_TIMEOUT_S,
        connect_timeout: float = 2.0,
        client_version: str | None = None,
    ) -> None:
        self.socket_path = str(socket_path)
        self.connect_timeout = connect_timeout
        self.core = ClientCore(actor=actor, timeout=timeout, client_version=client_version)
        self._sock: socket.socket | None = None
        self._socket_wait: float | None = None

    @property
    def actor(self) -> str:
        return self.core.actor

    @property
    def timeout(self) -> float:
        """Each request's deadline in seconds (see set_timeout)."""
        return self.core.timeout

    def set_timeout(self, seconds: float) -> None:
        """Deadline of each later request: past it the daemon answers `timeout` and the
        request is guaranteed not applied."""
        self.core.set_timeout(seconds)

    def connect(self) -> Self:
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
            self.core.reset()
        return self

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> Self:
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def call(
        self,
        op: str,
        args: dict[str, Any] | None = None,
        *,
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        """Run one operation by name; its data, or its error raised as BdError. With
        `on_progress`, long operations (batches, imports) report (done, total) as they go."""
        self.connect()
        sock = self._sock
        assert sock is not None
        frame = self.core.request(op, args or {}, progress=on_progress is not None)
        wait = self.core.wait_s
        if wait != self._socket_wait:  # a syscall: only when the timeout changed
            sock.settimeout(wait)
            self._socket_wait = wait
        try:
            sock.sendall(frame)
            while True:
                answer = self.core.answer()
                if answer is NEED_DATA:
                    self.core.receive(sock.recv(1 << 20))
                elif isinstance(answer, Progress):
                    if on_progress is not None:
                        on_progress(answer.done, answer.total)
                else:
                    break
        except OSError as exc:
            self.close()
            raise BdError("unavailable", f"lost the connection to the daemon: {exc}") from None
        except BrokenStream as exc:
            self.close()
            raise exc.error from None
        return answer

    def watch(self, since: int | None = None) -> Iterator[dict[str, Any]]:
        """The feed of changes after the cursor `since` (None: from now on), one dict per
        change (`cursor`, `id`, `event`, `actor`, `at`, ...), for as long as you iterate. The
        stream has the connection to itself: use a connection of its own. If it breaks (a
        daemon restart, or this reader was too slow and was cut off), BdError `unavailable`
        says the cursor to resume from: resuming there misses nothing and repeats nothing."""
        self.connect()
        sock = self._sock
        assert sock is not None
        args = {} if since is None else {"since": since}
        last = since
        sock.sendall(self.core.request("watch", args))
        sock.settimeout(None)  # a feed may be quiet for hours
        self._socket_wait = None
        try:
            while True:
                answer = self.core.answer()
                if answer is NEED_DATA:
                    self.core.receive(sock.recv(1 << 20))
                elif isinstance(answer, Item):
                    last = answer.data.get("cursor", last)
                    yield answer.data
                elif not isinstance(answer, Progress):
                    raise BdError("unavailable", f"the daemon stopped; resume with since={last}")
        except (OSError, BrokenStream) as exc:
            self.close()
            raise BdError(
                "unavailable", f"the watch stream broke ({exc}); resume with since={last}"
            ) from None
        finally:
            self.close()  # the connection is the stream's: never reused mid-stream

    def send(self, request: Request[T]) -> T:
        """Run a typed request (bd_trio.client.requests); its typed result."""
        result: T = self.call(request.op, request.args, on_progress=request.on_progress)
        return result
