"""The sans-IO protocol: frames, the incremental decoder, envelopes, the JSON-lines RPC."""

from __future__ import annotations

import struct

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bd_trio.errors import ERROR_CODES, BdError
from bd_trio.ops import get_op
from bd_trio.protocol import jsonrpc
from bd_trio.protocol.envelope import (
    EnvelopeError,
    error_response,
    make_request,
    ok_response,
    parse_request,
    parse_response,
)
from bd_trio.protocol.frames import BadFrame, FrameDecoder, Message, encode_frame


def test_frame_layout_is_length_prefix_then_cbor() -> None:
    frame = encode_frame({"a": 1})
    (length,) = struct.unpack(">I", frame[:4])
    assert length == len(frame) - 4
    assert cbor2.loads(frame[4:]) == {"a": 1}


def test_decoder_is_incremental_byte_by_byte() -> None:
    messages = [{"n": i, "text": "x" * i} for i in range(20)]
    stream = b"".join(encode_frame(m) for m in messages)
    decoder = FrameDecoder()
    got = []
    for i in range(len(stream)):
        decoder.feed(stream[i : i + 1])
        got.extend(e.value for e in decoder.events() if isinstance(e, Message))
    assert got == messages
    assert decoder.eof_error() is None


def test_malformed_payload_is_skipped_and_stream_stays_in_sync() -> None:
    bad = struct.pack(">I", 3) + b"\xff\xff\xff"
    trailing = struct.pack(">I", 2) + b"\x01\x02"  # an item followed by extra bytes
    decoder = FrameDecoder()
    decoder.feed(bad + trailing + encode_frame("ok"))
    events = decoder.events()
    assert [type(e) for e in events] == [BadFrame, BadFrame, Message]
    assert all(not e.fatal for e in events if isinstance(e, BadFrame))
    assert "after the CBOR item" in events[1].error.message  # type: ignore[union-attr]
    assert events[2] == Message("ok")


def test_oversized_frame_is_fatal() -> None:
    decoder = FrameDecoder(max_frame=1024)
    decoder.feed(struct.pack(">I", 1025) + b"x" * 10)
    event = decoder.next_event()
    assert isinstance(event, BadFrame) and event.fatal
    assert event.error.code == "too_large"
    decoder.feed(encode_frame("after"))
    assert decoder.next_event() is None  # nothing more is read from a broken stream
    with pytest.raises(BdError):
        encode_frame("x" * 2000, max_frame=1024)


def test_truncated_frame_is_reported_at_eof() -> None:
    decoder = FrameDecoder()
    decoder.feed(encode_frame({"a": 1})[:-1])
    assert decoder.events() == []
    error = decoder.eof_error()
    assert error is not None and "middle of a frame" in error.message


def test_deep_nesting_is_refused() -> None:
    payload = b"\x81" * 1000 + b"\x00"
    decoder = FrameDecoder()
    decoder.feed(struct.pack(">I", len(payload)) + payload)
    event = decoder.next_event()
    assert isinstance(event, BadFrame) and not event.fatal


@settings(max_examples=400, deadline=None)
@given(chunks=st.lists(st.binary(max_size=64), max_size=20))
def test_decoder_survives_arbitrary_bytes(chunks: list[bytes]) -> None:
    decoder = FrameDecoder(max_frame=4096)
    for chunk in chunks:
        decoder.feed(chunk)
        for event in decoder.events():
            assert isinstance(event, Message | BadFrame)
            if isinstance(event, BadFrame):
                assert event.error.code in ERROR_CODES
    decoder.eof_error()


@settings(max_examples=300, deadline=None)
@given(
    value=st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.text(max_size=10)
        | st.binary(max_size=5)
        | st.floats(allow_nan=False),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=6)
        ),
        max_leaves=20,
    )
)
def test_parse_request_never_crashes(value: object) -> None:
    try:
        request = parse_request(value)
    except EnvelopeError as exc:
        assert exc.error.code in ("bad_request", "version_mismatch")
    else:
        assert isinstance(request.op, str)


def test_envelope_round_trip_and_errors() -> None:
    raw = make_request(7, "create", {"title": "x"}, actor="a", timeout_ms=500)
    request = parse_request(cbor2.loads(cbor2.dumps(raw)))
    assert (request.id, request.op, request.actor, request.timeout_ms) == (7, "create", "a", 500)
    assert parse_request({"v": 1, "id": 1, "op": "ping"}).timeout_ms == 30_000
    for bad, code in [
        ({"v": 2, "id": 1, "op": "ping"}, "version_mismatch"),
        ({"v": 1, "id": "1", "op": "ping"}, "bad_request"),
        ({"v": 1, "id": 1, "op": ""}, "bad_request"),
        ({"v": 1, "id": 1, "op": "ping", "args": []}, "bad_request"),
        ({"v": 1, "id": 1, "op": "ping", "timeout_ms": 0}, "bad_request"),
        ({"v": 1, "id": 1, "op": "ping", "extra": 1}, "bad_request"),
    ]:
        with pytest.raises(EnvelopeError) as info:
            parse_request(bad)
        assert info.value.error.code == code
    assert parse_response(ok_response(3, [1]), 3) == [1]
    with pytest.raises(BdError) as err:
        parse_response(error_response(3, BdError("not_found", "gone", issue_id="bd-1")), 3)
    assert err.value.code == "not_found" and err.value.details["issue_id"] == "bd-1"


def test_jsonrpc_lines_and_translation() -> None:
    decoder = jsonrpc.LineDecoder(max_line=100)
    assert decoder.feed(b'{"operation":"ping"}\n{"oper') == [b'{"operation":"ping"}']
    assert decoder.feed(b'ation":"stats"}') == []
    assert decoder.tail() == b'{"operation":"stats"}'
    request = jsonrpc.parse_line(
        b'{"operation":"dep_add","args":{"from_id":"bd-2","to_id":"bd-1"},"actor":"a"}'
    )
    assert (request.op, request.actor) == ("dep_add", "a")
    batch = jsonrpc.parse_line(
        b'{"operation":"batch","args":{"operations":[{"operation":"create","args":{"title":"x"}}]}}'
    )
    assert batch.args["operations"] == [{"op": "create", "args": {"title": "x"}}]
    # Every operation of the table is reached by its own name; an unknown one is refused by
    # the table when it is dispatched (with the list of known operations).
    assert jsonrpc.parse_line(b'{"operation":"events","args":{"since":0}}').op == "events"
    unknown = jsonrpc.parse_line(b'{"operation":"drop_tables"}')
    with pytest.raises(BdError) as info:
        get_op(unknown.op)
    assert info.value.code == "bad_request" and "known operations" in info.value.message
    with pytest.raises(BdError):
        jsonrpc.parse_line(b'{"args":{}}')
    with pytest.raises(BdError):
        decoder.feed(b"x" * 200)
    assert jsonrpc.error_line(BdError("not_found", "issue bd-9 not found")) == (
        b'{"success":false,"error":"issue bd-9 not found"}\n'
    )


def test_protocol_doc_example_bytes_are_exact() -> None:
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "PROTOCOL.md").read_text()
    frame = encode_frame({"v": 1, "id": 1, "op": "ping"})
    head, body = frame[:4].hex(" "), frame[4:].hex(" ")
    assert f"{head}                                      length {len(frame) - 4}" in doc
    assert body in doc
    from bd_trio.protocol.envelope import progress_message

    progress = encode_frame(progress_message(7, 256, 5000))
    assert f"{progress[:4].hex(' ')}                                      length 35" in doc
    assert progress[4:].hex(" ") in doc
