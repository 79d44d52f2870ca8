"""The daemon on a real socket, driven by AsyncClient and raw sockets (pytest-trio)."""

from __future__ import annotations

import json
import os
import socket
import stat
import struct
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
import trio

from bd_trio.daemon.options import DaemonOptions
from bd_trio.daemon.server import Server
from bd_trio.daemon.writer import Job
from bd_trio.errors import BdError
from bd_trio.protocol.frames import FrameDecoder, Message, encode_frame
from daemon_helpers import client, make_workspace, rows, running_daemon

pytestmark = pytest.mark.trio


async def test_ping_health_and_ack_after_commit(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws) as server, client(ws) as bd:
        pong = await bd.ping()
        assert pong["pong"] and pong["pid"] == os.getpid()
        issue = await bd.create("durable", priority=1)
        # Acknowledged means committed: another connection sees it at once.
        assert rows(ws, "SELECT id, title FROM issues") == [(issue["id"], "durable")]
        health = await bd.health()
        for key in (
            "pid",
            "version",
            "uptime_s",
            "database",
            "queue_depth",
            "connections",
            "requests_served",
            "socket",
        ):
            assert key in health
        assert health["database"] == str(ws.db_path)
        assert health["connections"] == 1
        assert server.counters.writes == 1


async def test_socket_is_private(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws):
        mode = os.stat(ws.socket_path).st_mode
        assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600
        assert stat.S_IMODE(os.stat(ws.beads_dir).st_mode) == 0o700
    assert not ws.socket_path.exists()  # removed on stop


@asynccontextmanager
async def busy_writer(server: Server) -> AsyncIterator[None]:
    """Hold the database thread in a job until the block ends."""
    release = trio.Event()
    started = trio.Event()
    token = trio.lowlevel.current_trio_token()  # the writer's thread is not trio's

    def slow(conn: object, config: object) -> None:
        trio.from_thread.run_sync(started.set, trio_token=token)
        trio.from_thread.run(release.wait, trio_token=token)

    async with trio.open_nursery() as nursery:
        job = Job(run=slow, deadline=trio.current_time() + 30, writes=False)
        nursery.start_soon(server.writer.call, job)
        await started.wait()
        try:
            yield
        finally:
            release.set()


async def test_ping_is_answered_while_the_writer_is_busy(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws) as server, client(ws) as bd, busy_writer(server):
        with trio.fail_after(2):
            for _ in range(20):
                assert (await bd.ping())["pong"]
            health = await bd.health()
        assert health["status"] == "ok"


async def test_timed_out_request_is_never_applied(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws) as server, client(ws) as bd:
        async with busy_writer(server):
            bd.set_timeout(0.1)
            with pytest.raises(BdError) as info:
                await bd.create("queued behind a slow one")
            assert info.value.code == "timeout"
            assert "not applied" in info.value.message
        bd.set_timeout(30)
        assert await bd.list_issues() == []
        assert rows(ws, "SELECT COUNT(*) FROM issues") == [(0,)]
        assert server.counters.timeouts == 1
        # The writer is healthy afterwards.
        assert (await bd.create("after"))["id"] == "bd-1"


async def test_taken_request_returns_its_real_result_past_its_deadline(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws) as server:

        def slow_create(conn: object, config: object) -> str:
            time.sleep(0.3)  # the deadline passes while the writer works on it
            return "applied"

        job = Job(run=slow_create, deadline=trio.current_time() + 0.1, writes=True)
        with trio.fail_after(5):
            assert await server.writer.call(job) == "applied"


async def test_concurrent_clients_are_group_committed(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws) as server:
        created: list[str] = []

        async def agent(n: int) -> None:
            async with client(ws, actor=f"agent-{n}") as bd:
                for i in range(25):
                    created.append((await bd.create(f"a{n}-{i}"))["id"])

        async with trio.open_nursery() as nursery:
            for n in range(8):
                nursery.start_soon(agent, n)
        assert len(set(created)) == 200
        assert rows(ws, "SELECT COUNT(*) FROM issues") == [(200,)]
        assert server.counters.groups < server.counters.writes
        assert server.counters.largest_group > 1
        authors = rows(ws, "SELECT DISTINCT created_by FROM issues ORDER BY 1")
        assert authors == [(f"agent-{n}",) for n in range(8)]


async def test_batches_through_the_daemon(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws), client(ws) as bd:
        result = await bd.batch(
            [
                {"op": "create", "args": {"title": "parent", "issue_type": "epic"}},
                {"op": "create", "args": {"title": "child"}},
                {
                    "op": "dep_add",
                    "args": {
                        "issue_id": {"$ref": "1.id"},
                        "depends_on_id": {"$ref": "0.id"},
                        "type": "parent-child",
                    },
                },
            ]
        )
        assert result["ok"]
        failing = [
            {"op": "create", "args": {"title": "x"}},
            {"op": "create", "args": {"title": ""}},
            {"op": "create", "args": {"title": "never"}},
        ]
        atomic = await bd.batch(failing, atomic=True)
        assert atomic["rolled_back"] and len(atomic["results"]) == 2
        partial = await bd.batch(failing)
        assert not partial["ok"] and len(partial["results"]) == 2
        titles = sorted(i["title"] for i in await bd.list_issues())
        assert titles == ["child", "parent", "x"]


async def _raw_exchange(path: Path, payload: bytes) -> tuple[list[object], bool]:
    """Send raw bytes; return the decoded responses and whether the daemon closed."""
    stream = await trio.open_unix_socket(str(path))
    decoder = FrameDecoder(1 << 30)
    responses: list[object] = []
    closed = False
    async with stream:
        await stream.send_all(payload)
        with trio.move_on_after(1):
            while True:
                data = await stream.receive_some(65536)
                if not data:
                    closed = True
                    break
                decoder.feed(data)
                responses.extend(e.value for e in decoder.events() if isinstance(e, Message))
    return responses, closed


async def test_garbage_gets_errors_and_the_connection_survives(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws):
        garbage = struct.pack(">I", 4) + b"\xff\x00\xfe\x01"
        not_a_map = encode_frame([1, 2, 3])
        unknown_op = encode_frame({"v": 1, "id": 2, "op": "drop_everything"})
        wrong_type = encode_frame({"v": 1, "id": 3, "op": "create", "args": {"title": 5}})
        bad_value = encode_frame(
            {"v": 1, "id": 4, "op": "create", "args": {"title": "t", "priority": 9}}
        )
        ping = encode_frame({"v": 1, "id": 5, "op": "ping"})
        responses, closed = await _raw_exchange(
            ws.socket_path, garbage + not_a_map + unknown_op + wrong_type + bad_value + ping
        )
        codes = [r["error"]["code"] if not r["ok"] else "ok" for r in responses]  # type: ignore[index]
        assert codes == [
            "bad_request",
            "bad_request",
            "bad_request",
            "bad_request",
            "validation",
            "ok",
        ]
        assert not closed
        assert responses[-1]["id"] == 5  # type: ignore[index]


async def test_oversized_frame_closes_only_that_connection(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws), client(ws) as other:
        responses, closed = await _raw_exchange(
            ws.socket_path, struct.pack(">I", 0xFFFFFFF0) + b"junk"
        )
        assert closed
        assert responses[0]["error"]["code"] == "too_large"  # type: ignore[index]
        # Truncated frame, then hang up.
        await _raw_exchange(ws.socket_path, encode_frame({"v": 1, "id": 1, "op": "ping"})[:-2])
        assert (await other.ping())["pong"]
        fresh = client(ws)
        async with fresh:
            assert (await fresh.ping())["pong"]


async def test_json_lines_rpc(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws):

        async def rpc(*requests: dict[str, object]) -> list[dict[str, object]]:
            stream = await trio.open_unix_socket(str(ws.socket_path))
            async with stream:
                await stream.send_all(b"".join(json.dumps(r).encode() + b"\n" for r in requests))
                buffer = b""
                while buffer.count(b"\n") < len(requests):
                    chunk = await stream.receive_some(65536)
                    assert chunk
                    buffer += chunk
            return [json.loads(line) for line in buffer.splitlines()]

        [created] = await rpc(
            {
                "operation": "create",
                "actor": "old-agent",
                "args": {"title": "from rpc", "issue_type": "bug", "priority": 1, "labels": ["x"]},
            }
        )
        assert created["success"] and created["data"]["id"] == "bd-1"
        responses = await rpc(
            {"operation": "create", "args": {"title": "second", "dependencies": ["blocks:bd-1"]}},
            {"operation": "show", "args": {"id": "bd-2"}},
            {"operation": "ready", "args": {}},
            {"operation": "stats", "args": {}},
            {
                "operation": "dep_add",
                "args": {"from_id": "bd-1", "to_id": "bd-2", "dep_type": "related"},
            },
            {"operation": "show", "args": {"id": "bd-404"}},
            {
                "operation": "batch",
                "args": {
                    "operations": [
                        {"operation": "label_add", "args": {"id": "bd-2", "label": "y"}},
                        {"operation": "close", "args": {"id": "bd-1", "reason": "done"}},
                    ]
                },
            },
            {"operation": "ping"},
        )
        show, ready, stats, cycle, missing, batch, ping = responses[1:]
        assert [d["id"] for d in show["data"]["dependencies"]] == ["bd-1"]
        assert show["data"]["labels"] == []
        assert [i["id"] for i in ready["data"]] == ["bd-1"]
        assert stats["data"]["total_issues"] == 2
        assert not cycle["success"] and "cycle" in cycle["error"]
        assert missing == {"success": False, "error": "issue bd-404 not found"}
        assert batch["success"] and batch["data"]["ok"]
        assert ping["success"]
        assert rows(ws, "SELECT created_by FROM issues WHERE id='bd-1'") == [("old-agent",)]


async def test_one_daemon_per_workspace(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws):
        second = Server(ws, DaemonOptions(handle_signals=False))
        with pytest.raises(BdError) as info:
            await second.serve()
        assert info.value.code == "conflict"
        assert "already running" in info.value.message


async def test_stale_socket_is_replaced(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(ws.socket_path))
    stale.close()  # the file stays, nobody listens: what a crashed daemon leaves
    assert ws.socket_path.exists()
    async with running_daemon(ws), client(ws) as bd:
        assert (await bd.ping())["pong"]


async def test_long_paths_fall_back_to_a_private_runtime_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    deep = tmp_path / ("very-long-directory-name-" * 5)
    deep.mkdir()
    ws = make_workspace(deep)
    assert ws.socket_path.parent == tmp_path / "run" / "bd-trio"
    async with running_daemon(ws), client(ws) as bd:
        assert (await bd.create("deep"))["id"] == "bd-1"
    assert stat.S_IMODE(os.stat(tmp_path / "run" / "bd-trio").st_mode) == 0o700


async def test_graceful_stop_finishes_writes_and_exports(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws, flush_debounce_s=60.0) as server, client(ws) as bd:
        for i in range(5):
            await bd.create(f"issue {i}")
        assert not ws.jsonl_path.exists() or ws.jsonl_path.read_text() == ""
        server.request_stop()
    lines = ws.jsonl_path.read_text().splitlines()
    assert len(lines) == 5  # the final export on stop
    assert not ws.socket_path.exists()


async def test_export_is_debounced_and_flush_forces_it(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with (
        running_daemon(ws, flush_debounce_s=0.2, flush_max_delay_s=0.5) as server,
        client(ws) as bd,
    ):
        await bd.create("one")
        await bd.create("two")
        assert server.counters.exports == 0
        with trio.fail_after(5):
            while server.counters.exports == 0:
                await trio.sleep(0.02)
        assert len(ws.jsonl_path.read_text().splitlines()) == 2
        assert server.counters.exports == 1  # both writes in one export
        await bd.create("three")
        assert (await bd.flush())["written"]
        assert len(ws.jsonl_path.read_text().splitlines()) == 3


async def test_file_changed_under_the_daemon_is_imported(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws), client(ws) as bd:
        await bd.create("local")
        await bd.flush()
        record = {
            "id": "bd-9",
            "title": "pulled",
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": "2020-01-01T00:00:00Z",
        }
        with ws.jsonl_path.open("a") as handle:
            handle.write(json.dumps(record) + "\n")
        titles = sorted(i["title"] for i in await bd.list_issues())
        assert titles == ["local", "pulled"]
        assert (await bd.create("next"))["id"] == "bd-10"
