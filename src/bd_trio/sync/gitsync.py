"""`bd sync`: issues travel between clones through git, and nothing is lost on the way.

    1. import what is new on disk, then export (import before export, always);
    2. commit the `.beads/` files alone (the user's other changes, staged or not, stay as
       they are);
    3. fetch; renumber local issues that were never pushed and whose id the remote uses for
       another issue (references rewritten, the user told old -> new); merge the remote
       branch into a merge commit, issues.jsonl by the three-way merge (the registered merge
       driver);
    4. push that commit; when the push is rejected because someone pushed meanwhile, nothing
       local has changed yet: wait (jittered exponential backoff, sync/backoff.py) and go
       back to 3, until the deadline (`--timeout`, 60 s);
    5. move the branch to the pushed commit without touching the user's uncommitted changes,
       import the lines that changed, export, and commit (and push) if that changed anything.

Every run holds the clone's sync journal (sync/recovery.py): a sync killed at any moment is
cleaned up after by the next one.

Git is the engine: the merge is an ordinary merge commit on the user's branch (made with
`git merge-tree` and `git read-tree -m -u`, which carries local changes the way a checkout
does), and bd keeps no hidden worktree or branch. The database side is a `SyncDatabase`:
direct mode's store, or the daemon's writer (which then serialises its exports with it).
"""

from __future__ import annotations

import enum
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bd_trio.diskspace import disk_full
from bd_trio.errors import BdError
from bd_trio.model import clock
from bd_trio.sync import git, gitsetup, jsonl, lines, recordmap
from bd_trio.sync.backoff import DEFAULT_TIMEOUT_S, Backoff
from bd_trio.sync.failures import sync_failure
from bd_trio.sync.recovery import SyncJournal
from bd_trio.sync.status import upstream_of

BEADS_FILES = ("issues.jsonl", "config.json", ".gitattributes", ".gitignore")
# An unreachable remote is tried this many times in a row (with the backoff's waits) before
# the sync gives up: a blip passes, a remote that stays away is reported.
UNREACHABLE_TRIES = 3
REJECTED = ("rejected", "fetch first", "non-fast-forward")


class SyncDatabase(Protocol):
    def import_file(self, only: set[str] | None = None) -> dict[str, Any]: ...
    # import issues.jsonl if it changed (`only`: the ids whose lines changed, when known);
    # "renumbered": local issues the file's ids collided with (sync/unpushed.py)
    def export_file(self) -> None: ...  # export dirty issues (after importing)
    def local_ids(self) -> dict[str, str]: ...  # id -> created_at of every local issue
    def renumber(self, renames: dict[str, str]) -> None: ...


class Outcome(enum.Enum):
    """How one exchange with the remote ended."""

    DONE = "done"  # the remote holds our branch (or nothing was to be pushed)
    REJECTED = "rejected"  # someone pushed between our fetch and our push: merge again
    MORE = "more"  # importing the merge changed the file: commit made, push it too


class Unreachable(Exception):
    pass


@dataclass
class SyncSummary:
    committed: bool = False
    remote: str | None = None
    pulled: int = 0  # issues the merge brought in or changed
    pushed: bool = False
    created: int = 0
    updated: int = 0
    deleted: int = 0
    renumbered: dict[str, str] = field(default_factory=dict)
    resolved_conflict: bool = False
    attempts: int = 0  # exchanges with the remote (fetch, merge, push)
    rejected: int = 0  # pushes rejected because someone pushed first
    elapsed_s: float = 0.0
    steps: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "committed": self.committed,
            "remote": self.remote,
            "pulled": self.pulled,
            "pushed": self.pushed,
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "renumbered": self.renumbered,
            "resolved_conflict": self.resolved_conflict,
            "attempts": self.attempts,
            "rejected": self.rejected,
            "elapsed_s": self.elapsed_s,
            "steps": self.steps,
        }


class SyncEngine:
    def __init__(
        self,
        root: Path,
        beads_dir: Path,
        db: SyncDatabase,
        backoff: Callable[[float], Backoff] = Backoff,
    ) -> None:
        self.root = root
        self.beads_dir = beads_dir
        self.db = db
        self.jsonl_rel = str((beads_dir / "issues.jsonl").relative_to(root))
        self._backoff = backoff  # the waits between attempts (tests inject a fake clock)
        self.journal = SyncJournal(root, beads_dir, self.git)
        self._files: dict[str, str] = {}  # commit id -> its issues.jsonl

    def git(self, *args: str) -> str:
        return git.run_git(self.root, *args)

    # --- the whole run ------------------------------------------------------------------------

    def run_request(self, request: SyncRequest) -> SyncSummary:
        return self.run(
            request.message,
            pull=request.pull,
            push=request.push,
            dry_run=request.dry_run,
            timeout_s=request.timeout_s,
        )

    def run(
        self,
        message: str,
        *,
        pull: bool = True,
        push: bool = True,
        dry_run: bool = False,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> SyncSummary:
        summary = SyncSummary()
        if not git.is_repository(self.root):
            raise BdError(
                "validation",
                f"{self.root} is not a git repository: bd sync exchanges issues through git "
                "(git init, add a remote, then bd sync)",
            )
        backoff = self._backoff(timeout_s)
        try:
            with self.journal.held(backoff.deadline, backoff.clock):
                summary.steps.extend(self.journal.recovered)
                self._run(message, pull, push, dry_run, backoff, summary)
        except (git.GitError, OSError, sqlite3.Error) as exc:  # a full disk, above all
            raise sync_failure(exc, self.root) from exc
        except BdError as exc:  # the daemon's writer reports a step's OSError as `internal`
            if exc.code == "internal" and disk_full(exc, self.root):
                raise sync_failure(exc, self.root) from exc
            raise
        finally:
            summary.elapsed_s = round(backoff.elapsed(), 3)
        return summary

    def _run(
        self,
        message: str,
        pull: bool,
        push: bool,
        dry_run: bool,
        backoff: Backoff,
        summary: SyncSummary,
    ) -> None:
        gitsetup.ensure_merge_driver(self.root, self.beads_dir)
        if self._resolve_conflicted_file():
            summary.resolved_conflict = True
            summary.steps.append("resolved the conflict markers in issues.jsonl")
        self._absorb(summary)
        summary.steps.append("imported and exported issues.jsonl")
        if dry_run:
            summary.steps.append("dry run: nothing committed, pulled or pushed")
            return
        summary.committed = self._commit(message)
        upstream = self._upstream()
        if upstream is None:
            summary.steps.append(
                "no remote: committed locally" if summary.committed else "no remote"
            )
            return
        remote, branch = upstream
        summary.remote = remote
        unreachable = 0
        while True:
            summary.attempts += 1
            try:
                outcome = self._exchange(remote, branch, message, summary, pull, push)
            except Unreachable as exc:
                unreachable += 1
                if unreachable >= UNREACHABLE_TRIES or not backoff.wait():
                    raise BdError(
                        "unavailable",
                        f"cannot reach {remote} ({summary.attempts} attempts in "
                        f"{backoff.elapsed():.1f} s): {exc}. {self._kept_locally(remote, branch)}",
                        attempts=summary.attempts,
                        rejected=summary.rejected,
                    ) from None
                continue
            unreachable = 0
            if outcome is Outcome.DONE:
                if push:
                    summary.pushed = True
                    summary.steps.append(
                        f"pushed to {remote}/{branch}"
                        + (f" (attempt {summary.attempts})" if summary.attempts > 1 else "")
                    )
                return
            if outcome is Outcome.MORE:  # our own commit to push: no wait, but the deadline holds
                if backoff.clock() >= backoff.deadline:
                    raise BdError(
                        "conflict",
                        f"bd sync ran out of time ({backoff.timeout_s:g} s, --timeout) "
                        f"pushing to {remote}/{branch}. {self._kept_locally(remote, branch)}",
                        attempts=summary.attempts,
                        rejected=summary.rejected,
                    )
                continue
            summary.rejected += 1
            if not pull:
                raise BdError(
                    "conflict",
                    f"push to {remote}/{branch} rejected: the remote has commits you do not "
                    "have, and --no-pull forbids merging them. "
                    + self._kept_locally(remote, branch),
                    attempts=summary.attempts,
                    rejected=summary.rejected,
                )
            if not backoff.wait():
                raise BdError(
                    "conflict",
                    f"push to {remote}/{branch} still rejected after {summary.attempts} attempts "
                    f"in {backoff.elapsed():.1f} s (others keep pushing; the deadline is "
                    f"{backoff.timeout_s:g} s, --timeout). {self._kept_locally(remote, branch)}",
                    attempts=summary.attempts,
                    rejected=summary.rejected,
                )
            summary.steps.append("push rejected: someone pushed meanwhile; merging again")

    def _kept_locally(self, remote: str, branch: str) -> str:
        """What the user has, said when a sync cannot get through."""
        try:
            head = self.git("rev-parse", "--short", "HEAD").strip()
            ahead = self.git("rev-list", "--count", f"refs/remotes/{remote}/{branch}..HEAD").strip()
        except git.GitError:
            return (
                "Nothing is lost: your issues are committed locally and go out with the next "
                "bd sync"
            )
        return (
            f"Nothing is lost: your issues are committed locally (HEAD {head}, {ahead} commits "
            f"not on {remote}/{branch}) and the next bd sync pushes them"
        )

    # --- steps --------------------------------------------------------------------------------

    def _absorb(self, summary: SyncSummary, only: set[str] | None = None) -> None:
        """Import the file (changes from a pull or a merge), then export the database."""
        result = self.db.import_file(only)
        renamed = result.get("renumbered") or {}
        if renamed:
            summary.renumbered.update(renamed)
            summary.steps.append(
                "renumbered " + ", ".join(f"{old} -> {new}" for old, new in renamed.items())
            )
        summary.created += int(result.get("created", 0))
        summary.updated += int(result.get("updated", 0))
        summary.deleted += int(result.get("deleted", 0))
        self.db.export_file()

    def _commit(self, message: str) -> bool:
        paths = [
            str((self.beads_dir / name).relative_to(self.root))
            for name in BEADS_FILES
            if (self.beads_dir / name).exists()
        ]
        self.git("add", "--", *paths)
        if self._merging():
            # Finishing a merge someone started with git (its issues.jsonl now resolved).
            if self.git("diff", "--name-only", "--diff-filter=U").strip():
                raise BdError(
                    "conflict",
                    "a git merge is in progress with conflicts in other files: resolve them "
                    "and commit, then run bd sync again",
                )
            self.git("commit", "-q", "--no-verify", "--no-edit")
            return True
        if not self.git("diff", "--cached", "--name-only", "--", *paths).strip():
            return False
        self.git("commit", "-q", "--no-verify", "-m", message, "--", *paths)
        return True

    def _merging(self) -> bool:
        try:
            self.git("rev-parse", "-q", "--verify", "MERGE_HEAD")
        except git.GitError:
            return False
        return True

    def _upstream(self) -> tuple[str, str] | None:
        # The one choice of remote and branch, shared with `bd sync --status`.
        return upstream_of(self.root)

    def _exchange(
        self, remote: str, branch: str, message: str, summary: SyncSummary, pull: bool, push: bool
    ) -> Outcome:
        """One round with the remote: fetch, merge, push.

        The merge commit is pushed before the branch moves to it: a rejected push leaves the
        clone exactly as it was (nothing imported, no commit made), so a retry costs a fetch,
        a merge of what changed and a push, and the time between fetch and push, in which
        someone else's push makes ours fail, stays short. Once the remote has taken it, the
        branch moves and the merged issues are imported (only the lines that changed)."""
        theirs = self._fetch(remote, branch) if pull else self._tracking(remote, branch)
        head = self.git("rev-parse", "HEAD").strip()
        if theirs is not None and not self._is_ancestor(theirs, head):
            renames = self._renumber_collisions(theirs)
            if renames:
                summary.renumbered.update(renames)
                summary.steps.append(
                    "renumbered " + ", ".join(f"{old} -> {new}" for old, new in renames.items())
                )
                self._commit(f"{message} (renumbered issues that collided with {remote})")
                head = self.git("rev-parse", "HEAD").strip()
        if not pull or theirs is None or self._is_ancestor(theirs, head):
            if theirs is None and pull:
                summary.steps.append(f"{remote}/{branch} does not exist yet")
            if not push or head == theirs:
                return Outcome.DONE
            return Outcome.DONE if self._push(remote, branch, head) else Outcome.REJECTED
        if self._is_ancestor(head, theirs):  # nothing of ours the remote lacks
            self._move_to(head, theirs)
            summary.steps.append(f"fast-forwarded to {remote}/{branch}")
            return self._after_move(head, theirs, message, summary, push)
        tree = self._merge_tree(head, theirs, remote, branch)
        merge = self.git(
            "commit-tree", tree, "-p", head, "-p", theirs,
            "-m", f"{message} (merge {remote}/{branch})",
        ).strip()  # fmt: skip
        if push:
            self._check_move(head, merge)
            if not self._push(remote, branch, merge):
                return Outcome.REJECTED
        self._move_to(head, merge)
        summary.steps.append(f"merged {remote}/{branch}")
        return self._after_move(head, merge, message, summary, push)

    def _after_move(
        self, head: str, target: str, message: str, summary: SyncSummary, push: bool
    ) -> Outcome:
        """Import what the move brought (only the lines that changed), export, and commit
        what that changed (then it has to be pushed too)."""
        before = self._ids_and_lines(head)
        after = self._ids_and_lines(target)
        changed = {key for key, line in after.items() if before.get(key) != line}
        summary.pulled += len(changed)
        self._absorb(summary, changed)
        if self._commit(message):
            summary.committed = True
            return Outcome.MORE if push else Outcome.DONE
        return Outcome.DONE

    def _fetch(self, remote: str, branch: str) -> str | None:
        try:
            self.git("fetch", "-q", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
        except git.GitError as exc:
            if "couldn't find remote ref" in str(exc):
                return None  # the branch does not exist there yet
            raise Unreachable(str(exc)) from None
        return self._tracking(remote, branch)

    def _tracking(self, remote: str, branch: str) -> str | None:
        try:
            return self.git(
                "rev-parse", "--verify", "-q", f"refs/remotes/{remote}/{branch}"
            ).strip()
        except git.GitError:
            return None

    def _is_ancestor(self, maybe: str, of: str) -> bool:
        try:
            self.git("merge-base", "--is-ancestor", maybe, of)
        except git.GitError:
            return False
        return True

    def _merge_tree(self, head: str, theirs: str, remote: str, branch: str) -> str:
        try:
            return self.git("merge-tree", "--write-tree", head, theirs).splitlines()[0]
        except git.GitError as exc:
            raise BdError(
                "conflict",
                f"merging {remote}/{branch} conflicts in files other than issues.jsonl: merge "
                f"them with git (git merge {remote}/{branch}), then run bd sync again. "
                f"Nothing was changed. ({str(exc).splitlines()[0]})",
            ) from None

    def _check_move(self, head: str, target: str) -> None:
        """Refuse before pushing what the branch could not move to afterwards."""
        try:
            self.git("read-tree", "-m", "-n", "-u", head, target)
        except git.GitError as exc:
            raise self._blocked_move(exc) from None

    def _move_to(self, head: str, target: str) -> None:
        """Make `target` the branch's commit, carrying the user's uncommitted changes along
        (like a checkout; refused, with nothing changed, if one would be overwritten)."""
        with self.journal.moving(head, target):
            try:
                self.git("read-tree", "-m", "-u", head, target)
            except git.GitError as exc:
                raise self._blocked_move(exc) from None
            self.git("update-ref", "-m", "bd sync", "HEAD", target, head)

    @staticmethod
    def _blocked_move(exc: Exception) -> BdError:
        return BdError(
            "conflict",
            f"your uncommitted changes touch files the remote changed: commit or stash "
            f"them, then run bd sync again. Nothing was changed. ({exc})",
        )

    def _push(self, remote: str, branch: str, commit: str) -> bool:
        """True when the remote took `commit`; False when it was rejected because the remote
        moved on (someone pushed first)."""
        try:
            self.git("push", "-q", remote, f"{commit}:refs/heads/{branch}")
        except git.GitError as exc:
            if any(word in str(exc) for word in REJECTED):
                return False
            raise Unreachable(str(exc)) from None
        return True

    # --- issues.jsonl in commits --------------------------------------------------------------

    def _file_at(self, commit: str) -> str:
        """issues.jsonl in `commit` (a commit id: what it holds never changes, so each is read
        once per sync, however many attempts need it)."""
        if commit in self._files:
            return self._files[commit]
        try:
            text = self.git("show", f"{commit}:{self.jsonl_rel}")
        except git.GitError:
            text = ""
        if len(commit) == 40:
            self._files[commit] = text
        return text

    def _ids_and_lines(self, commit: str) -> dict[str, str]:
        return {
            jsonl.line_key(line): line for line in self._file_at(commit).split("\n") if line.strip()
        }

    def _renumber_collisions(self, theirs: str) -> dict[str, str]:
        """Local issues never pushed whose id the remote gives to another issue get new ids
        (the remote's ids, pushed already, never change)."""
        remote: dict[str, str] = {}
        source = f"{theirs[:12]}:{self.jsonl_rel}"
        for number, line in lines.split(self._file_at(theirs), source):
            value = lines.load(line, number, source)  # only the id and created_at matter here
            if (
                not isinstance(value, dict)
                or recordmap.kind_of(value) != "issue"
                or not isinstance(value.get("created_at"), str)
            ):
                continue  # the merge's own parse says what is wrong with a bad line
            try:
                remote[str(value["id"])] = clock.normalize_ts(value["created_at"])
            except ValueError:
                raise lines.line_error(
                    source, number, f"created_at {value['created_at']!r} is not RFC 3339"
                ) from None
        remote_all = set(self._ids_and_lines(theirs))
        local = self.db.local_ids()
        colliding = sorted(
            (created, issue_id)
            for issue_id, created in local.items()
            if issue_id in remote and remote[issue_id] != created
        )
        if not colliding:
            return {}
        from bd_trio.sync.unpushed import next_free_ids

        renames = next_free_ids([issue_id for _, issue_id in colliding], set(local) | remote_all)
        self.db.renumber(renames)
        self.db.export_file()
        return renames

    def _resolve_conflicted_file(self) -> bool:
        """issues.jsonl left with conflict markers (a merge without the driver): merge the
        three versions git keeps in its index, and stage the result."""
        path = self.beads_dir / "issues.jsonl"
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return False
        text = data.decode("utf-8", "replace")  # only looking for markers: never fails here
        if not any(line.startswith(jsonl.CONFLICT_MARKERS) for line in text.split("\n")):
            return False
        from bd_trio.sync.threeway import merge_texts

        stages = []
        for stage in (1, 2, 3):
            try:
                stages.append(self.git("show", f":{stage}:{self.jsonl_rel}"))
            except git.GitError:
                stages.append("")
        if not stages[1] and not stages[2]:
            raise BdError(
                "conflict",
                f"{path} has conflict markers but git holds no versions of it to merge: "
                "restore it (git checkout -- .beads/issues.jsonl) and run bd sync again",
            )
        merged = merge_texts(*stages)
        from bd_trio.workspace import write_atomic

        write_atomic(path, merged.encode("utf-8"))
        self.git("add", "--", self.jsonl_rel)
        return True


@dataclass(frozen=True)
class SyncRequest:
    message: str
    pull: bool
    push: bool
    dry_run: bool
    timeout_s: float = DEFAULT_TIMEOUT_S


def parse_sync(raw: object) -> SyncRequest:
    """The `sync` request's arguments, checked like an operation's."""
    from bd_trio.ops.args import Args

    a = Args("sync", raw)
    request = SyncRequest(
        message=a.text("message", "bd sync: update issues"),
        pull=a.flag("pull", True),
        push=a.flag("push", True),
        dry_run=a.flag("dry_run", False),
        timeout_s=a.checked("timeout", sync_timeout, DEFAULT_TIMEOUT_S),
    )
    a.done()
    return request


def sync_timeout(value: object) -> float:
    """The sync's deadline from an argument: seconds, or a duration (90s, 2m); above 0."""
    from bd_trio.model.durations import lease_seconds

    seconds = lease_seconds(value, "timeout")
    if seconds <= 0:
        raise BdError(
            "validation",
            f"invalid timeout {value!r}: a sync needs some time (e.g. 60s, 5m)",
            field="timeout",
        )
    return seconds
