"""Several direct-mode processes writing to one repository at once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bd_trio.store import Store
from conftest import run_bd_process, subprocess_env

WORKER = """
import subprocess, sys
failures = 0
for i in range(int(sys.argv[2])):
    proc = subprocess.run(
        [sys.executable, "-m", "bd_trio", "create", f"w{sys.argv[1]}-{i}", "--no-daemon", "--json"],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        failures += 1
        sys.stderr.write(proc.stderr)
print(failures)
"""


@pytest.mark.slow
def test_eight_processes_fifty_creates_each(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    run_bd_process(root, "init", "--prefix", "bd", "-q").ok()
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(n), "50"],
            cwd=root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=subprocess_env(),
        )
        for n in range(8)
    ]
    outputs = [w.communicate(timeout=600) for w in workers]
    stderr = "".join(err for _, err in outputs)
    assert "locked" not in stderr
    assert [int(out.strip()) for out, _ in outputs] == [0] * 8, stderr
    store = Store(root / ".beads" / "beads.db")
    try:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM issues")]
        titles = {r[0] for r in store.conn.execute("SELECT title FROM issues")}
        counter = store.conn.execute("SELECT last_id FROM issue_counters").fetchone()[0]
    finally:
        store.close()
    assert len(ids) == 400 and len(set(ids)) == 400
    assert titles == {f"w{n}-{i}" for n in range(8) for i in range(50)}
    assert sorted(int(i.split("-")[1]) for i in ids) == list(range(1, 401))
    assert counter == 400
    # Every process flushed under the write lock: the file holds all 400 issues.
    lines = (root / ".beads" / "issues.jsonl").read_text().splitlines()
    assert len(lines) == 400
