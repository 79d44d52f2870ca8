"""Reader processes (daemon/readers.py, daemon/readerproc.py) in a real daemon: real child
processes on real pipes, real clients on the real socket.

- a big read starts them, and once they are ready reads are answered by them;
- their answers are the same as a daemon without them (read threads) gives, in CBOR and in
  the JSON-lines RPC;
- errors cross the pipe with their code and details;
- a reader killed mid-life fails at most the request it held, and is replaced;
- issues.jsonl changed on disk: the read waits for the writer to import it.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
import trio

from bd_trio.errors import BdError
from bd_trio.sync import jsonl
from daemon_helpers import client, make_workspace, running_daemon

pytestmark = pytest.mark.trio

READS: list[tuple[str, dict[str, Any]]] = [
    ("list", {"limit": 0}),
    ("ready", {"limit": 0}),
    ("ready", {"limit": 2, "priority": 1}),
    ("blocked", {}),
    ("dep_tree", {"id": "bd-3"}),
    ("label_list_all", {}),
    ("search", {"query": "issue"}),
]


async def _fill(bd: Any) -> None:
    for n in range(1, 13):
        await bd.call("create", {"title": f"issue {n}", "priority": n % 4, "labels": ["x"]})
    await bd.call("dep_add", {"issue_id": "bd-3", "depends_on_id": "bd-1"})
    await bd.call("dep_add", {"issue_id": "bd-4", "depends_on_id": "bd-3", "type": "parent-child"})
    await bd.call("close", {"id": "bd-7"})


async def _readers_ready(bd: Any, count: int = 2) -> list[int]:
    await bd.call("list", {"limit": 1})  # the first big read starts them
    with trio.fail_after(30):
        while len(pids := (await bd.call("health"))["reader_processes"]) < count:
            await trio.sleep(0.02)
    return list(pids)


def _timeless(value: Any) -> Any:
    """The answer without what differs between two workspaces filled at different times."""
    if isinstance(value, list):
        return [_timeless(v) for v in value]
    if isinstance(value, dict):
        return {
            k: _timeless(v)
            for k, v in value.items()
            if not k.endswith("_at") and k not in ("average_lead_time_hours", "recent_activity")
        }
    return value


async def _all_reads(bd: Any) -> list[Any]:
    out: list[Any] = [await bd.call(op, args) for op, args in READS]
    out.append(await bd.call("stats"))
    return _timeless(out)


async def test_readers_answer_as_read_threads_do(tmp_path: Path) -> None:
    threads_ws = make_workspace(tmp_path / "threads")
    procs_ws = make_workspace(tmp_path / "procs")
    async with running_daemon(threads_ws, reader_processes=0) as _, client(threads_ws) as bd:
        await _fill(bd)
        from_threads = await _all_reads(bd)
        assert (await bd.call("health"))["reader_processes"] == []
    async with running_daemon(procs_ws) as _, client(procs_ws) as bd:
        await _fill(bd)
        pids = await _readers_ready(bd)
        assert len(set(pids)) == 2 and os.getpid() not in pids
        assert await _all_reads(bd) == from_threads
        with pytest.raises(BdError) as caught:
            await bd.call("dep_tree", {"id": "bd-999"})
        assert caught.value.code == "not_found" and caught.value.details["issue_id"] == "bd-999"


async def test_json_lines_rpc_relays_the_readers_bytes(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws) as _, client(ws) as bd:
        await _fill(bd)
        await _readers_ready(bd)
        expected = await bd.call("blocked")
        stream = await trio.open_unix_socket(str(ws.socket_path))
        async with stream:
            await stream.send_all(b'{"operation": "blocked", "args": {}}\n')
            data = b""
            while not data.endswith(b"\n"):
                data += await stream.receive_some(65536)
        answer = json.loads(data)
        assert answer["success"] is True
        assert answer["data"] == expected


async def test_a_killed_reader_is_replaced(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws) as _, client(ws) as bd:
        await _fill(bd)
        first = await _readers_ready(bd)
        expected = await bd.call("list", {"limit": 0})
        os.kill(first[0], signal.SIGKILL)
        failures = 0
        for _ in range(6):  # at most the request sent to the dead reader fails
            try:
                assert await bd.call("list", {"limit": 0}) == expected
            except BdError as exc:
                assert exc.code == "internal" and "died" in exc.message
                failures += 1
        assert failures <= 1
        with trio.fail_after(30):
            while first[0] in (pids := (await bd.call("health"))["reader_processes"]) or (
                len(pids) < 2
            ):
                await trio.sleep(0.02)
        assert await bd.call("list", {"limit": 0}) == expected


async def test_a_changed_file_is_imported_before_a_read_in_a_reader(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    async with running_daemon(ws) as _, client(ws) as bd:
        await _fill(bd)
        await _readers_ready(bd)
        await bd.call("flush")
        lines = ws.jsonl_path.read_bytes().splitlines()
        record = json.loads(lines[0])
        record.update(id="bd-500", title="arrived with a pull")
        ws.jsonl_path.write_bytes(b"\n".join([*lines, jsonl.dumps_record(record).encode()]) + b"\n")
        listed = await bd.call("list", {"limit": 0})
        assert "bd-500" in {i["id"] for i in listed}


async def test_a_reader_remembers_blocked_until_the_next_commit(tmp_path: Path) -> None:
    """The reader's per-commit answers: equal bytes while nothing was committed, a new answer
    after another connection's commit (never a stale one)."""
    import cbor2

    from bd_trio.daemon.readerproc import OK, Reader
    from conftest import OpRunner

    ws = make_workspace(tmp_path)
    writer = OpRunner(ws.db_path)
    a, b = (writer("create", title=t)["id"] for t in ("a", "b"))
    writer("dep_add", issue_id=b, depends_on_id=a)
    reader = Reader(ws)
    request = {"op": "blocked", "args": {}, "actor": "t", "encoding": "cbor"}
    try:
        kind, first = reader.answer(request)
        assert kind == OK and [i["id"] for i in cbor2.loads(first)] == [b]
        assert reader.answer(request)[1] is first  # remembered: the same bytes object
        writer("close", id=a)
        kind, after = reader.answer(request)
        assert kind == OK and cbor2.loads(after) == []
        other = {**request, "encoding": "json"}
        assert reader.answer(other)[1] == b"[]"
    finally:
        reader.close()
        writer.store.close()


async def test_reader_processes_end_with_the_daemon(tmp_path: Path) -> None:
    """Nothing keeps running after the daemon stops: its reader processes are gone."""
    ws = make_workspace(tmp_path)
    async with running_daemon(ws) as _, client(ws) as bd:
        await _fill(bd)
        pids = await _readers_ready(bd)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # exited and reaped (a zombie would still answer)
