"""comments ID / comments add ID TEXT: the handler (declared in cli/table.py)."""

from __future__ import annotations

from pathlib import Path

from bd_trio.cli import globals as g
from bd_trio.cli import render
from bd_trio.cli.output import emit_json, fail, out
from bd_trio.cli.session import backend, call
from bd_trio.errors import BdError


def comments(args: list[str], file: Path | None = None, author: str | None = None) -> None:
    """List the comments of an issue, or add one (`comments add ID TEXT`)."""
    if args[0] == "add":
        _add(args[1:], file, author)
        return
    if len(args) != 1:
        fail(BdError("validation", "usage: bd comments ID  or  bd comments add ID TEXT"))
    with backend() as be:
        found = call(be, "comments", {"id": args[0]})
    if g.current.json:
        emit_json(found)
        return
    if not found:
        out(f"No comments on {args[0]}")
        return
    out(f"Comments on {args[0]} ({len(found)}):")
    for comment in found:
        for line in render.comment_lines(comment):
            out(line)


def _add(args: list[str], file: Path | None, author: str | None) -> None:
    if author is not None:  # the comment's author is the actor of this command (as bd)
        if not author.strip():
            fail(BdError("validation", "--author is empty: give a name, or leave it out"))
        g.current.actor = author
    if not args:
        fail(BdError("validation", "usage: bd comments add ID TEXT (or -f FILE)"))
    issue_id, words = args[0], args[1:]
    if file is not None:
        if words:
            fail(BdError("validation", "give the comment as TEXT or with -f FILE, not both"))
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            fail(BdError("not_found", f"cannot read {file}: {exc.strerror}"))
        except UnicodeDecodeError as exc:
            fail(BdError("validation", f"{file} is not UTF-8 text (byte {exc.start})"))
    else:
        text = " ".join(words)
    with backend() as be:
        comment = call(be, "comment_add", {"id": issue_id, "text": text})
    if g.current.json:
        emit_json(comment)
    else:
        out(f"Comment added to {issue_id}")


def comment(
    issue_id: str, text: list[str], file: Path | None = None, author: str | None = None
) -> None:
    """`bd comment ID TEXT` (the newer spelling of `bd comments add ID TEXT`)."""
    _add([issue_id, *(text or [])], file, author)  # typer gives None for no words


def note(issue_id: str, text: list[str]) -> None:
    """Append TEXT to the issue's notes."""
    with backend() as be:
        issue = call(be, "note_add", {"id": issue_id, "text": " ".join(text)})
    if g.current.json:
        emit_json(issue)
    else:
        out(f"Appended note to {issue_id}")
