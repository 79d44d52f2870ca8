"""The JSONL file stays byte-identical to a full export, whichever way it was written."""

from __future__ import annotations

import contextlib
import random
from pathlib import Path

import pytest

from bd_trio.backend.direct import DirectBackend
from bd_trio.errors import BdError
from bd_trio.sync import files, jsonl
from bd_trio.workspace import create


@pytest.mark.parametrize("merge_limit", [0, 3, 5000])
def test_incremental_flushes_equal_a_full_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, merge_limit: int
) -> None:
    monkeypatch.setattr(files, "MERGE_LIMIT", merge_limit)
    monkeypatch.setattr(files, "EXPORT_CHUNK", 4)  # many chunks even for a small file
    workspace = create(tmp_path, "bd", "sequential")
    rng = random.Random(merge_limit)
    ids: list[str] = []
    for step in range(40):
        backend = DirectBackend(workspace, actor="t")
        try:
            for _ in range(rng.randint(1, 6)):
                action = rng.random()
                if action < 0.5 or not ids:
                    ids.append(backend.call("create", {"title": f"t{step}"})["id"])
                elif action < 0.8:
                    backend.call("update", {"id": rng.choice(ids), "notes": f"n{step}"})
                else:
                    # A self-dependency, duplicate or cycle is refused and writes nothing.
                    with contextlib.suppress(BdError):
                        backend.call(
                            "dep_add",
                            {"issue_id": rng.choice(ids), "depends_on_id": rng.choice(ids)},
                        )
            expected = jsonl.encode(backend.call("export", {}))
        finally:
            backend.close()
        assert workspace.jsonl_path.read_bytes() == expected, f"step {step}"
