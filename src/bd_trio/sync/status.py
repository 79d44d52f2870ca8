"""`bd sync --status`: what a sync would do, found without changing anything.

Read-only: no fetch, no commit, no export. "The remote ahead" is as of the last fetch (the
remote-tracking branch); `git fetch` refreshes it. The remote and branch are chosen the way
`bd sync` chooses them: the branch's upstream, else `origin` (else the first remote) and the
branch of the same name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bd_trio.errors import BdError
from bd_trio.sync import git

LOG_LIMIT = 20  # commits listed each way (the counts are exact)


def upstream_of(root: Path) -> tuple[str, str] | None:
    """(remote, branch) a sync would pull from and push to; None without a remote."""
    remotes = git.run_git(root, "remote").split()
    if not remotes:
        return None
    branch = current_branch(root)
    try:
        tracking = git.run_git(
            root, "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"
        ).strip()
    except git.GitError:
        tracking = ""
    if "/" in tracking:
        remote, _, remote_branch = tracking.partition("/")
        return remote, remote_branch
    return ("origin" if "origin" in remotes else remotes[0]), branch


def current_branch(root: Path) -> str:
    """The branch name (also on a branch without commits yet); `HEAD` when detached."""
    try:
        return git.run_git(root, "symbolic-ref", "--short", "-q", "HEAD").strip() or "HEAD"
    except git.GitError:
        return "HEAD"


def _log(root: Path, span: str) -> tuple[int, list[str]]:
    count = int(git.run_git(root, "rev-list", "--count", span).strip() or 0)
    lines = git.run_git(root, "log", "--oneline", f"-{LOG_LIMIT}", span).splitlines()
    return count, lines


def sync_status(root: Path, beads_dir: Path, dirty_issues: int) -> dict[str, Any]:
    """`dirty_issues`: issues changed in the database and not yet exported to issues.jsonl."""
    if not git.is_repository(root):
        raise BdError(
            "validation", f"{root} is not in a git repository: bd sync needs one (git init)"
        )
    branch = current_branch(root)
    try:
        has_commits = bool(git.run_git(root, "rev-parse", "--verify", "-q", "HEAD").strip())
    except git.GitError:
        has_commits = False  # a repository without commits yet
    jsonl = beads_dir / "issues.jsonl"
    relative = str(jsonl.relative_to(root)) if jsonl.is_relative_to(root) else str(jsonl)
    uncommitted = bool(git.run_git(root, "status", "--porcelain", "--", relative).strip())
    status: dict[str, Any] = {
        "branch": branch,
        "remote": None,
        "remote_branch": None,
        "remote_known": False,
        "ahead": 0,
        "behind": 0,
        "unpushed_commits": [],
        "remote_commits": [],
        "jsonl_uncommitted": uncommitted,
        "dirty_issues": dirty_issues,
    }
    upstream = upstream_of(root)
    if upstream is not None:
        remote, remote_branch = upstream
        status.update(remote=remote, remote_branch=remote_branch)
        ref = f"refs/remotes/{remote}/{remote_branch}"
        try:
            git.run_git(root, "rev-parse", "--verify", "-q", ref)
        except git.GitError:
            if has_commits:
                status["ahead"], status["unpushed_commits"] = _log(root, "HEAD")
        else:
            status["remote_known"] = True
            if not has_commits:  # an unborn branch: everything there is the remote's
                status["behind"], status["remote_commits"] = _log(root, ref)
                status["would"] = _would(status)
                return status
            status["ahead"], status["unpushed_commits"] = _log(root, f"{ref}..HEAD")
            status["behind"], status["remote_commits"] = _log(root, f"HEAD..{ref}")
    status["would"] = _would(status)
    return status


def _would(s: dict[str, Any]) -> list[str]:
    steps = []
    if s["dirty_issues"]:
        steps.append(f"export {s['dirty_issues']} changed issue(s) to issues.jsonl")
    if s["dirty_issues"] or s["jsonl_uncommitted"]:
        steps.append("commit the .beads/ files")
    where = f"{s['remote']}/{s['remote_branch']}"
    if s["remote"] is None:
        steps.append("nothing to exchange: no git remote (commits stay local)")
        return steps
    if not s["remote_known"]:
        steps.append(f"{where} not fetched yet: fetch it, then push")
    elif s["behind"]:
        steps.append(f"pull and merge {s['behind']} commit(s) from {where}")
    if s["remote_known"] and (s["ahead"] or s["dirty_issues"] or s["jsonl_uncommitted"]):
        ahead = s["ahead"] + (1 if s["dirty_issues"] or s["jsonl_uncommitted"] else 0)
        steps.append(f"push {ahead} commit(s) to {where}")
    if not steps:
        steps.append(f"nothing: up to date with {where} (as of the last fetch)")
    return steps
