"""`python -m bd_trio.daemon --db PATH`: run the daemon for one workspace in this process.

`bd daemon start` runs this detached; `bd daemon start --foreground` runs it attached.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import trio

from bd_trio.daemon import logs
from bd_trio.daemon.options import DaemonOptions
from bd_trio.daemon.server import Server
from bd_trio.errors import BdError
from bd_trio.workspace import Workspace


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bd_trio.daemon")
    parser.add_argument("--db", required=True, help="database path (.beads/beads.db)")
    parser.add_argument("--flush-debounce", type=float, default=1.0, metavar="SECONDS")
    parser.add_argument("--synchronous", default="FULL", choices=["OFF", "NORMAL", "FULL", "EXTRA"])
    parser.add_argument("--auto-commit", action="store_true")
    parser.add_argument("--auto-push", action="store_true")
    parser.add_argument("--auto-sync", type=float, default=None, metavar="SECONDS")
    parser.add_argument("--idle-timeout", type=float, default=None, metavar="SECONDS")
    parser.add_argument("--foreground", action="store_true", help="also log to stderr")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    db = Path(args.db).resolve()
    workspace = Workspace(db.parent, db)
    logs.setup(workspace.log_path, to_stderr=args.foreground)
    if args.flush_debounce < 0:
        sys.stderr.write("Error: --flush-debounce must be >= 0\n")
        return 2
    options = DaemonOptions(
        flush_debounce_s=args.flush_debounce,
        flush_max_delay_s=max(5.0, args.flush_debounce * 5),
        synchronous=args.synchronous,
        auto_commit=args.auto_commit or args.auto_push,
        auto_push=args.auto_push,
        auto_sync_s=args.auto_sync or workspace.load_config().sync_interval_s,
        idle_timeout_s=args.idle_timeout or None,
    )
    try:
        trio.run(Server(workspace, options).serve)
    except BdError as exc:
        logs.get().error("%s", exc.message)
        sys.stderr.write(f"Error: {exc.message}\n")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
