"""`bd sync` at scale: two clones of a repository with 10,000 issues, 100 issues changed on
each side, then a sync on each (the second one merges per issue). Times whole `bd sync`
processes (direct mode), as a user runs them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from harness import bd_command, make_workspace

GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "BD_ACTOR": "bench",
    "BD_NO_DAEMON": "1",
}


def _env() -> dict[str, str]:
    return {**os.environ, **GIT_ENV}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=_env(), check=True, capture_output=True)


def _bd(cwd: Path, *args: str) -> float:
    start = time.perf_counter()
    subprocess.run(bd_command(*args), cwd=cwd, env=_env(), check=True, capture_output=True)
    return time.perf_counter() - start


def sync_at_scale(base: Path, issues: int, changed: int) -> dict[str, Any]:
    base.mkdir(parents=True, exist_ok=True)
    bare = base / "remote.git"
    _git(base, "init", "-q", "--bare", str(bare))
    origin = base / "origin"
    workspace = make_workspace(origin, issues=issues)
    _git(origin, "init", "-q")
    _git(origin, "remote", "add", "origin", str(bare))
    _bd(origin, "sync")  # exports, commits and pushes the 10,000 issues
    clones = []
    for name in ("a", "b"):
        path = base / name
        _git(base, "clone", "-q", str(bare), str(path))
        _bd(path, "list", "-n", "1")  # builds the clone's database from issues.jsonl
        clones.append(path)
    a, b = clones
    open_ids = [
        int(row.split("-")[1])
        for row in subprocess.run(
            [sys.executable, "-c", "import json,sys; [print(json.loads(l)['id']) for l in "
             "open(sys.argv[1]) if json.loads(l).get('status') == 'open']",
             str(workspace.jsonl_path)],
            capture_output=True, text=True, check=True,
        ).stdout.split()
    ]  # fmt: skip
    _edit_ids(a, open_ids[:changed], "a")
    _edit_ids(b, open_ids[changed : 2 * changed], "b")
    first = _bd(a, "sync")  # commit + push (fast-forward for the remote)
    second = _bd(b, "sync")  # commit + fetch + per-issue merge + import + push
    third = _bd(a, "sync")  # fetch + fast-forward + import
    row = {
        "issues": issues,
        "changed_per_side": changed,
        "first_sync_s": round(first, 3),
        "merging_sync_s": round(second, 3),
        "catch_up_sync_s": round(third, 3),
    }
    print(
        f"  sync at {issues:,} issues, {changed} changed per side: push {first:.2f} s, merge "
        f"{second:.2f} s, catch up {third:.2f} s",
        flush=True,
    )
    return row


def _edit_ids(clone: Path, ids: list[int], tag: str) -> None:
    import json

    operations = [{"op": "update", "args": {"id": f"bd-{n}", "notes": f"{tag} {n}"}} for n in ids]
    subprocess.run(
        bd_command("batch"),
        cwd=clone,
        env=_env(),
        input=json.dumps(operations),
        text=True,
        check=True,
        capture_output=True,
    )
