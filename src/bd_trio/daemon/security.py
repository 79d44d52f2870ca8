"""Peer checks: only the user who runs the daemon may talk to it (SO_PEERCRED on Linux)."""

from __future__ import annotations

import os
import socket
import struct
from typing import Any

_UCRED = struct.Struct("3i")  # pid, uid, gid


def peer_uid(sock: Any) -> int | None:
    """The uid of the process at the other end, or None where the platform cannot tell."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return None
    raw = sock.getsockopt(socket.SOL_SOCKET, option, _UCRED.size)
    _pid, uid, _gid = _UCRED.unpack(raw)
    return int(uid)


def peer_allowed(sock: Any) -> bool:
    uid = peer_uid(sock)
    return uid is None or uid == os.getuid()
