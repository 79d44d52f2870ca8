"""The floor of bd-trio's design: the same architecture with nothing else in it.

    python benchmarks/floor_server.py DATABASE SOCKET

A Trio server on a Unix socket; 4-byte big-endian length + CBOR frames; handlers send each
request over a memory channel to a forwarder that hands it to one writer thread; the thread
takes a request, drains what else waits (up to 256), runs one INSERT per request in one
transaction (WAL, synchronous=FULL), COMMITs, and only then answers. It speaks bd's envelope
(`{"v", "id", "op", "args"}` -> `{"v", "id", "ok", "data"}`) for `create` and `ping`, so the
same agents drive both; `nox -s bench` runs it beside the daemon (benchmarks/floor.py).
It uses no bd_trio code on purpose.
"""

from __future__ import annotations

import os
import queue
import signal
import sqlite3
import struct
import sys
import threading
from datetime import UTC, datetime
from typing import Any

import cbor2
import trio

HEADER = struct.Struct(">I")
MAX_GROUP = 256


class Job:
    __slots__ = ("done", "result", "title")

    def __init__(self, title: str) -> None:
        self.title = title
        self.done = trio.Event()
        self.result: Any = None


def writer_thread(conn: sqlite3.Connection, pending: queue.SimpleQueue[Any], token: Any) -> None:
    while True:
        first = pending.get()
        if first is None:
            return
        group = [first]
        while len(group) < MAX_GROUP:
            try:
                following = pending.get_nowait()
            except queue.Empty:
                break
            if following is None:
                pending.put(None)
                break
            group.append(following)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        conn.execute("BEGIN IMMEDIATE")
        for job in group:
            cursor = conn.execute(
                "INSERT INTO issues (title, created_at) VALUES (?, ?)", (job.title, now)
            )
            job.result = {"id": f"bd-{cursor.lastrowid}", "title": job.title}
        conn.execute("COMMIT")
        token.run_sync_soon(lambda g=group: [job.done.set() for job in g])


async def main(db_path: str, socket_path: str) -> None:
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS issues (id INTEGER PRIMARY KEY, title TEXT NOT NULL, "
        "created_at TEXT NOT NULL)"
    )
    pending: queue.SimpleQueue[Any] = queue.SimpleQueue()
    send, receive = trio.open_memory_channel[Job](4096)
    token = trio.lowlevel.current_trio_token()
    thread = threading.Thread(target=writer_thread, args=(conn, pending, token), daemon=True)
    thread.start()

    async def forward() -> None:
        async for job in receive:
            pending.put(job)

    async def handle(stream: trio.SocketStream) -> None:
        buffer = bytearray()
        async with stream:
            while True:
                data = await stream.receive_some(65536)
                if not data:
                    return
                buffer += data
                while len(buffer) >= 4:
                    (length,) = HEADER.unpack_from(buffer)
                    if len(buffer) < 4 + length:
                        break
                    request = cbor2.loads(bytes(buffer[4 : 4 + length]))
                    del buffer[: 4 + length]
                    if request["op"] == "ping":
                        data_out: Any = {"pong": True, "pid": os.getpid()}
                    else:
                        job = Job(request["args"]["title"])
                        await send.send(job)
                        await job.done.wait()
                        data_out = job.result
                    body = cbor2.dumps({"v": 1, "id": request["id"], "ok": True, "data": data_out})
                    await stream.send_all(HEADER.pack(len(body)) + body)

    if os.path.exists(socket_path):
        os.unlink(socket_path)
    sock = trio.socket.socket(trio.socket.AF_UNIX, trio.socket.SOCK_STREAM)
    await sock.bind(socket_path)
    sock.listen(256)
    listener = trio.SocketListener(sock)
    async with trio.open_nursery() as nursery:
        nursery.start_soon(forward)
        nursery.start_soon(trio.serve_listeners, handle, [listener])
        with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
            print("ready", flush=True)
            async for _ in signals:
                break
        nursery.cancel_scope.cancel()
    pending.put(None)
    thread.join()
    conn.close()
    os.unlink(socket_path)


if __name__ == "__main__":
    trio.run(main, sys.argv[1], sys.argv[2])
