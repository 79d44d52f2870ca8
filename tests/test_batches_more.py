"""Batches past the original: continue-on-error, a chunk per group commit in the daemon (fair
to other agents), progress frames, and the bad inputs around them. Real SQLite, a real daemon
on a real socket, real clients."""

from __future__ import annotations

import socket
import struct
import time
from pathlib import Path
from typing import Any

import cbor2
import pytest
import trio

from bd_trio.client.blocking import BlockingClient
from bd_trio.client.core import NEED_DATA, ClientCore, Progress
from bd_trio.errors import BdError
from bd_trio.protocol.envelope import ok_response, parse_request, progress_message
from bd_trio.protocol.frames import FrameDecoder, Message, encode_frame
from conftest import OpRunner
from daemon_helpers import client, make_workspace, rows, running_daemon


def creates(n: int, bad: set[int] = frozenset(), start: int = 0) -> list[dict[str, Any]]:  # type: ignore[assignment]
    return [
        {"op": "create", "args": {"title": f"op {i}", **({"priority": 9} if i in bad else {})}}
        for i in range(start, start + n)
    ]


# --- continue on error (the operation table: direct mode and atomic batches) -----------------


@pytest.mark.parametrize("bad", [{0}, {2}, {4}, {0, 2, 4}])
def test_continue_on_error_runs_every_operation(ops: OpRunner, bad: set[int]) -> None:
    result = ops("batch", operations=creates(5, bad), continue_on_error=True)
    assert [r["ok"] for r in result["results"]] == [i not in bad for i in range(5)]
    assert not result["ok"] and not result["rolled_back"]
    for i in bad:
        assert result["results"][i]["error"]["code"] == "validation"
    assert sorted(i["title"] for i in ops("list")) == sorted(
        f"op {i}" for i in range(5) if i not in bad
    )


def test_a_ref_to_a_failed_operation_fails_naming_the_reference(ops: OpRunner) -> None:
    result = ops(
        "batch",
        operations=[
            {"op": "create", "args": {"title": "bad", "priority": 9}},
            {"op": "create", "args": {"title": "child", "dependencies": [{"$ref": "0.id"}]}},
            {"op": "create", "args": {"title": "fine"}},
        ],
        continue_on_error=True,
    )
    assert [r["ok"] for r in result["results"]] == [False, False, True]
    message = result["results"][1]["error"]["message"]
    assert "$ref '0.id'" in message and "operation 0, which failed" in message


def test_continue_on_error_with_atomic_is_refused_and_applies_nothing(ops: OpRunner) -> None:
    before = ops.snapshot()
    with pytest.raises(BdError) as info:
        ops("batch", operations=creates(3), atomic=True, continue_on_error=True)
    assert info.value.code == "validation" and "do not go together" in info.value.message
    assert ops.snapshot() == before


def test_a_batch_over_the_limit_is_refused_and_applies_nothing(ops: OpRunner) -> None:
    before = ops.snapshot()
    with pytest.raises(BdError) as info:
        ops("batch", operations=creates(10_001))
    assert info.value.code == "too_large"
    assert ops.snapshot() == before


# --- the daemon: chunks, fairness, progress ------------------------------------------------


@pytest.mark.trio
async def test_other_agents_are_served_while_a_big_batch_runs(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws) as server:
        batch_done_at: list[float] = []
        single_done_at: list[float] = []
        batch_result: dict[str, Any] = {}

        async def big_batch() -> None:
            async with client(ws, actor="batcher") as bd:
                batch_result.update(await bd.batch(creates(3000)))
            batch_done_at.append(time.perf_counter())

        async def single(n: int) -> None:
            async with client(ws, actor=f"single-{n}") as bd:
                await server.writer.changes.wait_past(0)  # the batch's first chunk committed
                for i in range(10):
                    await bd.create(f"single {n}-{i}")
                    single_done_at.append(time.perf_counter())

        async with trio.open_nursery() as nursery:
            nursery.start_soon(big_batch)
            for n in range(3):
                nursery.start_soon(single, n)
    assert batch_result["ok"] and len(batch_result["results"]) == 3000
    # Every single create was answered while the batch was still running.
    assert len(single_done_at) == 30 and max(single_done_at) < batch_done_at[0]
    assert rows(ws, "SELECT COUNT(*) FROM issues") == [(3030,)]
    # In order, each applied once: the batch's ids are a contiguous-looking ascending series
    # of its own titles.
    titles = [r["data"]["title"] for r in batch_result["results"]]
    assert titles == [f"op {i}" for i in range(3000)]
    assert server.counters.groups > 3000 // 128


@pytest.mark.trio
async def test_refs_and_failures_across_chunks(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    operations = [{"op": "create", "args": {"title": "root"}}]
    for i in range(1, 400):
        operations.append(
            {"op": "create", "args": {"title": f"n{i}", "dependencies": [{"$ref": f"{i - 1}.id"}]}}
        )
    operations[300]["args"]["priority"] = 9  # fails in the third chunk
    async with running_daemon(ws), client(ws) as bd:
        stopped = await bd.batch(operations)
        assert len(stopped["results"]) == 301 and not stopped["results"][300]["ok"]
        assert rows(ws, "SELECT COUNT(*) FROM issues") == [(300,)]
        chain = rows(ws, "SELECT COUNT(*) FROM dependencies")
        assert chain == [(299,)]
        kept_going = await bd.batch(operations, continue_on_error=True)
        oks = [r["ok"] for r in kept_going["results"]]
        # op 300 fails; each later one refers to the one before it, so each fails in turn
        assert oks == [True] * 300 + [False] * 100
        assert "which failed" in kept_going["results"][301]["error"]["message"]
        assert kept_going["results"][300]["error"]["code"] == "validation"


@pytest.mark.trio
async def test_progress_frames_come_in_order_before_the_answer_and_only_when_asked(
    tmp_path: Path,
) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws), client(ws) as bd:
        seen: list[tuple[int, int]] = []
        result = await bd.batch(creates(1000), on_progress=lambda d, t: seen.append((d, t)))
        assert result["ok"]
        assert seen and all(total == 1000 for _, total in seen)
        dones = [done for done, _ in seen]
        assert dones == sorted(dones) and dones[-1] == 1000
        assert all(b - a <= 256 for a, b in zip([0, *dones], dones, strict=False))
        # Atomic batches report from inside their one transaction.
        atomic_seen: list[tuple[int, int]] = []
        await bd.batch(
            creates(600), atomic=True, on_progress=lambda d, t: atomic_seen.append((d, t))
        )
        assert [d for d, _ in atomic_seen] == [256, 512]
        # Without asking, a plain client never sees a progress frame; asking, it sees them
        # before the response, for its own request id.
        plain = await trio.to_thread.run_sync(
            raw_exchange, ws.socket_path, {"op": "batch", "args": {"operations": creates(300)}}
        )
        assert len(plain) == 1 and plain[0]["ok"]
        asked = await trio.to_thread.run_sync(
            raw_exchange,
            ws.socket_path,
            {"op": "batch", "args": {"operations": creates(300)}, "progress": True},
        )
        assert len(asked) >= 3 and asked[-1]["ok"]
        assert all(set(f) == {"v", "id", "progress"} and f["id"] == 7 for f in asked[:-1])


def cbor_free_line(record: dict[str, Any]) -> str:
    import json

    return json.dumps(record) + "\n"


def raw_exchange(path: Path, request: dict[str, Any]) -> list[dict[str, Any]]:
    """One request over a plain socket; every frame until the response."""
    body = cbor2.dumps({"v": 1, "id": 7, **request})
    frames = []
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(path))
        sock.sendall(struct.pack(">I", len(body)) + body)
        decoder = FrameDecoder()
        while True:
            event = decoder.next_event()
            if event is None:
                decoder.feed(sock.recv(65536))
                continue
            assert isinstance(event, Message)
            frames.append(event.value)
            if "ok" in event.value:
                return frames


@pytest.mark.trio
async def test_a_non_boolean_progress_is_refused(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws):
        frames = await trio.to_thread.run_sync(
            raw_exchange,
            ws.socket_path,
            {"op": "batch", "args": {"operations": creates(2)}, "progress": "yes"},
        )
        assert frames[0]["ok"] is False and frames[0]["error"]["code"] == "bad_request"
        assert "progress" in frames[0]["error"]["message"]
    assert rows(ws, "SELECT COUNT(*) FROM issues") == [(0,)]


def test_import_reports_progress_through_the_blocking_client(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    lines = [
        cbor_free_line(
            {
                "id": f"bd-{n}",
                "title": f"imported {n}",
                "description": "",
                "status": "open",
                "priority": 2,
                "issue_type": "task",
                "created_at": "2026-01-01T00:00:00.000000Z",
                "updated_at": "2026-01-01T00:00:00.000000Z",
                "labels": [],
            }
        )
        for n in range(1, 701)
    ]

    async def main() -> list[tuple[int, int]]:
        async with running_daemon(ws):
            seen: list[tuple[int, int]] = []

            def run() -> None:
                with BlockingClient(ws.socket_path) as bd:
                    summary = bd.import_jsonl(
                        "".join(lines), on_progress=lambda d, t: seen.append((d, t))
                    )
                    assert summary["created"] == 700

            await trio.to_thread.run_sync(run)
            return seen

    seen = trio.run(main)
    assert seen[-1] == (700, 700) and [d for d, _ in seen[:-1]] == [256, 512]


# --- the sans-IO client core with progress frames -------------------------------------------


def test_client_core_reads_progress_then_the_answer() -> None:
    core = ClientCore(actor="a", timeout=5)
    frame = core.request("batch", {"operations": []}, progress=True)
    decoder = FrameDecoder()
    decoder.feed(frame)
    sent = parse_request(decoder.next_event().value)  # type: ignore[union-attr]
    assert sent.progress is True
    stream = b"".join(
        [
            encode_frame(progress_message(sent.id, 128, 300)),
            encode_frame(progress_message(sent.id, 256, 300)),
            encode_frame(ok_response(sent.id, {"ok": True})),
        ]
    )
    events = []
    for byte in range(len(stream)):  # byte by byte: any split of the stream works
        core.receive(stream[byte : byte + 1])
        while (answer := core.answer()) is not NEED_DATA:
            events.append(answer)
    assert [(e.done, e.total) for e in events[:2] if isinstance(e, Progress)] == [
        (128, 300),
        (256, 300),
    ]
    assert events[2] == {"ok": True}
    assert core.request("ping", {}, progress=False)  # a plain request asks for none
