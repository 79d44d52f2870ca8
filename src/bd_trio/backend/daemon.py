"""Daemon mode: the CLI sends each operation to the daemon over its socket.

The daemon owns the database and the JSONL file: this backend never writes either. Each
request carries the CLI's version; a daemon of another version refuses it before doing
anything (`version_mismatch`). Then the daemon is restarted when auto-start is on, otherwise
the CLI says so once and carries on in direct mode: an upgraded CLI is never served silently
by an old daemon.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bd_trio.client.connection import BlockingConnection
from bd_trio.errors import BdError

if TYPE_CHECKING:
    from bd_trio.backend.base import Backend


class DaemonBackend:
    def __init__(
        self,
        client: BlockingConnection,
        fallback: Callable[[], Backend] | None = None,
        restart: Callable[[], BlockingConnection | None] | None = None,
    ) -> None:
        self.client = client
        self.notices: list[str] = []
        self._fallback = fallback  # direct mode, for a daemon of another version
        self._restart = restart  # a new daemon (auto-start on), or None
        self._direct: Backend | None = None

    def call(
        self,
        op: str,
        args: dict[str, Any],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        if self._direct is not None:
            return self._direct.call(op, args, on_progress)
        try:
            return self.client.call(op, args, on_progress=on_progress)
        except BdError as exc:
            if exc.code != "version_mismatch" or self._fallback is None:
                raise
            return self._other_version(exc, op, args, on_progress)

    def _other_version(
        self,
        exc: BdError,
        op: str,
        args: dict[str, Any],
        on_progress: Callable[[int, int], None] | None,
    ) -> Any:
        """The daemon refused the request (nothing was applied): restart it, or go direct."""
        self.client.close()
        fresh = self._restart() if self._restart is not None else None
        if fresh is not None:
            self.client = fresh
            self.notices.append("bd: restarted the daemon: it ran another version of bd-trio")
            return self.client.call(op, args, on_progress=on_progress)
        self.notices.append(f"bd: warning: {exc.message}; running in direct mode meanwhile")
        assert self._fallback is not None
        self._direct = self._fallback()
        return self._direct.call(op, args, on_progress)

    def close(self) -> None:
        self.client.close()
        self.notices.extend(self.client.core.warnings)  # e.g. a refused issues.jsonl
        if self._direct is not None:
            self._direct.close()
            self.notices.extend(self._direct.notices)
