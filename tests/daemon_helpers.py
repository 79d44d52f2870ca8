"""Running a real daemon inside a trio test: the same Server as `bd daemon start`."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import trio

from bd_trio.client.asyncclient import AsyncClient
from bd_trio.daemon.options import DaemonOptions
from bd_trio.daemon.server import Server
from bd_trio.store import Store
from bd_trio.store.meta import set_config
from bd_trio.workspace import Workspace, create


def make_workspace(root: Path, prefix: str = "bd") -> Workspace:
    workspace = create(root, prefix, "sequential")
    store = Store(workspace.db_path)
    with store.transaction() as conn:
        set_config(conn, "prefix", prefix)
    store.close()
    return workspace


@asynccontextmanager
async def running_daemon(workspace: Workspace, **options: Any) -> AsyncIterator[Server]:
    opts = DaemonOptions(handle_signals=False, **{"flush_debounce_s": 0.05, **options})
    server = Server(workspace, opts)
    async with trio.open_nursery() as nursery:
        await nursery.start(server.serve)
        try:
            yield server
        finally:
            server.request_stop()


def client(workspace: Workspace, **kwargs: Any) -> AsyncClient:
    return AsyncClient(workspace.socket_path, actor=kwargs.pop("actor", "tester"), **kwargs)


def rows(workspace: Workspace, sql: str) -> list[tuple[Any, ...]]:
    """Read the database through a separate connection, as another process would."""
    conn = sqlite3.connect(workspace.db_path)
    try:
        return [tuple(r) for r in conn.execute(sql)]
    finally:
        conn.close()
