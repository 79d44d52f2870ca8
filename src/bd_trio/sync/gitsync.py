"""`bd sync`: issues travel between clones through git, and nothing is lost on the way.

    1. import what is new on disk, then export (import before export, always);
    2. commit the `.beads/` files alone (the user's other changes, staged or not, stay as
       they are);
    3. fetch; renumber local issues that were never pushed and whose id the remote uses for
       another issue (references rewritten, the user told old -> new); merge the remote
       branch, issues.jsonl by the three-way merge (the registered merge driver), without
       touching the user's uncommitted changes;
    4. import the merged file, export, commit if that changed anything;
    5. push; when the push is rejected because someone pushed meanwhile, fetch and merge
       again (bounded).

Git is the engine: the merge is an ordinary merge commit on the user's branch (made with
`git merge-tree` and `git read-tree -m -u`, which carries local changes the way a checkout
does), and bd keeps no hidden worktree or branch. The database side is a `SyncDatabase`:
direct mode's store, or the daemon's writer (which then serialises its exports with it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from bd_trio.errors import BdError
from bd_trio.model import clock
from bd_trio.sync import git, gitsetup, jsonl, lines, recordmap

PUSH_ATTEMPTS = 3
BEADS_FILES = ("issues.jsonl", "config.json", ".gitattributes", ".gitignore")


class SyncDatabase(Protocol):
    def import_file(self, only: set[str] | None = None) -> dict[str, Any]: ...
    # import issues.jsonl if it changed (`only`: the ids whose lines changed, when known)
    def export_file(self) -> None: ...  # export dirty issues (after importing)
    def local_ids(self) -> dict[str, str]: ...  # id -> created_at of every local issue
    def renumber(self, renames: dict[str, str]) -> None: ...


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
            "steps": self.steps,
        }


class SyncEngine:
    def __init__(self, root: Path, beads_dir: Path, db: SyncDatabase) -> None:
        self.root = root
        self.beads_dir = beads_dir
        self.db = db
        self.jsonl_rel = str((beads_dir / "issues.jsonl").relative_to(root))

    def git(self, *args: str) -> str:
        return git.run_git(self.root, *args)

    # --- the whole run ------------------------------------------------------------------------

    def run(
        self, message: str, *, pull: bool = True, push: bool = True, dry_run: bool = False
    ) -> SyncSummary:
        summary = SyncSummary()
        if not git.is_repository(self.root):
            raise BdError(
                "validation",
                f"{self.root} is not a git repository: bd sync exchanges issues through git "
                "(git init, add a remote, then bd sync)",
            )
        gitsetup.ensure_merge_driver(self.root, self.beads_dir)
        if self._resolve_conflicted_file():
            summary.resolved_conflict = True
            summary.steps.append("resolved the conflict markers in issues.jsonl")
        self._absorb(summary)
        summary.steps.append("imported and exported issues.jsonl")
        if dry_run:
            summary.steps.append("dry run: nothing committed, pulled or pushed")
            return summary
        summary.committed = self._commit(message)
        upstream = self._upstream()
        if upstream is None:
            summary.steps.append(
                "no remote: committed locally" if summary.committed else "no remote"
            )
            return summary
        remote, branch = upstream
        summary.remote = remote
        for attempt in range(PUSH_ATTEMPTS):
            if pull:
                self._pull(remote, branch, message, summary)
            if not push:
                break
            if self._push(remote, branch):
                summary.pushed = True
                summary.steps.append(f"pushed to {remote}/{branch}")
                break
            if not pull or attempt == PUSH_ATTEMPTS - 1:
                raise BdError(
                    "conflict",
                    f"push to {remote}/{branch} rejected {attempt + 1} times (others keep "
                    "pushing): your issues are committed locally; run bd sync again",
                )
            summary.steps.append("push rejected: someone pushed meanwhile; merging again")
        return summary

    # --- steps --------------------------------------------------------------------------------

    def _absorb(self, summary: SyncSummary, only: set[str] | None = None) -> None:
        """Import the file (changes from a pull or a merge), then export the database."""
        result = self.db.import_file(only)
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
        remotes = self.git("remote").split()
        if not remotes:
            return None
        branch = self.git("rev-parse", "--abbrev-ref", "HEAD").strip()
        try:
            tracking = self.git("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}")
        except git.GitError:
            tracking = ""
        if "/" in tracking.strip():
            remote, _, remote_branch = tracking.strip().partition("/")
            return remote, remote_branch
        return ("origin" if "origin" in remotes else remotes[0]), branch

    def _pull(self, remote: str, branch: str, message: str, summary: SyncSummary) -> None:
        try:
            self.git("fetch", "-q", remote)
        except git.GitError as exc:
            raise BdError(
                "unavailable",
                f"cannot reach {remote}: {exc}. Nothing is lost: your issues are committed "
                "locally and go out with the next bd sync",
            ) from None
        ref = f"refs/remotes/{remote}/{branch}"
        try:
            theirs = self.git("rev-parse", "--verify", "-q", ref).strip()
        except git.GitError:
            summary.steps.append(f"{remote}/{branch} does not exist yet")
            return
        head = self.git("rev-parse", "HEAD").strip()
        if self._is_ancestor(theirs, head):
            return  # nothing new there
        renames = self._renumber_collisions(theirs)
        if renames:
            summary.renumbered.update(renames)
            summary.steps.append(
                "renumbered " + ", ".join(f"{old} -> {new}" for old, new in renames.items())
            )
            self._commit(f"{message} (renumbered issues that collided with {remote})")
            head = self.git("rev-parse", "HEAD").strip()
        before = self._ids_and_lines(head)
        if self._is_ancestor(head, theirs):
            self._move_to(head, theirs)
            summary.steps.append(f"fast-forwarded to {remote}/{branch}")
        else:
            tree = self._merge_tree(head, theirs, remote, branch)
            merge = self.git(
                "commit-tree", tree, "-p", head, "-p", theirs,
                "-m", f"{message} (merge {remote}/{branch})",
            ).strip()  # fmt: skip
            self._move_to(head, merge)
            summary.steps.append(f"merged {remote}/{branch}")
        after = self._ids_and_lines("HEAD")
        changed = {key for key, line in after.items() if before.get(key) != line}
        summary.pulled += len(changed)
        self._absorb(summary, changed)
        if self._commit(message):
            summary.committed = True

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

    def _move_to(self, head: str, target: str) -> None:
        """Make `target` the branch's commit, carrying the user's uncommitted changes along
        (like a checkout; refused, with nothing changed, if one would be overwritten)."""
        try:
            self.git("read-tree", "-m", "-u", head, target)
        except git.GitError as exc:
            raise BdError(
                "conflict",
                f"your uncommitted changes touch files the remote changed: commit or stash "
                f"them, then run bd sync again. Nothing was changed. ({exc})",
            ) from None
        self.git("update-ref", "-m", "bd sync", "HEAD", target, head)

    def _push(self, remote: str, branch: str) -> bool:
        try:
            self.git("push", "-q", remote, f"HEAD:refs/heads/{branch}")
        except git.GitError as exc:
            text = str(exc)
            if "rejected" in text or "fetch first" in text or "non-fast-forward" in text:
                return False
            raise BdError(
                "unavailable",
                f"cannot push to {remote}: {exc}. Nothing is lost: your issues are committed "
                "locally and go out with the next bd sync",
            ) from None
        return True

    # --- issues.jsonl in commits --------------------------------------------------------------

    def _file_at(self, commit: str) -> str:
        try:
            return self.git("show", f"{commit}:{self.jsonl_rel}")
        except git.GitError:
            return ""

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
        from bd_trio.store.ids import next_free_id

        used = set(local) | remote_all
        renames: dict[str, str] = {}
        for _, issue_id in colliding:
            new_id = next_free_id(issue_id, used)
            used.add(new_id)
            renames[issue_id] = new_id
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


def parse_sync(raw: object) -> SyncRequest:
    """The `sync` request's arguments, checked like an operation's."""
    from bd_trio.ops.args import Args

    a = Args("sync", raw)
    request = SyncRequest(
        message=a.text("message", "bd sync: update issues"),
        pull=a.flag("pull", True),
        push=a.flag("push", True),
        dry_run=a.flag("dry_run", False),
    )
    a.done()
    return request
