"""Sync for a fleet: N clones (half with an auto-syncing daemon) race create + update +
`bd sync` on one bare remote (bd_trio/devtools/fleet.py), then all sync until they hold the
same issues.jsonl. Reports per N: syncs that failed (goal 0), exchanges with the remote per
successful sync, rejected pushes, how long a sync took (p50, max), how long until every clone
held identical files, and whether every issue is present exactly once everywhere."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bd_trio.devtools.fleet import Fleet


def _daemon_sync_status(fleet: Fleet) -> dict[str, Any]:
    """The daemons' own automatic syncs: summed attempts and rejections, the intervals."""
    attempts = rejections = syncs = 0
    intervals = []
    for path in fleet.clones[: fleet.daemons]:
        done = subprocess.run(
            [sys.executable, "-m", "bd_trio", "daemon", "status", "--json"],
            cwd=path, capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            continue
        sync = json.loads(done.stdout).get("sync", {})
        attempts += int(sync.get("attempts", 0))
        rejections += int(sync.get("rejections", 0))
        syncs += int(sync.get("syncs", 0))
        if sync.get("interval_s") is not None:
            intervals.append(float(sync["interval_s"]))
    return {
        "auto_syncs": syncs,
        "auto_attempts": attempts,
        "auto_rejections": rejections,
        "max_interval_s": max(intervals, default=None),
    }


def fleet_race(base: Path, n: int, rounds: int, id_mode: str = "sequential") -> dict[str, Any]:
    fleet = Fleet.create(base, n, daemons=n // 2, id_mode=id_mode)
    try:
        started = time.perf_counter()
        results = fleet.race(rounds)
        race_s = time.perf_counter() - started
        daemons = _daemon_sync_status(fleet)
        converge_s, passes, final = fleet.converge()
        check = fleet.check(rounds)
    finally:
        fleet.stop()
    ok = [r for r in results if r["ok"]]
    seconds = sorted(r["seconds"] for r in results)
    row = {
        "clones": n,
        "daemons": n // 2,
        "ids": id_mode,
        "syncs": len(results),
        "failed": len(results) - len(ok),
        "failed_final": sum(not r["ok"] for r in final),
        "attempts_per_sync": round(sum(r["attempts"] for r in ok) / len(ok), 2) if ok else None,
        "rejected": sum(r["rejected"] for r in ok),
        "sync_p50_s": round(statistics.median(seconds), 2),
        "sync_max_s": round(seconds[-1], 2),
        "race_s": round(race_s, 1),
        "identical_after_s": round(race_s + converge_s, 1),
        "converge_s": round(converge_s, 1),
        "converge_passes": passes,
        "identical": fleet.identical(),
        "exactly_once": check["exactly_once"],
        "issues": check["issues"],
        **daemons,
        "errors": sorted({r["error"].splitlines()[-1][:200] for r in results if not r["ok"]})[:3],
    }
    print(
        f"  {n} clones ({id_mode} ids): {row['failed']} of {row['syncs']} syncs failed, "
        f"{row['attempts_per_sync']} attempts per sync, sync p50 {row['sync_p50_s']} s, max "
        f"{row['sync_max_s']} s, identical after {row['identical_after_s']} s "
        f"({passes} passes), exactly once: {row['exactly_once']}"
        + "".join(f"\n    failed: {error}" for error in row["errors"]),
        flush=True,
    )
    return row


def fleet_scale(
    base: Path, sizes: list[int], rounds: int, hash_sizes: list[int] | None = None
) -> list[dict[str, Any]]:
    """Sequential ids at every size (collisions: a sync renumbers the issues others took the
    number of), and hash ids (no collisions) at `hash_sizes`."""
    rows = [fleet_race(base / f"n{n}", n, rounds) for n in sizes]
    rows += [fleet_race(base / f"h{n}", n, rounds, "hash") for n in hash_sizes or []]
    return rows
