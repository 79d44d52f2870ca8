"""The progress bar, seen in a real terminal: `script` gives `bd` a pseudo-terminal, as a
person's shell would. Not on a pipe, never with --json."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import run_bd_process, subprocess_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux `script`"),
]
ISSUES = 20_000  # an import of this many takes well over the bar's half second


def big_jsonl(path: Path) -> Path:
    records = (
        {
            "id": f"bd-{n}",
            "title": f"imported {n}",
            "description": "",
            "status": "open",
            "priority": n % 5,
            "issue_type": "task",
            "created_at": "2026-01-01T00:00:00.000000Z",
            "updated_at": "2026-01-01T00:00:00.000000Z",
            "labels": [],
        }
        for n in range(1, ISSUES + 1)
    )
    path.write_text("".join(json.dumps(r) + "\n" for r in records))
    return path


def in_terminal(cwd: Path, *args: str) -> str:
    """Run `python -m bd_trio ARGS` under `script` (a pty); everything the terminal shows."""
    command = shlex.join([sys.executable, "-m", "bd_trio", *args])
    proc = subprocess.run(
        ["script", "-qfec", command, "/dev/null"],
        cwd=cwd,
        env=subprocess_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


@pytest.mark.parametrize("mode", ["direct", "daemon"])
def test_import_shows_a_bar_in_a_terminal_only(tmp_path: Path, mode: str) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    run_bd_process(repo, "init", "--prefix", "bd", "-q").ok()
    data = big_jsonl(tmp_path / "big.jsonl")
    extra = ["--no-daemon"] if mode == "direct" else []
    if mode == "daemon":
        run_bd_process(repo, "daemon", "start").ok()
    try:
        shown = in_terminal(repo, "import", "-i", str(data), *extra)
        assert "import [" in shown and "%" in shown and f"/{ISSUES}" in shown, shown[-500:]
        assert f"Import complete: 0 created, 0 updated, {ISSUES} unchanged" in shown or (
            f"Import complete: {ISSUES} created" in shown
        )
        # The same through a pipe (not a terminal): no bar.
        piped = run_bd_process(repo, "import", "-i", str(data), *extra)
        assert piped.exit_code == 0 and "import [" not in piped.stderr
        # --json in a terminal: no bar either.
        quiet = in_terminal(repo, "import", "-i", str(data), "--json", *extra)
        assert "import [" not in quiet
    finally:
        if mode == "daemon":
            run_bd_process(repo, "daemon", "stop").ok()
