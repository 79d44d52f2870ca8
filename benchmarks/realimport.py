"""Importing real-shaped issues.jsonl files (issue 15): a file like the largest real one
(about 2,300 issues, 2 MB, written by Go bd and its peers: every id shape, upstream statuses
and types, unknown keys, offsets, `_type` lines) and a synthetic 100,000-issue file of the
same shapes. Each is imported by a whole `bd import` process (direct mode) into a fresh
workspace, then exported by `bd export`; the export must give the file back byte for byte.

Side by side in one run, the same issues cut down to bd 0.12's classic record (its keys,
statuses and types only, compact, no `_type` lines) are imported too: the ratio is what
keeping every key, value and line costs over the classic record."""

from __future__ import annotations

import json
import os
import random
import subprocess
import time
from pathlib import Path
from typing import Any

from harness import bd_command

_STATUSES = (
    ["open"] * 6 + ["closed"] * 8 + ["in_progress", "hooked", "deferred", "pinned", "review"]
)
_TYPES = ["task"] * 6 + ["bug", "feature", "epic", "chore", "agent", "molecule", "merge-request"]
_WORDS = ["the", "issue", "agent", "merge", "sync", "daemon", "export", "import", "fix", "line"]


def _stamp(rng: random.Random, i: int) -> str:
    base = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}"
    style = rng.random()
    if style < 0.4:
        return f"{base}.{rng.randrange(10**9):09d}Z"
    if style < 0.7:
        return f"{base}.{rng.randrange(10**6):06d}-07:00"
    return f"{base}Z"


def real_shaped_lines(n: int, description_words: int, seed: int = 15) -> list[str]:
    """n issues in the shapes real files hold, plus a few `_type` memory lines."""
    rng = random.Random(seed)
    lines = []
    parents: list[str] = []
    for i in range(1, n + 1):
        if parents and rng.random() < 0.25:
            issue_id = f"{rng.choice(parents)}.{i}"
        else:
            issue_id = f"bd-{i:x}{rng.choice('abcdefghjk')}"
            parents.append(issue_id)
        status = rng.choice(_STATUSES)
        created = _stamp(rng, i)
        record: dict[str, Any] = {}
        if i % 3 == 0:
            record["_type"] = "issue"
        record["id"] = issue_id
        record["title"] = " ".join(rng.choices(_WORDS, k=6)) + " <x> & y"
        record["description"] = " ".join(rng.choices(_WORDS, k=description_words))
        record["status"] = status
        record["priority"] = rng.randint(0, 4)
        record["issue_type"] = rng.choice(_TYPES)
        if i % 4 == 0:
            record["assignee"] = "agent-" + str(i % 9)
        if i % 5 == 0:
            record["owner"] = "dev@example.com"
        record["created_at"] = created
        record["created_by"] = "dev"
        record["updated_at"] = created
        if status == "closed":
            record["closed_at"] = created
            record["close_reason"] = "Closed"
        if i % 7 == 0:
            record["metadata"] = {"files": ["a.go", "b.go"], "score": i % 10}
        if i % 2 == 0:
            record["labels"] = sorted(rng.sample(["backend", "ui", "sync", "p0"], 2))
        if issue_id.count(".") and rng.random() < 0.8:
            parent = issue_id.rsplit(".", 1)[0]
            record["dependencies"] = [
                {
                    "issue_id": issue_id,
                    "depends_on_id": parent,
                    "type": "parent-child",
                    "created_at": created,
                    "created_by": "dev",
                }
            ]
        if i % 3 == 0:
            record["dependency_count"] = len(record.get("dependencies", []))
            record["dependent_count"] = 0
            record["comment_count"] = 0
        if i % 11 == 0:
            record["source_repo"] = "."
            record["content_hash"] = f"{rng.getrandbits(128):032x}"
        lines.append(
            json.dumps(record, separators=(",", ":"))
            .replace("<", "\\u003c")
            .replace(">", "\\u003e")
            .replace("&", "\\u0026")
        )
    lines.sort(key=lambda line: json.loads(line)["id"])
    lines += [
        json.dumps({"_type": "memory", "key": f"note-{k}", "value": "remember"}) for k in range(3)
    ]
    return lines


_CLASSIC = (
    "id",
    "title",
    "description",
    "status",
    "priority",
    "issue_type",
    "assignee",
    "created_at",
    "updated_at",
    "closed_at",
    "labels",
    "dependencies",
)


def classic_lines(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        record = json.loads(line)
        if record.get("_type", "issue") != "issue":
            continue
        plain = {k: record[k] for k in _CLASSIC if k in record}
        if plain["status"] not in ("open", "closed", "in_progress", "blocked"):
            plain["status"] = "open"
        if plain["issue_type"] not in ("bug", "feature", "task", "epic", "chore"):
            plain["issue_type"] = "task"
        out.append(json.dumps(plain, ensure_ascii=False, separators=(",", ":")))
    return out


def _run(cwd: Path, *args: str) -> float:
    env = {**os.environ, "BD_ACTOR": "bench", "BD_NO_DAEMON": "1"}
    start = time.perf_counter()
    proc = subprocess.run(bd_command(*args), cwd=cwd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"bd {' '.join(args)} failed: {proc.stderr.strip()}")
    return time.perf_counter() - start


def _import(base: Path, name: str, text: str) -> tuple[float, float, bytes]:
    directory = base / name
    directory.mkdir(parents=True)
    _run(directory, "init", "--prefix", "bd", "-q")
    source = base / f"{name}.jsonl"
    source.write_text(text)
    seconds = _run(directory, "import", "-i", str(source), "--no-auto-flush")
    out = base / f"{name}.out.jsonl"
    export_s = _run(directory, "export", "-o", str(out))
    return seconds, export_s, out.read_bytes()


def one_size(base: Path, label: str, n: int, words: int) -> dict[str, Any]:
    lines = real_shaped_lines(n, words)
    text = "".join(line + "\n" for line in lines)
    real_s, export_s, exported = _import(base, f"{label}-real", text)
    # the same issues as bd 0.12's classic records, imported side by side
    plain_text = "".join(line + "\n" for line in classic_lines(lines))
    plain_s, _, _ = _import(base, f"{label}-classic", plain_text)
    identical = sum(
        1 for a, b in zip(text.splitlines(), exported.decode().splitlines(), strict=False) if a == b
    )
    return {
        "file": label,
        "issues": n,
        "bytes": len(text.encode()),
        "import_s": round(real_s, 3),
        "export_s": round(export_s, 3),
        "classic_import_s": round(plain_s, 3),
        "ratio_real_over_classic": round(real_s / plain_s, 2) if plain_s else None,
        "byte_identical_lines": identical,
        "lines": len(lines),
    }


def real_import(base: Path, quick: bool) -> list[dict[str, Any]]:
    base.mkdir(parents=True, exist_ok=True)
    largest = one_size(base, "largest real-shaped", 300 if quick else 2_300, 110)
    synthetic = one_size(base, "synthetic", 2_000 if quick else 100_000, 12)
    return [largest, synthetic]


if __name__ == "__main__":
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for row in real_import(Path(tmp), "--quick" in sys.argv):
            print(row)
