"""The daemon's side of its reader processes (daemon/readerproc.py).

    ReaderProcesses.run()           (a task of the daemon's root nursery)
      └─ starts `size` reader processes when the first big read comes (a daemon that only
         writes never pays for them), hands them out one request at a time, stops them

Until the first reader has started (imports, open database: a few hundred milliseconds),
`available` is false and reads run in the daemon's read threads as before.

A read is sent as CBOR over the process's stdin; the answer comes back as the bytes of the
data in the client's encoding, which the connection wraps in its response envelope without
decoding (`Encoded`). The event loop only moves bytes: the query, the building of the issues
and their encoding all hold the reader's GIL, not the daemon's.

A reader that dies (killed, crashed) fails the request it was serving with `internal` and is
replaced. Each request waits for a free reader until its deadline; once sent, it waits
(shielded) for its answer, as a read in a thread would.
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from typing import Any

import cbor2
import trio

from bd_trio.daemon import logs
from bd_trio.daemon.memory import LARGE_RESPONSE, release_free_memory
from bd_trio.daemon.readerproc import PIPE_SIZE
from bd_trio.errors import BdError
from bd_trio.protocol.encoded import Encoded
from bd_trio.workspace import Workspace

HEADER = struct.Struct(">I")
DEFAULT_READER_PROCESSES = 2  # two cores: more would only queue behind each other
PIPE_READ = 65536  # the least asked of the pipe per read (the most: PIPE_SIZE)
RELEASE_AFTER_S = 0.2  # a big answer's memory is given back this long after it arrived


class ReaderDied(Exception):
    pass


class JsonlChangedInReader(Exception):
    """The reader saw issues.jsonl changed on disk: the writer must import it first."""


class ReaderProcess:
    """One reader process and a buffer over its stdout."""

    def __init__(self, process: trio.Process) -> None:
        self.process = process
        assert process.stdin is not None and process.stdout is not None
        self._stdin = process.stdin
        self._stdout = process.stdout
        self._buffer = bytearray()
        self.ready = False

    async def ask(self, request: bytes) -> tuple[bytes, bytes]:
        try:
            await self._stdin.send_all(HEADER.pack(len(request)) + request)
            head = await self._read(1 + HEADER.size)
            payload = await self._read(HEADER.unpack_from(head, 1)[0])
        except (trio.BrokenResourceError, trio.ClosedResourceError) as exc:
            raise ReaderDied(str(exc)) from None
        return head[:1], payload

    async def hello(self) -> bool:
        """Wait for the reader's first byte: it is ready."""
        return await self._read(1) == b"R"

    async def _read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            wanted = min(max(PIPE_READ, size - len(self._buffer)), PIPE_SIZE)
            data = await self._stdout.receive_some(wanted)
            if not data:
                raise ReaderDied("the reader process closed its pipe")
            if not self._buffer and len(data) == size:
                return bytes(data)  # the common small answer: no copy (it is bytes)
            self._buffer += data
        out = bytes(memoryview(self._buffer)[:size])
        del self._buffer[:size]
        if not self._buffer and size >= LARGE_RESPONSE:
            self._buffer = bytearray()  # do not keep a big buffer's capacity
        return out

    async def stop(self) -> None:
        with trio.CancelScope(shield=True):
            await self._stdin.aclose()  # the reader ends when its stdin closes
            with trio.move_on_after(5):
                await self.process.wait()
            if self.process.returncode is None:
                self.process.kill()
                await self.process.wait()


class ReaderProcesses:
    def __init__(self, workspace: Workspace, size: int = DEFAULT_READER_PROCESSES) -> None:
        self.workspace = workspace
        self.size = size
        self._free_send, self._free = trio.open_memory_channel[ReaderProcess](size)
        self._all: set[ReaderProcess] = set()
        self._nursery: trio.Nursery | None = None
        self._woken = False
        self._trim_pending = False
        self.started = 0  # readers that said they are ready (and have not died)

    @property
    def available(self) -> bool:
        """True once a reader process is ready; the first call starts them."""
        if not self._woken and self._nursery is not None:
            self._woken = True
            for _ in range(self.size):
                self._nursery.start_soon(self._spawn)
        return self.started > 0

    def pids(self) -> list[int]:
        """The pids of the reader processes that are ready (health, tests)."""
        return sorted(r.process.pid for r in self._all if r.ready)

    async def _spawn(self) -> None:
        try:
            process = await trio.lowlevel.open_process(
                [
                    sys.executable,
                    "-m",
                    "bd_trio.daemon.readerproc",
                    str(self.workspace.db_path),
                    str(self.workspace.beads_dir),
                ],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                # A copy of the environment made here: the child then execs with an array of
                # its own, which another thread changing os.environ meanwhile cannot pull
                # out from under it (seen as EFAULT when a host process sets variables).
                env=dict(os.environ),
            )
        except OSError as exc:
            # No reader (out of processes or memory, ...): reads stay in threads; when none
            # runs at all, the next big read tries again.
            logs.get().warning("a reader process could not start (%s); reads stay in threads", exc)
            if not self._all:
                self._woken = False
            return
        reader = ReaderProcess(process)
        self._all.add(reader)
        try:
            ready = await reader.hello()
        except ReaderDied:
            ready = False
        if not ready:
            logs.get().warning("a reader process did not start; reads stay in threads")
            self._all.discard(reader)
            await reader.stop()
            return
        reader.ready = True
        self.started += 1
        self._free_send.send_nowait(reader)

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                task_status.started()
                await trio.sleep_forever()
        finally:
            self._nursery = None
            with trio.CancelScope(shield=True):
                for reader in list(self._all):
                    await reader.stop()
                self._all.clear()

    async def read(
        self, op: str, args: dict[str, Any], actor: str, deadline: float, encoding: str
    ) -> Encoded:
        """The answer's bytes in `encoding`; `JsonlChangedInReader` when the writer must
        import the file first."""
        request = cbor2.dumps({"op": op, "args": args, "actor": actor, "encoding": encoding})
        reader: ReaderProcess | None = None
        with trio.move_on_at(deadline):
            reader = await self._free.receive()
        if reader is None:
            raise BdError("timeout", "read not started: no reader was free before its deadline")
        try:
            with trio.CancelScope(shield=True):
                kind, payload = await reader.ask(request)
        except ReaderDied as exc:
            logs.get().warning("reader process %d died: %s", reader.process.pid, exc)
            self._all.discard(reader)
            self.started -= 1
            self._replace(reader)
            raise BdError("internal", f"the reader process serving {op} died; retry") from None
        self._free_send.send_nowait(reader)
        if kind == b"O":
            if len(payload) >= LARGE_RESPONSE:
                self._release_memory_soon()
            return Encoded(payload)
        if kind == b"J":
            raise JsonlChangedInReader
        raise BdError.from_dict(cbor2.loads(payload))

    def _release_memory_soon(self) -> None:
        """After a big answer has been relayed (it is sent within moments), give the freed
        memory back to the system, in a thread: the daemon's size returns to its resting
        level instead of staying at the answer's peak."""
        if self._nursery is None or self._trim_pending:
            return
        self._trim_pending = True

        async def trim() -> None:
            await trio.sleep(RELEASE_AFTER_S)
            self._trim_pending = False
            await trio.to_thread.run_sync(release_free_memory)

        self._nursery.start_soon(trim)

    def _replace(self, dead: ReaderProcess) -> None:
        if self._nursery is None:
            return

        async def replace() -> None:
            await dead.stop()
            await self._spawn()

        self._nursery.start_soon(replace)
