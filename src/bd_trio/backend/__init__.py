"""Choosing how the CLI reaches the operations: through the daemon or directly."""

from __future__ import annotations

from bd_trio.backend.base import Backend
from bd_trio.backend.direct import DirectBackend
from bd_trio.workspace import Workspace


def open_backend(
    workspace: Workspace,
    *,
    actor: str,
    no_daemon: bool = False,
    auto_import: bool = True,
    auto_flush: bool = True,
) -> Backend:
    """The daemon's backend when its socket answers (added with the daemon), else direct."""
    return DirectBackend(workspace, actor=actor, auto_import=auto_import, auto_flush=auto_flush)


__all__ = ["Backend", "DirectBackend", "open_backend"]
