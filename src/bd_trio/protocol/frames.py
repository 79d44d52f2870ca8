"""Length-prefixed CBOR frames: a 4-byte big-endian length, then one CBOR data item.

`FrameDecoder` is incremental: feed it whatever bytes arrived, then take complete events.
A frame whose payload is not valid CBOR is reported and skipped (the length prefix keeps the
stream in sync); a length above the limit cannot be skipped safely, so it is fatal and the
connection must be closed.
"""

from __future__ import annotations

import io
import struct
from typing import Any

import cbor2

from bd_trio.errors import BdError
from bd_trio.protocol.limits import HEADER_SIZE, MAX_FRAME, MAX_NESTING

_HEADER = struct.Struct(">I")


def encode_frame(message: Any, max_frame: int = MAX_FRAME) -> bytes:
    payload = cbor2.dumps(message)
    if len(payload) > max_frame:
        raise BdError(
            "too_large", f"message of {len(payload)} bytes exceeds the {max_frame}-byte frame limit"
        )
    return _HEADER.pack(len(payload)) + payload


def decode_payload(payload: bytes) -> Any:
    """One CBOR item that must fill the payload exactly."""
    stream = io.BytesIO(payload)
    try:
        value = cbor2.CBORDecoder(stream, max_depth=MAX_NESTING).decode()
    except Exception as exc:  # cbor2 raises several types for hostile input
        raise BdError("bad_request", f"frame payload is not valid CBOR: {exc}") from None
    if stream.tell() != len(payload):
        raise BdError(
            "bad_request",
            f"frame payload has {len(payload) - stream.tell()} bytes after the CBOR item",
        )
    return value


# Plain classes, not NamedTuples: every CLI call imports this module (a NamedTuple class
# costs ~0.4 ms to create).
class Message:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("Message", repr(self.value)))

    def __repr__(self) -> str:
        return f"Message({self.value!r})"


class BadFrame:
    __slots__ = ("error", "fatal")

    def __init__(self, error: BdError, fatal: bool) -> None:
        self.error = error
        self.fatal = fatal  # the stream cannot be resynchronised: close the connection

    def __repr__(self) -> str:
        return f"BadFrame({self.error!r}, fatal={self.fatal})"


Event = Message | BadFrame


class FrameDecoder:
    def __init__(self, max_frame: int = MAX_FRAME) -> None:
        self.max_frame = max_frame
        self._buffer = bytearray()
        self._failed = False

    def feed(self, data: bytes) -> None:
        if not self._failed:
            self._buffer += data

    @property
    def buffered(self) -> int:
        return len(self._buffer)

    def next_event(self) -> Event | None:
        """The next complete event, or None when more bytes are needed."""
        if self._failed or len(self._buffer) < HEADER_SIZE:
            return None
        (length,) = _HEADER.unpack_from(self._buffer)
        if length > self.max_frame:
            self._failed = True
            self._buffer.clear()
            return BadFrame(
                BdError(
                    "too_large",
                    f"frame of {length} bytes exceeds the {self.max_frame}-byte limit",
                    limit=self.max_frame,
                ),
                fatal=True,
            )
        end = HEADER_SIZE + length
        if len(self._buffer) < end:
            return None
        payload = bytes(self._buffer[HEADER_SIZE:end])
        del self._buffer[:end]
        if length == 0:
            return BadFrame(BdError("bad_request", "empty frame"), fatal=False)
        try:
            return Message(decode_payload(payload))
        except BdError as exc:
            return BadFrame(exc, fatal=False)

    def events(self) -> list[Event]:
        out: list[Event] = []
        while (event := self.next_event()) is not None:
            out.append(event)
            if isinstance(event, BadFrame) and event.fatal:
                break
        return out

    def eof_error(self) -> BdError | None:
        """At end of stream: an error if a frame was cut off."""
        if self._buffer and not self._failed:
            return BdError(
                "bad_request", f"connection closed in the middle of a frame ({self.buffered} bytes)"
            )
        return None
