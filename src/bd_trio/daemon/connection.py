"""One task per connection: detect the protocol from the first byte, decode requests, run them
(through the server's dispatcher), send the responses in order.

CBOR frames: a bad frame gets an error response and the connection continues; a frame that
breaks the stream (over the size limit) gets an error response and the connection is closed.
JSON lines (first byte `{`): bd's old RPC, one request per line.
"""

from __future__ import annotations

import contextlib
import math
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import trio

from bd_trio import __version__
from bd_trio.daemon import logs
from bd_trio.daemon.memory import LARGE_RESPONSE, release_free_memory
from bd_trio.errors import BdError
from bd_trio.protocol import jsonrpc
from bd_trio.protocol.encoded import CBOR, JSON, Encoded, cbor_ok_frame, json_ok_line
from bd_trio.protocol.envelope import (
    EnvelopeError,
    Request,
    error_response,
    ok_response,
    parse_request,
    progress_message,
)
from bd_trio.protocol.frames import BadFrame, FrameDecoder, encode_frame
from bd_trio.protocol.limits import DEFAULT_TIMEOUT_MS, MAX_FRAME, MAX_RESPONSE_FRAME

RECEIVE_SIZE = 65536

Execute = Callable[..., Awaitable[Any]]  # Server.execute


@dataclass(eq=False)
class Connection:
    stream: trio.SocketStream
    execute: Execute
    stopping: Callable[[], bool]
    warning: Callable[[], str | None] = lambda: None  # sent with each successful answer

    def stop_reading(self) -> None:
        """Shutdown: no more requests are read from this connection. A handler waiting for its
        next request sees end-of-stream at once; one in the middle of a request finishes it and
        sends its response first (the sending side stays open)."""
        with contextlib.suppress(OSError):  # already closed by the peer
            self.stream.socket.shutdown(socket.SHUT_RD)

    async def _receive(self) -> bytes | None:
        """Next bytes, or None when the peer closed or the daemon is stopping."""
        if self.stopping():
            return None
        try:
            return await self.stream.receive_some(RECEIVE_SIZE)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            return None

    async def serve(self) -> None:
        first = await self._receive()
        if not first:
            return
        try:
            if first[:1] == b"{":
                await self._serve_jsonrpc(first)
            else:
                await self._serve_cbor(first)
        except (trio.BrokenResourceError, trio.ClosedResourceError):
            pass  # the client went away

    # --- CBOR frames ----------------------------------------------------------------------

    async def _serve_cbor(self, data: bytes) -> None:
        decoder = FrameDecoder(MAX_FRAME)
        while True:
            decoder.feed(data)
            while (event := decoder.next_event()) is not None:
                if isinstance(event, BadFrame):
                    await self._send_frame(error_response(None, event.error))
                    if event.fatal:
                        return
                    continue
                response = await self._dispatch(event.value)
                sent = await self._send(response)
                del response, event  # nothing of a big answer may stay alive for the trim
                if sent >= LARGE_RESPONSE:
                    release_free_memory()
            received = await self._receive()
            if not received:
                error = decoder.eof_error()
                if error is not None:
                    logs.get().info("connection closed mid-frame: %s", error.message)
                return
            data = received

    async def _dispatch(self, value: Any) -> dict[str, Any] | bytes:
        """The response: a message to encode, or a frame already built around data that was
        encoded in a read thread."""
        try:
            request = parse_request(value)
        except EnvelopeError as exc:
            return error_response(exc.request_id, exc.error)
        if request.client_version is not None and request.client_version != __version__:
            return error_response(
                request.id,
                BdError(
                    "version_mismatch",
                    f"this daemon runs bd-trio {__version__}, the client is "
                    f"{request.client_version}: restart the daemon (bd daemon restart)",
                    daemon_version=__version__,
                ),
            )
        try:
            if request.progress:
                data = await self._execute_with_progress(request)
            else:
                data = await self.execute(
                    request.op, request.args, request.actor, request.timeout_ms, CBOR
                )
            warning = self.warning()
            if isinstance(data, Encoded):
                return cbor_ok_frame(request.id, data, warning)
        except BdError as exc:
            return error_response(request.id, exc)
        return ok_response(request.id, data, warning)

    async def _execute_with_progress(self, request: Request) -> Any:
        """Run the request while a second task sends its progress frames; all of them are
        sent before this returns, so they come before the response."""
        send, receive = trio.open_memory_channel[tuple[int, int]](math.inf)

        async def forward() -> None:
            async with receive:
                async for done, total in receive:
                    await self._send_frame(progress_message(request.id, done, total))

        outcome: Any = None
        failure: BdError | None = None
        async with trio.open_nursery() as nursery:
            nursery.start_soon(forward)
            async with send:
                try:  # caught here: out of a nursery it would come wrapped in a group
                    outcome = await self.execute(
                        request.op,
                        request.args,
                        request.actor,
                        request.timeout_ms,
                        CBOR,
                        lambda done, total: send.send_nowait((done, total)),
                    )
                except BdError as exc:
                    failure = exc
        if failure is not None:
            raise failure
        return outcome

    async def _send(self, response: dict[str, Any] | bytes) -> int:
        if isinstance(response, bytes):
            await self.stream.send_all(response)
            return len(response)
        return await self._send_frame(response)

    async def _send_frame(self, message: dict[str, Any]) -> int:
        try:
            frame = encode_frame(message, MAX_RESPONSE_FRAME)
        except BdError as exc:
            frame = encode_frame(error_response(message.get("id"), exc))
        except Exception as exc:  # data that CBOR cannot encode: a bug, but keep serving
            logs.get().exception("cannot encode response")
            error = BdError("internal", f"cannot encode the response: {exc}")
            frame = encode_frame(error_response(message.get("id"), error))
        await self.stream.send_all(frame)
        return len(frame)

    # --- bd's JSON-lines RPC --------------------------------------------------------------

    async def _serve_jsonrpc(self, data: bytes) -> None:
        decoder = jsonrpc.LineDecoder(MAX_FRAME)
        while True:
            try:
                lines = decoder.feed(data)
            except BdError as exc:
                await self.stream.send_all(jsonrpc.error_line(exc))
                return
            for line in lines:
                if line.strip():
                    await self.stream.send_all(await self._dispatch_line(line))
            received = await self._receive()
            if not received:
                tail = decoder.tail()
                if tail.strip():  # a last request without its newline
                    await self.stream.send_all(await self._dispatch_line(tail))
                return
            data = received

    async def _dispatch_line(self, line: bytes) -> bytes:
        try:
            request = jsonrpc.parse_line(line)
            data = await self.execute(
                request.op, request.args, request.actor, DEFAULT_TIMEOUT_MS, JSON
            )
        except BdError as exc:
            return jsonrpc.error_line(exc)
        if isinstance(data, Encoded):
            return json_ok_line(data)
        return jsonrpc.success_line(data)
