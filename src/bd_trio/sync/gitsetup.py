"""The git merge driver for issues.jsonl, registered in every clone without a setup step.

`.beads/.gitattributes` (committed with the issues) says `issues.jsonl merge=beads`; each
clone's `.git/config` says what `beads` runs: `python -m bd_trio merge-driver %O %A %B`, the
three-way merge of sync/threeway.py. `bd init`, direct mode, the daemon and `bd sync` call
`ensure_merge_driver`, so a plain `git pull`, `git merge` or `git rebase` merges issues.jsonl
per issue in any clone where bd has run once.

The check is a read of `.git/config` (no subprocess) when the driver is already there.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DRIVER = "beads"
ATTRIBUTES = f"issues.jsonl merge={DRIVER}\n"
SECTION = f'[merge "{DRIVER}"]'


def driver_command() -> str:
    return f"{sys.executable} -m bd_trio merge-driver %O %A %B"


def git_config_path(root: Path) -> Path | None:
    """`.git/config` of the repository at root (a `.git` file points to the real git dir)."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return dot_git / "config"
    if dot_git.is_file():
        text = dot_git.read_text(encoding="utf-8").strip()
        if text.startswith("gitdir:"):
            git_dir = Path(text.split(":", 1)[1].strip())
            git_dir = git_dir if git_dir.is_absolute() else root / git_dir
            common = git_dir / "commondir"
            if common.is_file():
                git_dir = git_dir / common.read_text(encoding="utf-8").strip()
            return git_dir / "config"
    return None


def ensure_merge_driver(root: Path, beads_dir: Path) -> bool:
    """Register the driver where it is missing; True when anything was written. Does nothing
    outside a git repository."""
    config = git_config_path(root)
    if config is None or not config.is_file():
        return False
    wrote = False
    attributes = beads_dir / ".gitattributes"
    try:
        current = attributes.read_text(encoding="utf-8")
    except FileNotFoundError:
        current = ""
    if ATTRIBUTES.strip() not in current:
        attributes.write_text(
            current + ("" if current.endswith("\n") or not current else "\n") + ATTRIBUTES,
            encoding="utf-8",
        )
        wrote = True
    text = config.read_text(encoding="utf-8", errors="replace")
    if SECTION not in text or driver_command() not in text:
        from bd_trio.sync import git  # subprocess: loaded only to write the config

        git.run_git(
            root, "config", f"merge.{DRIVER}.name", "bd-trio: per-issue merge of issues.jsonl"
        )
        git.run_git(root, "config", f"merge.{DRIVER}.driver", driver_command())
        wrote = True
    return wrote


def merge_driver(base: str, ours: str, theirs: str) -> None:
    """What git runs: merge the three versions, write the result over `ours`. A version that
    cannot be read raises BdError (the CLI prints it and exits 1: git then leaves a conflict)."""
    from bd_trio.errors import BdError
    from bd_trio.sync import lines
    from bd_trio.sync.threeway import merge_texts

    try:
        texts = [lines.decode(lines.read_file(Path(p)), p) for p in (base, ours, theirs)]
        merged = merge_texts(*texts)
    except OSError as exc:
        raise BdError("validation", f"cannot merge issues.jsonl: {exc}") from None
    except BdError as exc:
        raise BdError("validation", f"cannot merge issues.jsonl: {exc.message}") from None
    tmp = f"{ours}.{os.getpid()}.tmp"
    with open(tmp, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(merged)
    os.replace(tmp, ours)
