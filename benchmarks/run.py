"""`nox -s bench`: every benchmark, the targets, and the results under benchmarks/results/.

python benchmarks/run.py            # full run (about 10 minutes here)
python benchmarks/run.py --quick    # seconds: checks that the benchmarks still work
"""

from __future__ import annotations

import argparse
import datetime
import json
import operator
import os
import platform
import sqlite3
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pytest  # noqa: E402

from bigreads import big_reads  # noqa: E402
from claims import claim_throughput  # noqa: E402
from cli_latency import cli_latency  # noqa: E402
from fairness import fairness  # noqa: E402
from fleetbench import fleet_scale  # noqa: E402
from floor import against_floor  # noqa: E402
from realimport import real_import  # noqa: E402
from report import fmt, write  # noqa: E402
from scale import scale  # noqa: E402
from sweep import ping_under_load, sweep  # noqa: E402
from syncbench import sync_at_scale  # noqa: E402
from waiting import waiting  # noqa: E402

OPERATIONS = {
    "test_create": "create",
    "test_update": "update",
    "test_show": "show",
    "test_list": "list (1k issues)",
    "test_ready": "ready (1k issues)",
    "test_ping": "ping",
}


def machine() -> dict[str, Any]:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
    }


def micro(quick: bool, work: Path) -> list[dict[str, Any]]:
    out = work / "micro.json"
    args = [
        str(HERE / "test_micro.py"),
        "-q",
        "-p",
        "no:cacheprovider",
        "--benchmark-only",
        f"--benchmark-json={out}",
        "--benchmark-columns=median,rounds",
        "--benchmark-sort=name",
        f"--basetemp={work / 'pytest'}",
    ]
    if quick:
        args += ["--benchmark-min-rounds=3", "--benchmark-max-time=0.02", "--benchmark-warmup=off"]
    else:
        args += ["--benchmark-min-rounds=50", "--benchmark-max-time=1.0"]
    if pytest.main(args) not in (0, 5):
        raise SystemExit("micro-benchmarks failed")
    data = json.loads(out.read_text())
    medians: dict[str, dict[str, float]] = {}
    for bench in data["benchmarks"]:
        name, _, mode = bench["name"].partition("[")
        medians.setdefault(name, {})[mode.rstrip("]")] = bench["stats"]["median"] * 1000
    rows = []
    for test, label in OPERATIONS.items():
        direct = medians.get(test, {}).get("direct")
        through = medians.get(test, {}).get("daemon")
        rows.append(
            {
                "operation": label,
                "direct_ms": round(direct, 4) if direct is not None else None,
                "daemon_ms": round(through, 4) if through is not None else None,
                "ratio": round(direct / through, 2) if direct and through else None,
            }
        )
    return rows


BLOCKED_TARGET_SIZE = 50_000

_COMPARISONS = {"<": operator.lt, "<=": operator.le, ">=": operator.ge}


def target(
    name: str,
    measured: float | None,
    comparison: str,
    bound: float,
    unit: str = "",
    also: tuple[str, bool] | None = None,
) -> dict[str, Any]:
    """A target stated once: the goal's text and whether it is met both come from
    `comparison` and `bound` (and `also`, a further condition with its text). Nothing
    measured is not met."""
    goal = f"{comparison} {bound:,g}{unit}"
    met = measured is not None and _COMPARISONS[comparison](measured, bound)
    if also is not None:
        goal += f", {also[0]}"
        met = met and also[1]
    return {"name": name, "measured": fmt(measured, unit), "goal": goal, "met": met}


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    sweep_rows = {(r["mode"], r["agents"]): r for r in results["sweep"]}
    daemon8, direct8 = sweep_rows.get(("daemon", 8)), sweep_rows.get(("direct", 8))
    micro_rows = {r["operation"]: r for r in results["micro"]}
    cli = {r["pair"]: r for r in results["cli"]["pairs"]}
    big = max(r["size"] for r in results["scale"])
    at_big = {r["query"]: r for r in results["scale"] if r["size"] == big}
    # `blocked` is judged at 50,000 issues (the largest size up to that in a quick run).
    mid = max(r["size"] for r in results["scale"] if r["size"] <= BLOCKED_TARGET_SIZE)
    at_mid = {r["query"]: r for r in results["scale"] if r["size"] == mid}
    show = micro_rows["show"]
    show_ratio = (
        show["daemon_ms"] / show["direct_ms"] if show["daemon_ms"] and show["direct_ms"] else None
    )
    ratio = daemon8["ops_per_s"] / direct8["ops_per_s"] if daemon8 and direct8 else None
    ready_floor = cli["bd ready --json (daemon) / minimal client"]
    show_floor = cli["bd show ID --json (daemon) / minimal client"]
    direct_ready = cli["bd ready --json: direct / daemon"]
    rss_steady = max(r["daemon_rss_mb"] for r in at_big.values() if r["query"] != "blocked")
    floor = results["floor"]
    big_reads_row = results["big_reads"]
    chunked = results["fairness"][0]
    synced = results["sync"]
    wake, waiters, feed = (results["waiting"][k] for k in ("wake", "waiters", "feed"))
    fleet = results["fleet"]
    biggest = max(fleet, key=lambda row: row["clones"])
    real = {row["file"]: row for row in results.get("real_import", [])}
    synthetic = real.get("synthetic")
    return [
        target(
            "wake-up p50: a create's reply -> the waiting agent's answer (daemon)",
            wake["p50_ms"],
            "<=",
            5,
            " ms",
        ),
        target("wake-up p99 (same)", wake["p99_ms"], "<=", 20, " ms"),
        target(
            f"{waiters['waiters']} waiters and a producer of {waiters['issues']:,} issues: "
            "requests answered empty while work was coming (polling)",
            waiters["polling_requests"],
            "<=",
            0,
            also=(
                "each issue claimed exactly once",
                waiters["claimed"] == waiters["issues"] and waiters["claimed_twice"] == 0,
            ),
        ),
        target(
            f"daemon CPU while {waiters['waiters']} agents wait",
            waiters["idle_cpu_percent"],
            "<=",
            1,
            "% of a core",
        ),
        target(
            f"create throughput with {feed['subscribers']} watch subscribers / without "
            f"({feed['creates']} creates, 8 agents)",
            feed["ratio"],
            ">=",
            0.8,
            "x",
            also=("nothing lost or repeated", feed["lost"] == 0 and feed["repeated"] == 0),
        ),
        target(
            f"failed syncs, {biggest['clones']} clones ({biggest['daemons']} with daemons) "
            "racing create + update + sync on one remote",
            sum(
                row["failed"]
                for row in fleet
                if row["clones"] == biggest["clones"] and row["ids"] == "sequential"
            ),
            "<=",
            0,
            also=(
                "every issue exactly once in identical files",
                all(row["identical"] and row["exactly_once"] for row in fleet),
            ),
        ),
        target(
            f"`bd import` of a synthetic {synthetic['issues'] if synthetic else 0:,}-issue "
            "real-shaped file (whole process), every line written back byte for byte",
            synthetic and synthetic["import_s"],
            "<",
            10,
            " s",
            also=(
                "all lines byte-identical",
                synthetic is not None and synthetic["byte_identical_lines"] == synthetic["lines"],
            ),
        ),
        target(
            f"`bd sync` merging {synced['changed_per_side']} changes per side at "
            f"{synced['issues']:,} issues (whole process)",
            synced["merging_sync_s"],
            "<",
            2,
            " s",
        ),
        target(
            "others' single creates p99 while one agent runs a non-atomic batch "
            f"({'5,000' if results['mode'] == 'full' else '500'} operations)",
            chunked["singles"]["p99_ms"],
            "<=",
            50,
            " ms",
        ),
        target(
            "throughput / the floor of the design, raw-client agents (8 x 100 creates, "
            "alternating)",
            floor["raw"]["throughput_ratio"],
            ">=",
            0.8,
            "x",
        ),
        target(
            "daemon CPU per create / the floor's, raw-client agents",
            floor["raw"]["cpu_ratio"],
            "<=",
            1.3,
            "x",
        ),
        target(
            "throughput / the floor of the design, project-client agents",
            floor["client"]["throughput_ratio"],
            ">=",
            0.8,
            "x",
        ),
        target(
            "daemon CPU per create / the floor's, project-client agents",
            floor["client"]["cpu_ratio"],
            "<=",
            1.3,
            "x",
        ),
        target(
            f"ping p99 while `ready` and `blocked` run at {big_reads_row['issues']:,} issues",
            big_reads_row["ping"]["p99_ms"],
            "<=",
            5,
            " ms",
        ),
        target(
            f"create p99 while `ready` and `blocked` run at {big_reads_row['issues']:,} issues",
            big_reads_row["create"]["p99_ms"],
            "<=",
            20,
            " ms",
        ),
        target(
            f"stats at {big:,} issues",
            at_big["stats"]["daemon_p50_ms"],
            "<=",
            50,
            " ms",
        ),
        target(
            f"blocked at {mid:,} issues (answering {at_mid['blocked']['answer_size']:,})",
            at_mid["blocked"]["daemon_p50_ms"],
            "<=",
            300,
            " ms",
        ),
        target(
            "show through the daemon / in-process (direct, same process)",
            show_ratio,
            "<=",
            2,
            "x",
        ),
        target(
            "8 x 100 creates through the daemon",
            daemon8 and daemon8["ops_per_s"],
            ">=",
            5000,
            " ops/s",
        ),
        target(
            "daemon / direct throughput at 8 agents, zero errors",
            ratio,
            ">=",
            3,
            "x",
            also=("0 errors", daemon8 is not None and daemon8["errors"] == 0),
        ),
        target(
            "single-client create p50 (daemon)",
            micro_rows["create"]["daemon_ms"],
            "<=",
            0.4,
            " ms",
        ),
        target(
            "ping p50",
            micro_rows["ping"]["daemon_ms"],
            "<=",
            0.1,
            " ms",
        ),
        target(
            "ping p99 while 8 agents write",
            results["ping"]["under_load"]["p99_ms"],
            "<=",
            2,
            " ms",
        ),
        target(
            "`bd ready --json` through the daemon / minimal Python client (paired)",
            ready_floor["ratio"],
            "<=",
            1.15,
            "x",
        ),
        target(
            "`bd show ID --json` through the daemon / minimal Python client (paired)",
            show_floor["ratio"],
            "<=",
            1.15,
            "x",
        ),
        target(
            "`bd ready --json` direct mode / through the daemon (paired)",
            direct_ready["ratio"],
            "<=",
            1.3,
            "x",
        ),
        target(
            f"ready (limit 50) at {big:,} issues",
            at_big["ready (limit 50)"]["daemon_p50_ms"],
            "<=",
            50,
            " ms",
        ),
        target(
            f"list (limit 50) at {big:,} issues",
            at_big["list (limit 50)"]["daemon_p50_ms"],
            "<=",
            50,
            " ms",
        ),
        target(
            f"daemon RSS at {big:,} issues (after start, list, ready, show, tree, stats)",
            rss_steady,
            "<=",
            80,
            " MB",
        ),
        target(
            f"daemon RSS at {big:,} issues after `blocked` "
            f"(which answers {at_big['blocked']['answer_size']:,} issues)",
            at_big["blocked"]["daemon_rss_mb"],
            "<=",
            80,
            " MB",
        ),
    ]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="tiny sizes: seconds, for CI")
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    quick = args.quick
    output = args.output or (HERE / "results" / ("quick" if quick else ""))
    with tempfile.TemporaryDirectory(prefix="bd-bench-") as tmp:
        work = Path(tmp)
        print("micro-benchmarks ...", flush=True)
        results: dict[str, Any] = {
            "mode": "quick" if quick else "full",
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "micro": micro(quick, work),
        }
        print("concurrency sweep ...", flush=True)
        agents = [1, 8] if quick else [1, 2, 4, 8, 16, 32]
        results["sweep"] = sweep(work / "sweep", agents, 20 if quick else 100, 1 if quick else 5)
        print("ping under load ...", flush=True)
        results["ping"] = ping_under_load(work, 8, 20 if quick else 200)
        print("daemon against the floor of its design ...", flush=True)
        results["floor"] = against_floor(work / "floor", 8, 20 if quick else 100, 1 if quick else 5)
        print("big reads at scale ...", flush=True)
        results["big_reads"] = big_reads(work, 5_000 if quick else 50_000, 1.5 if quick else 8)
        print("fairness: single creates while a big batch runs ...", flush=True)
        results["fairness"] = fairness(work / "fairness", 500 if quick else 5000)
        print("bd sync at scale ...", flush=True)
        results["sync"] = sync_at_scale(
            work / "sync", 1_000 if quick else 10_000, 10 if quick else 100
        )
        print("a fleet of clones racing one remote ...", flush=True)
        results["fleet"] = fleet_scale(
            work / "fleet",
            [4] if quick else [4, 8, 16, 24],
            1 if quick else 3,
            hash_sizes=[] if quick else [24],
        )
        print("real-shaped imports ...", flush=True)
        results["real_import"] = real_import(work / "real_import", quick)
        print("claims ...", flush=True)
        results["claims"] = claim_throughput(
            work / "claims", 8, 160 if quick else 800, 1 if quick else 5
        )
        print("waiting for work and the feed ...", flush=True)
        results["waiting"] = waiting(work / "waiting", quick)
        print("CLI latency ...", flush=True)
        results["cli"] = cli_latency(work, 3 if quick else 20)
        print("scale ...", flush=True)
        results["scale"] = scale(
            work, [1000] if quick else [1000, 10_000, 50_000, 100_000], 3 if quick else 20
        )
    results["targets"] = targets(results)
    write(results, output)
    print()
    print((output / "latest.md").read_text())
    print(f"results: {output}/latest.json, latest.md, throughput.png, latency_vs_size.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
