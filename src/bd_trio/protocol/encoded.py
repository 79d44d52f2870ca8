"""Answers encoded off the event loop.

A read runs in a worker thread; encoding its answer there too (instead of on the loop, where
encoding 40,000 issues would stall every other connection for tens of milliseconds) gives an
`Encoded` payload: the CBOR or JSON bytes of the data alone. The connection wraps them in the
response envelope without decoding (`cbor_ok_frame`, `json_ok_line`). `Rows` answers are
encoded chunk by chunk, as an indefinite-length CBOR array or a JSON array.
"""

from __future__ import annotations

import json
import struct
from typing import Any

import cbor2

from bd_trio.errors import BdError
from bd_trio.ops.rows import Rows
from bd_trio.protocol.limits import MAX_RESPONSE_FRAME, PROTOCOL_VERSION

CBOR = "cbor"
JSON = "json"
_HEADER = struct.Struct(">I")
_DATA_KEY = cbor2.dumps("data")


class Encoded:
    __slots__ = ("payload",)

    def __init__(self, payload: bytes) -> None:
        self.payload = payload


# Lists longer than this are encoded item by item: one C call over a whole big answer would
# hold the GIL for its full length (100 ms at 20,000 issues), stalling the event loop's thread.
ITEMWISE = 64
CHUNK = 1000


def encode(value: Any, encoding: str) -> Encoded:
    """The data's bytes in `encoding` (CBOR or JSON)."""
    if isinstance(value, list) and len(value) > ITEMWISE:
        items: list[Any] = value
        value = Rows(lambda: (items[i : i + CHUNK] for i in range(0, len(items), CHUNK)))
    if encoding == CBOR:
        if isinstance(value, Rows):
            parts = [b"\x9f"]  # an array of unknown length, then a "break" byte
            for chunk in value.chunks():
                # One bytes object per chunk: tens of thousands of small ones would stay in
                # Python's small-object arenas after the answer, keeping the daemon's memory up.
                parts.append(b"".join([cbor2.dumps(item) for item in chunk]))
            parts.append(b"\xff")
            return Encoded(b"".join(parts))
        return Encoded(cbor2.dumps(value))
    if isinstance(value, Rows):
        pieces = [",".join([_json(item) for item in chunk]) for chunk in value.chunks()]
        return Encoded(("[" + ",".join(p for p in pieces if p) + "]").encode("utf-8"))
    return Encoded(_json(value).encode("utf-8"))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def cbor_ok_frame(request_id: int, encoded: Encoded, warning: str | None = None) -> bytes:
    """The frame of `{"v", "id", "ok": true, ["warning",] "data": <payload>}` around the
    encoded data."""
    head: dict[str, Any] = {"v": PROTOCOL_VERSION, "id": request_id, "ok": True}
    if warning is not None:
        head["warning"] = warning
    encoded_head = cbor2.dumps(head)
    # A map of 3 (or 4) small entries: its first byte is 0xa0 + size; one more entry, "data".
    body = bytes([encoded_head[0] + 1]) + encoded_head[1:] + _DATA_KEY + encoded.payload
    if len(body) > MAX_RESPONSE_FRAME:
        raise BdError(
            "too_large",
            f"answer of {len(body)} bytes exceeds the {MAX_RESPONSE_FRAME}-byte frame limit: "
            "ask for less (a --limit, a filter)",
        )
    return _HEADER.pack(len(body)) + body


def json_ok_line(encoded: Encoded) -> bytes:
    return b'{"success":true,"data":' + encoded.payload + b"}\n"
