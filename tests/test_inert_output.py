"""Text from data never drives the terminal: every command with human output, run against
issues whose every field holds terminal control sequences (retitle the window, clear the
screen, write the clipboard, C1 CSI, DEL, CR), prints them as visible escapes; no raw ESC, BEL
or C1 reaches stdout or stderr. `--json` keeps the exact text. Both backends, both parsers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bd_trio.cli.declare import Group
from bd_trio.cli.output import ESC_MARK
from bd_trio.cli.table import COMMANDS
from bd_trio.terminal import inert
from conftest import BdRunner

# OSC 0 (window title), ED (clear screen), OSC 52 (clipboard), C1 CSI, DEL, CR.
EVIL = "\x1b]0;pwned\x07\x1b[2J\x1b]52;c;ZXZpbA==\x07\x9b31m\x7f\rX"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")

# Commands left out, with why: they print no text that comes from data.
NOT_DATA = {
    "init": "the prefix is validated (letters, digits, . _ -)",
    "daemon start": "starts a process; prints its pid and socket",
    "daemon stop": "prints a pid",
    "daemon restart": "starts a process; prints its pid and socket",
}


def script(tmp: Path) -> list[tuple[str, list[str], str | None]]:
    """(command words, argv, stdin) in an order that builds on itself."""
    plan = tmp / "plan.md"
    plan.write_text(f"# Plan {EVIL}\n\n## Step {EVIL}\n\nbody {EVIL}\n")
    comment = tmp / "comment.txt"
    comment.write_text(f"from a file {EVIL}")
    incoming = tmp / "incoming.jsonl"
    record = {
        "id": "bd-50",
        "title": f"imported {EVIL}",
        "created_at": "2026-01-01T00:00:00Z",
        "labels": ["imp\x1b[1m"],
    }
    incoming.write_text(json.dumps(record) + "\n")
    batch = json.dumps([{"op": "create", "args": {"title": f"batched {EVIL}"}}])
    versions = []
    for name in ("base", "ours", "theirs"):  # a version git hands the merge driver: bad ids
        version = tmp / f"{name}.jsonl"
        version.write_text(json.dumps({"id": f"bd-1{EVIL}", "title": name}) + "\n")
        versions.append(str(version))
    return [
        (
            "create",
            [
                "create",
                f"one {EVIL}",
                "-d",
                EVIL,
                "--design",
                EVIL,
                "--acceptance",
                EVIL,
                "--notes",
                EVIL,
                "-a",
                f"who{EVIL}",
                "-l",
                "lab\x1b[1m\x9b",
                "--external-ref",
                EVIL,
                "--actor",
                f"actor{EVIL}",
            ],
            None,
        ),
        ("create", ["create", f"two {EVIL}", "--deps", "bd-1"], None),
        ("create", ["create", "-f", str(plan)], None),
        ("show", ["show", "bd-1", "bd-2"], None),
        ("update", ["update", "bd-1", "--notes", f"more {EVIL}"], None),
        ("update", ["update", "bd-1", "--claim", "--actor", f"who{EVIL}"], None),
        ("heartbeat", ["heartbeat", "bd-1", "--actor", f"who{EVIL}"], None),
        ("show", ["show", "bd-1"], None),
        ("close", ["close", "bd-2", "-r", f"done {EVIL}"], None),
        ("reopen", ["reopen", "bd-2", "-r", f"again {EVIL}"], None),
        ("list", ["list"], None),
        ("list", ["list", "--title", "one"], None),
        ("ready", ["ready"], None),
        ("search", ["search", "one"], None),
        ("blocked", ["blocked"], None),
        ("stats", ["stats"], None),
        ("stale", ["stale"], None),
        ("dep add", ["dep", "add", "bd-3", "bd-1"], None),
        ("dep tree", ["dep", "tree", "bd-2"], None),
        ("dep cycles", ["dep", "cycles"], None),
        ("dep remove", ["dep", "remove", "bd-3", "bd-1"], None),
        ("label add", ["label", "add", "bd-1", "new\x1b]0;x\x07"], None),
        ("label remove", ["label", "remove", "bd-1", "new\x1b]0;x\x07"], None),
        ("label list", ["label", "list", "bd-1"], None),
        ("label list-all", ["label", "list-all"], None),
        ("comments", ["comments", "add", "bd-1", f"said {EVIL}", "--actor", f"c{EVIL}"], None),
        ("comments", ["comments", "bd-1"], None),
        ("comment", ["comment", "bd-1", "-f", str(comment)], None),
        ("note", ["note", "bd-1", f"noted {EVIL}"], None),
        ("import", ["import", "-i", str(incoming)], None),
        ("import", ["import", "--dry-run"], json.dumps({**record, "id": "bd-1"}) + "\n"),
        ("batch", ["batch"], batch),
        ("export", ["export", "-o", str(tmp / "out.jsonl")], None),
        ("export", ["export"], None),
        ("prime", ["prime", "--actor", f"who{EVIL}"], None),
        ("delete", ["delete", "bd-50", "--force"], None),
        ("create", ["create", f"epic {EVIL}", "-t", "epic"], None),
        ("epic status", ["epic", "status"], None),
        ("epic close-eligible", ["epic", "close-eligible", "--dry-run"], None),
        ("list", ["list", "-v"], None),  # --verbose: debug lines on stderr
        ("sync", ["sync"], None),  # not a git repository: an error naming the directory
        ("merge-driver", ["merge-driver", *versions], None),
        ("daemon status", ["daemon", "status"], None),
        ("version", ["version"], None),
        ("quickstart", ["quickstart"], None),
        ("info", ["info"], None),
        ("migrate", ["migrate"], None),
        ("repair-deps", ["repair-deps"], None),
        ("doctor", ["doctor"], None),
        # errors that quote the command line
        ("show", ["show", f"bd-1{EVIL}"], None),
        ("update", ["update", "bd-1", "--status", EVIL], None),
        ("list", ["list", f"--bogus{EVIL}"], None),
        ("usage", [f"nope{EVIL}"], None),
    ]


def table_commands() -> set[str]:
    words = set()
    for entry in COMMANDS:
        if isinstance(entry, Group):
            words.update(f"{entry.name} {c.name}" for c in entry.commands)
        else:
            words.add(entry.name)
    return words


def test_every_command_is_in_the_script(tmp_path: Path) -> None:
    """A new command gets a line in `script` (or a reason in NOT_DATA)."""
    covered = {words for words, _, _ in script(tmp_path)} | set(NOT_DATA)
    assert table_commands() - covered == set()


def test_no_control_character_from_data_reaches_the_terminal(bd: BdRunner, tmp_path: Path) -> None:
    for words, argv, stdin in script(tmp_path):
        run = bd(*argv, input=stdin)
        where = f"bd {' '.join(argv)!r} ({words}) exit {run.exit_code}"
        assert "Traceback" not in run.stderr, where + run.stderr
        if argv == ["export"]:
            # The JSONL format itself (byte for byte what the file holds): JSON escapes C0.
            assert not re.search("[\x00-\x09\x0b-\x1f]", run.stdout), where
        else:
            assert not RAW.search(run.stdout), (where, run.stdout)
        assert not RAW.search(run.stderr), (where, run.stderr)
    shown = bd("show", "bd-1").ok().stdout
    assert "one \\x1b]0;pwned\\x07\\x1b[2J\\x1b]52;c;ZXZpbA==\\x07\\x9b31m\\x7f\\x0dX" in shown


def test_json_keeps_the_exact_text(bd: BdRunner) -> None:
    created = bd("create", f"one {EVIL}", "-l", "lab\x9b", "--json").ok()
    assert not RAW.search(created.stdout)  # JSON escapes every control character
    issue = created.json()
    assert issue["title"] == f"one {EVIL}"
    assert issue["labels"] == ["lab\x9b"]
    shown = bd("show", issue["id"], "--json").ok().json()[0]
    assert shown["title"] == f"one {EVIL}"


def test_inert_escapes_only_control_characters() -> None:
    assert inert("a\tb\nc") == "a\tb\nc"
    assert inert("\x1b[2J\x07\x7f\x9b\x00é€") == "\\x1b[2J\\x07\\x7f\\x9b\\x00é€"


def test_our_own_colours_survive_and_cannot_be_forged(monkeypatch: pytest.MonkeyPatch) -> None:
    from bd_trio.cli import output

    monkeypatch.setattr(output, "use_color", lambda: True)
    text = output.style("bd-1", "1") + " \x1b[31mforged"
    assert output._terminal_safe(text) == "\x1b[1mbd-1\x1b[0m \\x1b[31mforged"
    assert ESC_MARK not in inert(EVIL)


def test_the_daemon_log_is_inert(tmp_path: Path) -> None:
    from bd_trio.daemon import logs

    log = logs.setup(tmp_path / "daemon.log")
    try:
        log.warning("issues.jsonl refused: %s", EVIL)
    finally:
        for handler in list(log.handlers):
            log.removeHandler(handler)
            handler.close()
    text = (tmp_path / "daemon.log").read_text()
    assert not RAW.search(text) and "\\x1b]0;pwned" in text
