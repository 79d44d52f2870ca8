"""Upstream's `metadata` (a JSON object) and `ephemeral` (a flag): stored, shown in JSON,
exported and read back, on both backends."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bd_trio.errors import BdError
from bd_trio.sync import jsonl
from conftest import BdRunner

LINE = (
    '{"id":"bd-1","title":"with metadata","description":"","status":"open","priority":2,'
    '"issue_type":"task","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z",'
    '"metadata":{"tool":"x","files":["a.py"],"n":{"deep":true}},"ephemeral":true}\n'
)


def test_metadata_and_ephemeral_survive_import_show_export(
    bd: BdRunner, repo: Path, tmp_path: Path
) -> None:
    source = tmp_path / "in.jsonl"
    plain_line = LINE.replace("bd-1", "bd-2").split(',"metadata"')[0] + "}\n"
    source.write_text(LINE + plain_line)
    bd("import", "-i", str(source)).ok()
    shown = bd("show", "bd-1", "--json").ok().json()[0]
    assert shown["metadata"] == {"tool": "x", "files": ["a.py"], "n": {"deep": True}}
    assert shown["ephemeral"] is True
    plain = bd("show", "bd-2", "--json").ok().json()[0]
    assert "metadata" not in plain and "ephemeral" not in plain  # omitted when empty, as upstream
    out = tmp_path / "out.jsonl"
    bd("export", "-o", str(out)).ok()
    records = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert records["bd-1"]["metadata"] == shown["metadata"]
    assert list(records["bd-1"]["metadata"]) == ["tool", "files", "n"]  # key order kept
    assert records["bd-1"]["ephemeral"] is True
    assert "metadata" not in records["bd-2"] and "ephemeral" not in records["bd-2"]


@pytest.mark.parametrize(
    ("replace", "words"),
    [
        ('"metadata":["x"]', "field 'metadata' must be an object, got an array"),
        ('"metadata":"{}"', "field 'metadata' must be an object, got a string"),
        ('"ephemeral":1', "field 'ephemeral' must be true or false, got a number"),
    ],
)
def test_wrong_types_are_named(replace: str, words: str) -> None:
    line = LINE.replace('"ephemeral":true', replace)
    with pytest.raises(BdError) as info:
        jsonl.parse(line)
    assert words in info.value.message
    assert "line 1" in info.value.message
