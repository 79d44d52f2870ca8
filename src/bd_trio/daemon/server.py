"""The daemon's lifecycle and request dispatch.

    serve()
      └─ root nursery
           ├─ writer task            (its database thread owns the write connection)
           ├─ exporter task          (debounced JSONL export, optional git commit)
           ├─ claim sweeper          (expired claims back to the ready queue)
           ├─ signal watcher         (SIGTERM/SIGINT -> graceful stop)
           └─ handler nursery
                ├─ accept loop       (one listener on the Unix socket)
                └─ one task per connection

Requests: `ping` and `health` are answered on the loop from memory; writes go to the writer's
database thread (daemon/writer.py), reads to read-only connections in worker threads
(daemon/reads.py). The event loop itself runs no SQLite and reads no files.

Stop (signal, `shutdown` request or `Server.request_stop`): close the listener, let requests in
flight finish (up to `shutdown_grace_s`), close the writer's queue so it drains what is queued,
export the JSONL one last time, remove the socket, release the lock. Nothing keeps running
after `serve` returns.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket as stdlib_socket
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.autosync import SyncStatus, run_auto_sync
from bd_trio.daemon.batches import ChunkedBatch
from bd_trio.daemon.configwatch import ConfigWatch
from bd_trio.daemon.connection import Connection
from bd_trio.daemon.counters import Counters
from bd_trio.daemon.exporter import ExportSchedule, run_exporter
from bd_trio.daemon.jobs import Group, Job
from bd_trio.daemon.lockfile import DaemonLock
from bd_trio.daemon.options import DaemonOptions
from bd_trio.daemon.reads import JsonlChanged, ReadPool
from bd_trio.daemon.security import peer_allowed
from bd_trio.daemon.sweeper import run_sweeper
from bd_trio.daemon.syncing import run_sync
from bd_trio.daemon.watchdog import run_watchdog
from bd_trio.daemon.writer import Writer
from bd_trio.errors import BdError
from bd_trio.ops import get_op
from bd_trio.ops.rows import materialized
from bd_trio.store import Store
from bd_trio.sync.gitsync import parse_sync
from bd_trio.workspace import Workspace

Progress = Callable[[int, int], None]


class Server:
    def __init__(self, workspace: Workspace, options: DaemonOptions | None = None) -> None:
        self.workspace = workspace
        self.options = options or DaemonOptions()
        self.counters = Counters()
        self.socket_path = workspace.socket_path
        self._stop = trio.Event()
        self._connections: set[Connection] = set()
        self._writer: Writer | None = None
        self._reads: ReadPool | None = None
        self.exports = ExportSchedule()
        self._git_lock = trio.Lock()
        # Held by a sync for its whole run and by each export: no export while git works.
        self.sync_lock = trio.Lock()
        self.sync_status = SyncStatus()

    # --- control --------------------------------------------------------------------------

    def request_stop(self) -> None:
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def writer(self) -> Writer:
        if self._writer is None:
            raise BdError("unavailable", "the daemon is not running")
        return self._writer

    def health(self) -> dict[str, Any]:
        writer = self.writer
        health = self.counters.health(
            database=str(self.workspace.db_path),
            socket=str(self.socket_path),
            workspace=str(self.workspace.root),
            queue_depth=writer.queue_depth,
            flush_debounce_s=self.options.flush_debounce_s,
            dirty=self.exports.pending,
        )
        refused = writer.refusal
        # issues.jsonl could not be imported: reads answer from the database, writes refuse.
        health["jsonl_error"] = None if refused is None else refused.error.to_dict()
        health["auto_sync_s"] = self.options.auto_sync_s
        health["sync"] = self.sync_status.to_dict()
        return health

    def warning(self) -> str | None:
        """What every answer should tell its reader now (a refused issues.jsonl), or None."""
        refused = self._writer.refusal if self._writer is not None else None
        return None if refused is None else refused.warning

    # --- dispatch -------------------------------------------------------------------------

    async def execute(
        self,
        op: str,
        args: dict[str, Any],
        actor: str | None,
        timeout_ms: int,
        encoding: str,
        on_progress: Progress | None = None,
    ) -> Any:
        """The answer's data, or an `Encoded` payload (a read, encoded in its thread).
        `on_progress(done, total)` hears how far a long operation got (on the loop)."""
        self.counters.request()
        if op == "ping":  # the liveness probe: no extra await on its way
            return self.counters.ping()
        try:
            return await self._execute(op, args, actor, timeout_ms, encoding, on_progress)
        except BdError:
            self.counters.error()
            raise

    async def _execute(
        self,
        op: str,
        args: dict[str, Any],
        actor: str | None,
        timeout_ms: int,
        encoding: str,
        on_progress: Progress | None,
    ) -> Any:
        if op == "health":
            return self.health()
        if op == "shutdown":
            self.request_stop()
            return {"stopping": True, "pid": os.getpid()}
        deadline = trio.current_time() + timeout_ms / 1000
        if op == "flush":
            return _flush_data(await self.writer.call(self.writer.flush_job(deadline)))
        if op == "sync":
            request = parse_sync(args)
            return await run_sync(self.writer, request, actor or "unknown", self.sync_lock)
        spec = get_op(op)
        parsed = spec.parse_args(args)  # bad input never reaches the database
        if op == "batch" and not parsed.atomic:  # a chunk per group: fair to other agents
            chunked = ChunkedBatch(parsed, actor or "unknown")
            job = Job(None, deadline, writes=True, chunked=chunked, on_progress=on_progress)
            return await self.writer.call(job)
        report = _from_thread(on_progress) if on_progress is not None else None
        run = partial(_run_op, spec.run, parsed, actor or "unknown", report)
        if spec.writes:
            return await self.writer.call(Job(run=run, deadline=deadline, writes=True))
        assert self._reads is not None
        try:
            return await self._reads.read(run, deadline, encoding)
        except JsonlChanged:  # the writer imports the file first, then runs the read
            return await self.writer.call(Job(run=run, deadline=deadline, writes=False))

    # --- lifecycle ------------------------------------------------------------------------

    async def serve(
        self, *, task_status: trio.TaskStatus[Server] = trio.TASK_STATUS_IGNORED
    ) -> None:
        log = logs.get()
        lock = DaemonLock(self.workspace.lock_path)
        lock.acquire()
        store: Store | None = None
        listener: trio.SocketListener | None = None
        try:
            configs = ConfigWatch(self.workspace)
            store = Store(self.workspace.db_path, synchronous=self.options.synchronous)
            self._reads = ReadPool(self.workspace, configs, self.counters)
            writer = self._writer = Writer(
                store,
                self.workspace,
                self.counters,
                configs,
                max_group=self.options.max_group,
                queue_size=self.options.queue_size,
                commit_delay_s=self.options.commit_delay_s,
                on_write=self.exports.note_write,
            )
            # Catch up with the file before serving: import what changed, export what is dirty.
            await trio.to_thread.run_sync(writer.catch_up)
            listener = await self._bind()
            async with trio.open_nursery() as root:
                await root.start(writer.run)
                root.start_soon(
                    run_exporter,
                    writer,
                    self.exports,
                    self.options,
                    self.counters,
                    self._git_lock,
                    self.sync_lock,
                )
                root.start_soon(run_sweeper, writer, self.exports, self.counters)
                root.start_soon(
                    run_watchdog,
                    self.workspace,
                    self.counters,
                    self.options.idle_timeout_s,
                    self.request_stop,
                )
                if self.options.auto_sync_s:
                    root.start_soon(
                        run_auto_sync,
                        writer,
                        self.exports,
                        self.options.auto_sync_s,
                        self.sync_status,
                        self.sync_lock,
                    )
                if self.options.handle_signals:
                    root.start_soon(self._watch_signals)
                async with trio.open_nursery() as handlers:
                    handlers.start_soon(self._accept_loop, listener, handlers)
                    log.info(
                        "serving %s on %s (pid %d)",
                        self.workspace.db_path,
                        self.socket_path,
                        os.getpid(),
                    )
                    task_status.started(self)
                    await self._stop.wait()
                    log.info("stopping: %d connections open", len(self._connections))
                    await listener.aclose()
                    await self._drain_connections()
                    handlers.cancel_scope.cancel()
                writer.close()
                await writer.finished.wait()
                root.cancel_scope.cancel()
            try:
                await trio.to_thread.run_sync(writer.flush_now)
            except BdError as exc:
                log.warning("final export skipped: %s", exc.message)
            log.info("stopped")
        finally:
            if listener is not None:
                _remove_socket(self.socket_path)
            if self._reads is not None:
                self._reads.close()
            if store is not None:
                store.close()
            lock.release()

    async def _bind(self) -> trio.SocketListener:
        path = self.socket_path
        if path.parent == self.workspace.beads_dir:
            # The socket lives in .beads/, which this keeps private to the user (README: one
            # daemon per .beads/, a 0700 directory, the socket 0600, peers checked by uid).
            path.parent.chmod(0o700)
        # We hold the lock, so a socket file here was left by a daemon that died: replace it.
        if path.exists() or path.is_symlink():
            logs.get().info("removing stale socket %s", path)
            path.unlink()
        sock = trio.socket.socket(stdlib_socket.AF_UNIX, stdlib_socket.SOCK_STREAM)
        old_umask = os.umask(0o177)  # the socket file is created 0600
        try:
            await sock.bind(str(path))
        finally:
            os.umask(old_umask)
        sock.listen(256)
        return trio.SocketListener(sock)

    async def _accept_loop(self, listener: trio.SocketListener, nursery: trio.Nursery) -> None:
        while True:
            try:
                stream = await listener.accept()
            except (trio.ClosedResourceError, trio.BrokenResourceError):
                return
            except OSError as exc:
                if exc.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    logs.get().warning("accept failed (%s): backing off", exc)
                    await trio.sleep(0.1)
                    continue
                raise
            nursery.start_soon(self._handle, stream)

    async def _handle(self, stream: trio.SocketStream) -> None:
        if not peer_allowed(stream.socket):
            logs.get().warning("refused a connection from another user")
            await stream.aclose()
            return
        connection = Connection(stream, self.execute, lambda: self.stopping, self.warning)
        self._connections.add(connection)
        self.counters.connection_opened()
        try:
            await connection.serve()
        finally:
            self._connections.discard(connection)
            self.counters.connection_closed()
            with trio.CancelScope(shield=True):
                await stream.aclose()

    async def _drain_connections(self) -> None:
        with trio.move_on_after(self.options.shutdown_grace_s):
            while self._connections:
                for connection in list(self._connections):
                    connection.stop_reading()
                await trio.sleep(0.01)

    async def _watch_signals(self) -> None:
        with trio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
            async for signum in signals:
                logs.get().info("received signal %d", signum)
                self.request_stop()


def _run_op(
    run: Any, parsed: Any, actor: str, progress: Progress | None, conn: Any, group: Group
) -> Any:
    ctx = group.context(actor, progress)
    return materialized(run(conn, parsed, ctx))  # Rows are read inside the transaction


def _from_thread(on_progress: Progress) -> Progress:
    """A progress callback the database thread may call: it hops to the event loop."""
    token = trio.lowlevel.current_trio_token()

    def report(done: int, total: int) -> None:
        with contextlib.suppress(trio.RunFinishedError):
            token.run_sync_soon(on_progress, done, total)

    return report


def _flush_data(result: Any) -> dict[str, Any]:
    return {"written": bool(result.written), "issues": int(result.issues)}


def _remove_socket(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
