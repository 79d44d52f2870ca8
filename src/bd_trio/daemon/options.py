"""Daemon settings (command-line flags of `bd daemon start`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DaemonOptions:
    flush_debounce_s: float = 1.0  # export JSONL this long after the last write
    flush_max_delay_s: float = 5.0  # ...but never later than this after the first dirty write
    max_group: int = 256  # requests per group commit
    commit_delay_s: float = 0.0003  # gathering window for a group while agents are busy
    queue_size: int = 4096  # writer queue; handlers wait (under their deadline) when full
    synchronous: str = "FULL"
    shutdown_grace_s: float = 10.0  # how long stop waits for requests in flight
    auto_commit: bool = False  # git commit the JSONL after each export
    auto_push: bool = False  # git push after each auto-commit
    handle_signals: bool = True  # SIGTERM/SIGINT stop gracefully (main thread only)
    # Sync with the remote (bd sync) this often and shortly after writes; None: never.
    auto_sync_s: float | None = None
    # Stop after this long without a request (a daemon that auto-start launched); None: never.
    idle_timeout_s: float | None = None
    # Reader processes for reads that can be big (daemon/readers.py); 0: read threads only.
    reader_processes: int = 2
