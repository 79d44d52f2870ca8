"""The incremental JSONL export (only the dirty issues rebuilt, the rest copied as slices of
the file) writes exactly the bytes a full export writes, after any sequence of operations."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bd_trio.errors import BdError
from bd_trio.store import meta
from bd_trio.sync import files, jsonl, watch
from bd_trio.sync.records import build_records
from conftest import OpRunner


def full_export(ops: OpRunner) -> bytes:
    return jsonl.encode(build_records(ops.store.conn))


def random_step(ops: OpRunner, rng: random.Random, count: int) -> None:
    ids = [f"bd-{n}" for n in range(1, count + 1)]
    action = rng.choice(["create", "create", "update", "close", "label", "dep", "comment", "undep"])
    target = rng.choice(ids) if ids else None
    try:
        if action == "create" or target is None:
            explicit = rng.random() < 0.2
            ops(
                "create",
                title=f"t{rng.random():.6f}",
                **({"id": f"bd-{rng.randint(1, 400)}"} if explicit else {}),
            )
        elif action == "update":
            ops("update", id=target, notes=f"n{rng.random():.5f}", priority=rng.randint(0, 4))
        elif action == "close":
            ops("close", id=target)
        elif action == "label":
            ops("label_add", id=target, label=rng.choice(["a", "b", "c"]))
        elif action == "dep":
            ops("dep_add", issue_id=target, depends_on_id=rng.choice(ids))
        elif action == "undep":
            ops("dep_remove", issue_id=target, depends_on_id=rng.choice(ids))
        else:
            ops("comment_add", id=target, text="hello")
    except BdError:
        pass  # unknown ids, cycles, duplicates: part of the randomness


@pytest.mark.parametrize("seed", range(6))
def test_incremental_export_equals_a_full_export(ops: OpRunner, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    path = tmp_path / "issues.jsonl"
    merged_flushes = 0
    for _round in range(25):
        for _ in range(rng.randint(1, 12)):
            total = ops.count("issues")
            random_step(ops, rng, total)
        with ops.store.transaction() as conn:
            dirty = ops.count("dirty_issues")
            result = files.flush(conn, path)
        if result.written and result.issues == dirty and dirty < ops.count("issues"):
            merged_flushes += 1
        assert path.read_bytes() == full_export(ops)
    assert merged_flushes > 10  # the incremental path was taken, not only full rewrites


def test_a_file_that_is_not_ours_is_rewritten_whole(ops: OpRunner, tmp_path: Path) -> None:
    path = tmp_path / "issues.jsonl"
    for n in range(5):
        ops("create", title=f"t{n}")
    with ops.store.transaction() as conn:
        files.flush(conn, path)
    # Same content, keys reordered (a tool rewrote it): no longer id-first.
    lines = [line.replace('{"id":', '{"x":0,"id":') for line in path.read_text().splitlines()]
    path.write_text("\n".join(lines) + "\n")
    with ops.store.transaction() as conn:
        assert watch.file_changed(conn, path)
        # As if it had been imported (the same issues), so the export may overwrite it.
        meta.set_metadata(conn, watch.STAT_KEY, watch.stat_token(path) or "")
        meta.set_metadata(conn, watch.HASH_KEY, files.file_digest(path))
    ops("update", id="bd-3", notes="changed")
    with ops.store.transaction() as conn:
        result = files.flush(conn, path)
    assert result.issues == 5  # rewritten whole
    assert path.read_bytes() == full_export(ops)
