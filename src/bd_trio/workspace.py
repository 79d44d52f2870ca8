"""Finding and creating a workspace: the `.beads/` directory, its database, JSONL and config.

`.beads/config.json` is committed to git so every clone agrees on the id prefix and id mode.
The database (`.beads/beads.db`) is local and git-ignored; a clone that has the committed
config and `issues.jsonl` but no database yet is still a workspace: the database is created on
first use and filled from the JSONL by auto-import.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from bd_trio import locate
from bd_trio.errors import BdError

# Plain NamedTuples and lazy imports (validation, hashing) here: this module is on the path of
# every CLI call, whose start-up time agents pay on each command.
from bd_trio.locate import BEADS_DIR, CONFIG_NAME, DB_NAME, JSONL_NAME
from bd_trio.model.durations import DEFAULT_LEASE, DEFAULT_LEASE_S

ID_MODES = ("sequential", "hash")

GITIGNORE = """\
# bd-trio: the database and daemon files are local; issues.jsonl and config.json are shared.
*.db
*.db-journal
*.db-wal
*.db-shm
bd.sock
daemon.lock
daemon.log
daemon.log.*
daemon.pid
*.tmp
"""


class Config(NamedTuple):
    prefix: str
    id_mode: str = "sequential"
    claim_lease: str = DEFAULT_LEASE  # `0`: claims never expire
    claim_lease_s: float = DEFAULT_LEASE_S
    sync_interval_s: float | None = None  # a daemon syncs by itself this often (None: never)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"prefix": self.prefix, "id_mode": self.id_mode}
        if self.claim_lease != DEFAULT_LEASE:
            out["claim_lease"] = self.claim_lease
        return out


class Workspace(NamedTuple):
    beads_dir: Path
    db_path: Path

    @property
    def root(self) -> Path:
        return self.beads_dir.parent

    @property
    def jsonl_path(self) -> Path:
        return self.beads_dir / JSONL_NAME

    @property
    def config_path(self) -> Path:
        return self.beads_dir / CONFIG_NAME

    @property
    def lock_path(self) -> Path:
        return self.beads_dir / "daemon.lock"

    @property
    def log_path(self) -> Path:
        return self.beads_dir / "daemon.log"

    @property
    def socket_path(self) -> Path:
        """Where the daemon listens (locate.socket_path: $BD_SOCKET, `.beads/bd.sock`, or a
        private runtime dir when that path is too long for AF_UNIX)."""
        return Path(locate.socket_path(str(self.beads_dir)))

    def load_config(self) -> Config:
        try:
            raw = json.loads(self.config_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            # A database created by hand or by an older tool: fall back to the directory name.
            return Config(prefix=default_prefix(self.root))
        except (OSError, ValueError, RecursionError) as exc:  # it comes with git pull too
            raise BdError(
                "validation", f"cannot read {self.config_path}: {exc}; fix or delete the file"
            ) from None
        if not isinstance(raw, dict):
            raise BdError("validation", f"{self.config_path} must hold a JSON object")
        from bd_trio.model import validate

        prefix = validate.prefix(raw.get("prefix", default_prefix(self.root)))
        id_mode = raw.get("id_mode", "sequential")
        if id_mode not in ID_MODES:
            raise BdError(
                "validation",
                f"{self.config_path}: id_mode must be one of {', '.join(ID_MODES)}, "
                f"got {id_mode!r}",
            )
        lease = raw.get("claim_lease", DEFAULT_LEASE)
        from bd_trio.model.durations import lease_seconds

        try:
            lease_s = lease_seconds(lease, "claim_lease")
        except BdError as exc:
            raise BdError("validation", f"{self.config_path}: {exc.message}") from exc
        interval = raw.get("sync_interval")
        try:
            sync_s = lease_seconds(interval, "sync_interval") if interval is not None else None
        except BdError as exc:
            raise BdError("validation", f"{self.config_path}: {exc.message}") from exc
        return Config(
            prefix=prefix,
            id_mode=id_mode,
            claim_lease=str(lease),
            claim_lease_s=lease_s,
            sync_interval_s=sync_s or None,
        )

    def save_config(self, config: Config) -> None:
        write_atomic(
            self.config_path, (json.dumps(config.to_dict(), indent=2) + "\n").encode("utf-8")
        )


def default_prefix(directory: Path) -> str:
    name = "".join(ch for ch in directory.resolve().name if ch.isalnum() or ch in "_.-")
    name = name.strip("-.") or "bd"
    return name[:32]


def discover(db_override: str | None = None, cwd: Path | None = None) -> Workspace:
    """The workspace `locate.find` finds: --db, else $BEADS_DB, else the nearest `.beads/`
    (walking up) holding a database or a committed config."""
    beads_dir, db_path = locate.find(db_override, None if cwd is None else str(cwd))
    return Workspace(beads_dir=Path(beads_dir), db_path=Path(db_path))


def create(directory: Path, prefix: str, id_mode: str) -> Workspace:
    """Create `directory/.beads/` with its config and .gitignore (the caller creates the
    database)."""
    beads = directory / BEADS_DIR
    return create_at(beads / DB_NAME, prefix, id_mode)


def create_at(db_path: Path, prefix: str, id_mode: str) -> Workspace:
    """Create the workspace of the database at `db_path` (`--db`): its directory, the config
    and .gitignore beside the database."""
    if id_mode not in ID_MODES:
        raise BdError(
            "validation",
            f"invalid id mode {id_mode!r}: must be one of {', '.join(ID_MODES)}",
            field="id_mode",
        )
    from bd_trio.model import validate

    validate.prefix(prefix)
    beads = db_path.parent
    beads.mkdir(parents=True, exist_ok=True)
    workspace = Workspace(beads, db_path)
    workspace.save_config(Config(prefix=prefix, id_mode=id_mode))
    gitignore = beads / ".gitignore"
    if not gitignore.exists():
        gitignore.write_text(GITIGNORE, encoding="utf-8")
    return workspace


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file in the same directory, fsync, then rename over `path`."""
    write_atomic_chunks(path, [data])


def write_atomic_chunks(path: Path, chunks: Iterable[bytes]) -> str:
    """`write_atomic` for content produced piece by piece (bounded memory); returns the
    SHA-256 of what was written. If producing a chunk fails, `path` is left untouched."""
    import hashlib

    digest = hashlib.sha256()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb", buffering=1 << 20) as handle:
            for chunk in chunks:
                digest.update(chunk)
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return digest.hexdigest()
