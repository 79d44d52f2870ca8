"""Two real clones (bd as real processes, a bare git remote) syncing a file written by Go bd
and its peers: unknown keys, statuses, types and records travel and survive edits on both
sides; untouched lines stay byte for byte what the other tool wrote."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from realshapes import SHAPES
from test_sync import assert_converged, clone, git, remote

pytestmark = pytest.mark.slow
__all__ = ["remote"]  # the fixture, used by name

LINES = list(SHAPES.values())


def test_two_clones_sync_a_file_with_unknown_fields_and_statuses(remote: Path) -> None:
    a, b = clone(remote, "a"), clone(remote, "b")
    a.sync()
    # a teammate's Go bd wrote this file; it arrives in a's clone through git
    (a.path / ".beads" / "issues.jsonl").write_text("".join(x + "\n" for x in LINES))
    git(a.path, "add", ".beads/issues.jsonl")
    git(a.path, "commit", "-q", "-m", "issues from Go bd")
    a.sync()
    b.sync()
    assert {i["id"] for i in b.issues()} >= {"bd-a3f8", "bd-wisp-x1y", "proj.sub-12"}
    b.bd("update", "proj.sub-12", "--notes", "b was here")
    a.bd("update", "bd-wisp-x1y", "-p", "1")
    a.bd("label", "add", "proj.sub-12", "from-a")
    b.sync()
    a.sync()
    b.sync()
    assert_converged(a, b)
    lines = a.jsonl().decode().splitlines()
    changed = {"proj.sub-12", "bd-wisp-x1y"}
    untouched = [x for x in LINES if not any(f'"{i}"' in x for i in changed)]
    for line in untouched:
        assert line in lines  # byte for byte what Go bd wrote
    records = {json.loads(x).get("id"): json.loads(x) for x in lines}
    spaced = records["proj.sub-12"]
    assert spaced["notes"] == "b was here" and spaced["labels"] == ["from-a"]
    assert spaced["parent"] == "proj.sub-1" and spaced["agent_state"] == "idle"
    wisp = records["bd-wisp-x1y"]
    assert wisp["priority"] == 1 and wisp["status"] == "review"
    assert wisp["issue_type"] == "merge-request" and wisp["wisp_type"] == "patrol"
    assert wisp["ephemeral"] is True
    assert SHAPES["memory"] in lines and SHAPES["unknown-object"] in lines
