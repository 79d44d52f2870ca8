"""Where a workspace's files are, in plain strings: the `.beads/` directory, its database and
the daemon's socket.

This is the one implementation of discovery (`workspace.discover` wraps it in a Workspace):
it uses `os.path` only, so a CLI call served by the daemon never imports pathlib.

Discovery: `--db`, else $BEADS_DIR (a `.beads/` directory), else $BEADS_DB, else walk up
from the current directory to the first
`.beads/` holding a `*.db` (`beads.db` preferred) or a committed config or issues.jsonl (a
fresh clone: the database is created on first use). The socket: $BD_SOCKET, else
`.beads/bd.sock`, else (a path too long for AF_UNIX) a socket named after the workspace in a
private runtime directory.
"""

from __future__ import annotations

import os

from bd_trio.errors import BdError

BEADS_DIR = ".beads"
DB_NAME = "beads.db"
JSONL_NAME = "issues.jsonl"
CONFIG_NAME = "config.json"
SOCKET_NAME = "bd.sock"
# sun_path is 108 bytes on Linux (104 on macOS), including the terminating NUL.
MAX_SOCKET_PATH = 100


def find(db_override: str | None = None, cwd: str | None = None) -> tuple[str, str]:
    """(beads_dir, db_path), absolute, or a `not_found` error that says to run `bd init`."""
    beads_env = None if db_override else os.environ.get("BEADS_DIR")
    if beads_env:
        beads = os.path.realpath(os.path.expanduser(beads_env))
        found = _database_in(beads) if os.path.isdir(beads) else None
        if found is None:
            raise BdError(
                "not_found",
                f"BEADS_DIR={beads_env}: no beads database there; run `bd init` in its parent "
                "directory (or fix BEADS_DIR)",
            )
        return beads, found
    explicit = db_override or os.environ.get("BEADS_DB")
    if explicit:
        path = os.path.realpath(os.path.expanduser(explicit))
        parent = os.path.dirname(path)
        if not os.path.exists(path) and not os.path.isdir(parent):
            raise BdError(
                "not_found",
                f"database directory {parent} does not exist; run `bd init` there first",
            )
        return parent, path
    here = os.path.realpath(cwd or os.getcwd())
    directory = here
    while True:
        beads = os.path.join(directory, BEADS_DIR)
        if os.path.isdir(beads):
            found = _database_in(beads)
            if found is not None:
                return beads, found
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    raise BdError(
        "not_found",
        f"no beads database found in {here} or its parents: run `bd init` to create one "
        "(or pass --db / set BEADS_DB)",
    )


def _database_in(beads: str) -> str | None:
    try:
        databases = sorted(name for name in os.listdir(beads) if name.endswith(".db"))
    except OSError:
        return None
    if databases:
        name = DB_NAME if DB_NAME in databases else databases[0]
        return os.path.join(beads, name)
    if os.path.isfile(os.path.join(beads, CONFIG_NAME)) or os.path.isfile(
        os.path.join(beads, JSONL_NAME)
    ):
        return os.path.join(beads, DB_NAME)
    return None


def socket_path(beads_dir: str) -> str:
    override = os.environ.get("BD_SOCKET")
    if override:
        return override
    preferred = os.path.join(beads_dir, SOCKET_NAME)
    if len(os.fsencode(preferred)) <= MAX_SOCKET_PATH:
        return preferred
    import hashlib

    digest = hashlib.sha256(os.fsencode(os.path.realpath(beads_dir))).hexdigest()[:16]
    return os.path.join(private_runtime_dir(), f"bd-{digest}.sock")


def private_runtime_dir() -> str:
    """A directory only this user can enter: $XDG_RUNTIME_DIR/bd-trio or /tmp/bd-trio-<uid>."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    path = os.path.join(base, "bd-trio") if base else f"/tmp/bd-trio-{os.getuid()}"
    os.makedirs(path, mode=0o700, exist_ok=True)
    if os.stat(path).st_uid != os.getuid():
        raise BdError("conflict", f"{path} belongs to another user: set BD_SOCKET")
    os.chmod(path, 0o700)
    return path
