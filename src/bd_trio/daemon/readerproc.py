"""A reader process: runs read operations for the daemon on its own read-only connection.

    python -m bd_trio.daemon.readerproc DATABASE BEADS_DIR

Big reads (`blocked` answering 40,000 issues, `ready` walking past them, `stats`) hold the GIL
for as long as they run; in a thread of the daemon they would stall its event loop (ping,
accepting, relaying) and its writer. Here they hold another interpreter's GIL. The operation is
the same one the daemon and direct mode run (the one op table, `get_op`); the answer is encoded
here, in the encoding the client asked for, and the daemon relays the bytes without decoding.

Pipe protocol (stdin -> stdout): the reader first writes b"R" when it is ready, then answers
one request at a time:
  request:  4-byte big-endian length, then a CBOR map {"op", "args", "actor", "encoding"}
  answer:   one kind byte, 4-byte big-endian length, payload
            b"O" the encoded data  |  b"E" a CBOR error map (BdError.to_dict)
            b"J" issues.jsonl changed on disk: the writer must import it first (empty payload)
The process ends when its stdin closes (the daemon stops, or died).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import sys
from pathlib import Path
from typing import Any, BinaryIO

import cbor2

from bd_trio.daemon import logs
from bd_trio.daemon.configwatch import ConfigWatch
from bd_trio.daemon.jobs import Group
from bd_trio.daemon.memory import LARGE_RESPONSE, release_free_memory
from bd_trio.errors import BdError
from bd_trio.model import clock
from bd_trio.ops import get_op
from bd_trio.ops.rows import Rows, materialized
from bd_trio.protocol.encoded import encode
from bd_trio.store import Store
from bd_trio.sync import watch
from bd_trio.workspace import Workspace

HEADER = struct.Struct(">I")
OK, ERROR, JSONL_CHANGED = b"O", b"E", b"J"
READY = b"R"
PIPE_SIZE = 1 << 20  # the answers' pipe holds this much (Linux's default most for a user)


# Answers that depend on the database alone (not on the time or the caller): remembered until
# the next commit (`PRAGMA data_version`), so a repeated `blocked` costs a copy, not a query.
PER_COMMIT_OPS = frozenset({"blocked", "dep_cycles", "label_list_all"})
PER_COMMIT_ANSWERS = 4  # at most this many remembered answers (different arguments)...
PER_COMMIT_BYTES = 32 << 20  # ...holding at most this much


class Reader:
    """One read-only connection and what a read needs besides it (config, the file's stamp)."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.configs = ConfigWatch(workspace)
        self.store = Store(workspace.db_path, read_only=True)
        self._answers: dict[bytes, bytes] = {}
        self._answers_version = -1

    def answer(self, request: dict[str, Any]) -> tuple[bytes, bytes]:
        try:
            spec = get_op(request["op"])
            parsed = spec.parse_args(request["args"])
            ctx = Group(self.configs.current(), clock.now()).context(request["actor"])
            with self.store.read() as conn:
                if watch.file_changed(conn, self.workspace.jsonl_path):
                    return JSONL_CHANGED, b""
                key = self._remembered_key(conn, request)
                if key is not None and key in self._answers:
                    return OK, self._answers[key]
                result = spec.run(conn, parsed, ctx)
                # Rows are encoded chunk by chunk inside the read transaction.
                data = result if isinstance(result, Rows) else materialized(result)
                payload = encode(data, request["encoding"]).payload
                if key is not None and self._room_for(payload):
                    self._answers[key] = payload
                return OK, payload
        except BdError as exc:
            return ERROR, cbor2.dumps(exc.to_dict())
        except Exception as exc:  # a bug: report it, keep serving
            logs.get().exception("read failed in a reader process")
            return ERROR, cbor2.dumps(
                {"code": "internal", "message": f"{type(exc).__name__}: {exc}"}
            )

    def _room_for(self, payload: bytes) -> bool:
        held = sum(len(p) for p in self._answers.values())
        return len(self._answers) < PER_COMMIT_ANSWERS and held + len(payload) <= PER_COMMIT_BYTES

    def _remembered_key(self, conn: Any, request: dict[str, Any]) -> bytes | None:
        """The key of a PER_COMMIT_OPS answer; forgets every answer after a commit."""
        if request["op"] not in PER_COMMIT_OPS:
            return None
        version = int(conn.execute("PRAGMA data_version").fetchone()[0])
        if version != self._answers_version:
            self._answers.clear()
            self._answers_version = version
        return cbor2.dumps([request["op"], request["args"], request["encoding"]], canonical=True)

    def close(self) -> None:
        self.store.close()


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    if len(data) < size:
        return None  # the daemon closed the pipe
    return data


def serve(reader: Reader, requests: BinaryIO, answers: BinaryIO) -> None:
    answers.write(READY)  # imports done, database open: requests may come
    answers.flush()
    while (header := _read_exactly(requests, HEADER.size)) is not None:
        body = _read_exactly(requests, HEADER.unpack(header)[0])
        if body is None:
            return
        kind, payload = reader.answer(cbor2.loads(body))
        answers.write(kind + HEADER.pack(len(payload)))
        answers.write(payload)
        answers.flush()
        if len(payload) >= LARGE_RESPONSE:
            del payload
            release_free_memory()  # the reader's memory goes back down after a big answer


# Reads yield the two cores to the daemon's event loop and writer when both are busy: a ping
# or a create should not queue behind a 40,000-issue answer.
NICENESS = 10


def main(argv: list[str]) -> int:
    db_path, beads_dir = Path(argv[0]), Path(argv[1])
    os.nice(NICENESS)
    # Answers go to a private copy of stdout; anything printed by mistake goes to stderr and
    # cannot corrupt the pipe's frames.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    with contextlib.suppress(OSError, AttributeError):
        # A bigger pipe: a 20 MB answer crosses in 20 reads of the daemon's loop, not 320.
        fcntl.fcntl(answers.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    reader = Reader(Workspace(beads_dir, db_path))
    try:
        serve(reader, sys.stdin.buffer, answers)
    except KeyboardInterrupt:
        pass
    finally:
        reader.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
