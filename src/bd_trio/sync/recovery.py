"""A killed `bd sync` leaves nothing behind.

A sync runs git commands that take git's locks (`.git/index.lock`, `HEAD.lock`, a ref's
`.lock`) and a merge driver that git feeds through temporary files in the work tree
(`.merge_file_XXXXXX`). Killed with SIGKILL, none of them cleans up: the next git command
fails on the lock, and `git status` shows the temporaries.

Every sync therefore runs under a journal, `<git dir>/bd-sync.journal`: a file it holds with
`flock` for its whole run (so two syncs in one clone take turns) and in which it writes its
pid and start time, and, while it moves the branch, the move it is making. A finished sync
empties the file. A sync that finds the file non-empty after taking the lock knows the
previous one died (the kernel dropped its flock with it) and clears up after it:

- git's lock files and `.merge_file_*` temporaries made since the dead sync started, but only
  when no live git process works in this repository (a lock held by the user's own git is
  never removed: its owner is checked first, through /proc; without /proc nothing is removed);
- our own atomic-write temporaries (`.<name>.<pid>.tmp`) whose process is gone;
- a branch move cut in half (work tree and index moved, the ref not yet): finished.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bd_trio.errors import BdError

JOURNAL = "bd-sync.journal"
MERGE_TEMPORARY = ".merge_file_"
# Files made while the dead sync ran; the slack covers a coarse file-system clock.
MTIME_SLACK_S = 2.0
LOCK_POLL_S = 0.05


def git_dirs(root: Path) -> tuple[Path, Path] | None:
    """(this work tree's git dir, the common git dir) without running git; None outside a
    repository."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git, dot_git
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            own = Path(text.split(":", 1)[1].strip())
            own = own if own.is_absolute() else root / own
            common = own / "commondir"
            if common.is_file():
                shared = own / common.read_text(encoding="utf-8").strip()
                return own, shared.resolve()
            return own, own
    return None


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def live_git_processes(places: list[Path]) -> list[int] | None:
    """Pids of live git processes whose working directory is inside one of `places`; None
    when that cannot be known (no /proc): then nothing may be taken for stale."""
    proc = Path("/proc")
    if not (proc / "self" / "cwd").exists():
        return None
    resolved = [p.resolve() for p in places]
    found = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            comm = (entry / "comm").read_text().strip()
            if comm != "git" and not comm.startswith("git-"):
                continue
            cwd = Path(os.readlink(entry / "cwd"))
        except OSError:
            continue  # gone meanwhile, or not ours to look at
        if any(cwd == p or p in cwd.parents for p in resolved):
            found.append(int(entry.name))
    return found


@dataclass
class SyncJournal:
    """The journal of the sync running in one clone (see the module's docstring)."""

    root: Path
    beads_dir: Path
    run_git: Callable[..., str]
    recovered: list[str] = field(default_factory=list)
    _fd: int | None = None
    _record: dict[str, Any] = field(default_factory=dict)

    @contextlib.contextmanager
    def held(self, deadline: float, clock: Callable[[], float] = time.monotonic) -> Iterator[None]:
        dirs = git_dirs(self.root)
        if dirs is None:  # not a repository: the caller says so
            yield
            return
        # Unbuffered: a write that fails (a full disk) fails here, where it is ignored, and
        # never later in a close.
        fd = os.open(dirs[0] / JOURNAL, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._lock(fd, deadline, clock)
            left = os.pread(fd, 1 << 16, 0).decode("utf-8", "replace").strip()
            if left:
                self._recover(left, dirs)
            self._fd = fd
            self._record = {"pid": os.getpid(), "started": time.time()}
            self._write()
            try:
                yield
            finally:  # finished or failed, not killed: nothing to clean up next time
                self._record = {}
                self._write()
        finally:
            self._fd = None
            os.close(fd)  # drops the flock

    def _lock(self, fd: int, deadline: float, clock: Callable[[], float]) -> None:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if clock() >= deadline:
                    raise BdError(
                        "conflict",
                        f"another bd sync is running in {self.root} (it holds "
                        f".git/{JOURNAL}): wait for it to finish, then run bd sync again",
                    ) from None
                time.sleep(LOCK_POLL_S)

    def _write(self) -> None:
        """The record, or an empty file when there is none. Best effort: on a full disk the
        record may be missing, and then a sync killed meanwhile is not cleaned up after."""
        if self._fd is None:
            return
        data = json.dumps(self._record).encode() if self._record else b""
        try:
            os.ftruncate(self._fd, 0)
            if data:
                os.pwrite(self._fd, data, 0)
        except OSError:
            pass

    @contextlib.contextmanager
    def moving(self, head: str, target: str) -> Iterator[None]:
        """Around a branch move: a sync killed inside it has the move finished next time."""
        self._record["move"] = [head, target]
        self._write()
        yield
        self._record.pop("move", None)
        self._write()

    # --- after a killed sync ------------------------------------------------------------------

    def _recover(self, left: str, dirs: tuple[Path, Path]) -> None:
        try:
            record = json.loads(left)
            dead_pid = int(record["pid"])
            since = float(record["started"]) - MTIME_SLACK_S
        except (ValueError, KeyError, TypeError):
            record, dead_pid, since = {}, -1, time.time() - 3600.0
        self.recovered.append(f"a previous bd sync (pid {dead_pid}) was interrupted: cleaning up")
        own, common = dirs
        busy = live_git_processes([self.root, own, common])
        if busy is None or busy:
            why = "cannot tell whether git is running" if busy is None else (
                f"git is running here (pid {', '.join(map(str, busy))})")  # fmt: skip
            self.recovered.append(f"{why}: left git's lock files and temporary files alone")
        else:
            for path in self._git_leftovers(own, common, since):
                path.unlink(missing_ok=True)
                self.recovered.append(f"removed {self._shown(path)} left by the killed sync")
        for path in self._dead_temporaries():
            path.unlink(missing_ok=True)
            self.recovered.append(f"removed {self._shown(path)} left by the killed sync")
        move = record.get("move") if isinstance(record, dict) else None
        if isinstance(move, list) and len(move) == 2 and not busy:
            self._finish_move(str(move[0]), str(move[1]))

    def _git_leftovers(self, own: Path, common: Path, since: float) -> list[Path]:
        # index.lock, HEAD.lock, next-index-<pid>.lock (a commit of some paths), a ref's lock
        candidates = [lock for d in {own, common} for lock in d.glob("*.lock")]
        for top in ("refs", "logs"):
            base = common / top
            if base.is_dir():
                candidates.extend(base.rglob("*.lock"))
        candidates.extend(self.root.glob(MERGE_TEMPORARY + "*"))
        found = []
        for path in candidates:
            try:
                if path.is_file() and path.stat().st_mtime >= since:
                    found.append(path)
            except OSError:
                continue
        return found

    def _dead_temporaries(self) -> list[Path]:
        """`.<name>.<pid>.tmp` files of our atomic writes whose writer is gone."""
        found = []
        for path in self.beads_dir.glob(".*.tmp"):
            pid = path.name[: -len(".tmp")].rpartition(".")[2]
            if pid.isdigit() and not _process_alive(int(pid)):
                found.append(path)
        return found

    def _finish_move(self, head: str, target: str) -> None:
        from bd_trio.sync.git import GitError

        try:
            now = self.run_git("rev-parse", "HEAD").strip()
            if now != head:
                return  # the ref moved (or someone moved on): nothing half done
            self.run_git("read-tree", "-m", "-u", head, target)
            self.run_git("update-ref", "-m", "bd sync (finishing an interrupted sync)",
                         "HEAD", target, head)  # fmt: skip
        except GitError as exc:
            self.recovered.append(f"could not finish the interrupted branch move: {exc}")
            return
        self.recovered.append(f"finished the interrupted move to {target[:12]}")

    def _shown(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)
