"""Writing benchmark results: JSON, a Markdown report, PNG charts."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    if value >= 100:
        text = f"{value:,.0f}"
    elif value >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3f}".rstrip("0").rstrip(".") if value < 1 else f"{value:.2f}"
    return text + unit


def markdown(results: dict[str, Any]) -> str:
    lines = [f"# bd-trio benchmarks ({results['mode']})", ""]
    machine = results["machine"]
    lines.append(
        f"Machine: {machine['cpu']} ({machine['cores']} cores), {machine['memory']}, "
        f"{machine['os']}, Python {machine['python']}, SQLite {machine['sqlite']}; "
        f"{results['date']}. `synchronous=FULL` throughout."
    )
    lines += ["", "## Targets", "", "| target | measured | goal | met |", "|---|---|---|---|"]
    for t in results["targets"]:
        lines.append(
            f"| {t['name']} | {t['measured']} | {t['goal']} | {'yes' if t['met'] else '**no**'} |"
        )
    lines += [
        "",
        "## Operations (median per call; ratio = direct / daemon)",
        "",
        "| operation | direct | daemon | ratio |",
        "|---|---|---|---|",
    ]
    for row in results["micro"]:
        lines.append(
            f"| {row['operation']} | {fmt(row['direct_ms'], ' ms')} | "
            f"{fmt(row['daemon_ms'], ' ms')} | {fmt(row['ratio'], 'x')} |"
        )
    lines += [
        "",
        "## Concurrency: N agents x creates, each its own process and connection "
        f"(median of {len(results['sweep'][0].get('all_ops_per_s', [1]))} runs)",
        "",
        "| agents | mode | ops/s | p50 | p99 | errors |",
        "|---|---|---|---|---|---|",
    ]
    for row in results["sweep"]:
        lines.append(
            f"| {row['agents']} | {row['mode']} | {fmt(row['ops_per_s'])} | "
            f"{fmt(row['p50_ms'], ' ms')} | {fmt(row['p99_ms'], ' ms')} | "
            f"{row['errors']} |"
        )
    ping = results["ping"]
    lines += [
        "",
        f"Ping: idle p50 {fmt(ping['idle']['p50_ms'], ' ms')}, p99 "
        f"{fmt(ping['idle']['p99_ms'], ' ms')}; while {ping['writers']} agents write "
        f"({fmt(ping['writer_ops_per_s'])} creates/s): p50 "
        f"{fmt(ping['under_load']['p50_ms'], ' ms')}, p99 "
        f"{fmt(ping['under_load']['p99_ms'], ' ms')}, max {fmt(ping['max_ms'], ' ms')}.",
    ]
    floor = results["floor"]
    lines += [
        "",
        f"## The daemon against the floor of its design ({floor['agents']} agents x "
        f"{floor['creates_per_agent']} creates, median of {floor['repeats']} alternating runs)",
        "",
        "CPU per create in microseconds, split: event loop (main thread), writer (database "
        "thread, with the JSONL export), worker threads, reader processes.",
        "",
        "| agents | server | ops/s | p50 | p99 | CPU per create | loop | writer | worker threads "
        "| reader processes |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in ("client", "raw"):
        for side in ("daemon", "floor"):
            row = floor[kind][side]
            split = row["cpu_split_us"]
            lines.append(
                f"| {kind} | {side} | {fmt(row['ops_per_s'])} | {fmt(row['p50_ms'], ' ms')} | "
                f"{fmt(row['p99_ms'], ' ms')} | {fmt(row['cpu_us_per_create'], ' us')} | "
                f"{fmt(split['loop'])} | {fmt(split['writer'])} | "
                f"{fmt(split['worker_threads'])} | {fmt(split['reader_processes'])} |"
            )
    lines += [
        "",
        "Ratios daemon / floor: project-client agents throughput "
        f"{fmt(floor['client']['throughput_ratio'], 'x')}, CPU per create "
        f"{fmt(floor['client']['cpu_ratio'], 'x')}; raw-client agents throughput "
        f"{fmt(floor['raw']['throughput_ratio'], 'x')}, CPU per create "
        f"{fmt(floor['raw']['cpu_ratio'], 'x')}.",
    ]
    big = results["big_reads"]
    lines += [
        "",
        f"## Big reads: {big['issues']:,} issues, `ready --limit 10` and `blocked` looping on "
        f"two connections for {big['seconds']} s",
        "",
        f"Ping p50 {fmt(big['ping']['p50_ms'], ' ms')}, p99 {fmt(big['ping']['p99_ms'], ' ms')};"
        f" create p50 {fmt(big['create']['p50_ms'], ' ms')}, p99 "
        f"{fmt(big['create']['p99_ms'], ' ms')}; {big['ready_calls']} `ready` and "
        f"{big['blocked_calls']} `blocked` answered meanwhile.",
    ]
    lines += [
        "",
        "## Fairness: four agents create one issue at a time while one agent runs a batch",
        "",
        "| batch | batch took | others' creates p50 | p99 | creates served meanwhile |",
        "|---|---|---|---|---|",
    ]
    for row in results["fairness"]:
        lines.append(
            f"| {row['batch']} | {fmt(row['batch_s'], ' s')} | "
            f"{fmt(row['singles']['p50_ms'], ' ms')} | {fmt(row['singles']['p99_ms'], ' ms')} | "
            f"{row['singles']['n']} |"
        )
    synced = results["sync"]
    lines += [
        "",
        f"## `bd sync` at {synced['issues']:,} issues, {synced['changed_per_side']} changed on "
        "each of two clones (whole processes, direct mode)",
        "",
        f"First clone (commit, push): {fmt(synced['first_sync_s'], ' s')}; second clone (commit, "
        f"fetch, per-issue merge, import, push): {fmt(synced['merging_sync_s'], ' s')}; first "
        f"clone again (fetch, fast-forward, import): {fmt(synced['catch_up_sync_s'], ' s')}.",
    ]
    if results.get("fleet"):
        lines += [
            "",
            "## A fleet on one remote: N clones (half with auto-syncing daemons) race create + "
            "update + `bd sync`",
            "",
            "| clones | ids | syncs | failed | attempts per sync | rejected | sync p50 | "
            "sync max | identical after | exactly once | "
            "daemons' auto-syncs (attempts, rejections, "
            "longest interval) |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in results["fleet"]:
            lines.append(
                f"| {row['clones']} | {row['ids']} | {row['syncs']} | {row['failed']} | "
                f"{fmt(row['attempts_per_sync'])} | {row['rejected']} | "
                f"{fmt(row['sync_p50_s'], ' s')} | {fmt(row['sync_max_s'], ' s')} | "
                f"{fmt(row['identical_after_s'], ' s')} ({row['converge_passes']} passes) | "
                f"{'yes' if row['exactly_once'] and row['identical'] else 'NO'} | "
                f"{row['auto_syncs']} ({row['auto_attempts']}, {row['auto_rejections']}, "
                f"{fmt(row['max_interval_s'], ' s')}) |"
            )
    if results.get("real_import"):
        lines += [
            "",
            "## Importing real-shaped issues.jsonl files (whole `bd import` / `bd export` "
            "processes, direct mode; the classic import side by side in the same run)",
            "",
            "| file | issues | size | import | export | same issues as 0.12 records | "
            "ratio | lines written back byte for byte |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for row in results["real_import"]:
            lines.append(
                f"| {row['file']} | {row['issues']:,} | {row['bytes'] / 1e6:.1f} MB | "
                f"{fmt(row['import_s'], ' s')} | {fmt(row['export_s'], ' s')} | "
                f"{fmt(row['classic_import_s'], ' s')} | "
                f"{fmt(row['ratio_real_over_classic'], 'x')} | "
                f"{row['byte_identical_lines']:,} of {row['lines']:,} |"
            )
    if results.get("claims"):
        claims = results["claims"]
        lines += [
            "",
            f"## Claims: {claims[0]['agents']} agents drain a queue with `ready_claim` "
            f"(median of {len(claims[0]['all_claims_per_s'])} alternating runs)",
            "",
            "| mode | claims/s | p50 | p99 | duplicates | errors |",
            "|---|---|---|---|---|---|",
        ]
        for row in claims:
            lines.append(
                f"| {row['mode']} | {fmt(row['claims_per_s'])} | {fmt(row['p50_ms'], ' ms')} | "
                f"{fmt(row['p99_ms'], ' ms')} | {row['duplicates']} | {row['errors']} |"
            )
    cli = results["cli"]
    lines += [
        "",
        "## Whole-process CLI latency (pairs run by run; median of each side and of the ratios)",
        "",
        "| pair (A / B) | A | B | A/B | goal |",
        "|---|---|---|---|---|",
    ]
    for row in cli["pairs"]:
        lines.append(
            f"| {row['pair']} | {fmt(row['a_ms'], ' ms')} | {fmt(row['b_ms'], ' ms')} | "
            f"{fmt(row['ratio'], 'x')} | {row['goal']} |"
        )
    modules = cli["modules"]
    lines += [
        "",
        f"Modules imported by `bd ready --json` through the daemon: {modules['bd_ready_daemon']} "
        f"(the minimal client: {modules['minimal_client']}).",
    ]
    lines += [
        "",
        "## Scale (p50 per query; daemon RSS measured after each query's rounds)",
        "",
        "| issues | query | answer (issues) | direct | daemon | daemon RSS | reader processes' "
        "RSS |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in results["scale"]:
        lines.append(
            f"| {row['size']:,} | {row['query']} | {row['answer_size']:,} | "
            f"{fmt(row['direct_p50_ms'], ' ms')} | {fmt(row['daemon_p50_ms'], ' ms')} | "
            f"{fmt(row['daemon_rss_mb'], ' MB')} | {fmt(row.get('readers_rss_mb'), ' MB')} |"
        )
    return "\n".join(lines) + "\n"


def charts(results: dict[str, Any], out: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for mode, style in (("daemon", "o-"), ("direct", "s--")):
        rows = [r for r in results["sweep"] if r["mode"] == mode]
        ax.plot([r["agents"] for r in rows], [r["ops_per_s"] for r in rows], style, label=mode)
    counts = sorted({r["agents"] for r in results["sweep"]})
    ax.set_xscale("log", base=2)
    ax.set_xticks(counts, [str(c) for c in counts])
    ax.set_xlabel("concurrent agents (processes)")
    ax.set_ylabel("creates per second")
    ax.set_title("Throughput vs agents (synchronous=FULL)")
    ax.grid(True, alpha=0.3)
    ax.legend()
    path = out / "throughput.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)

    fig, ax = plt.subplots(figsize=(7, 4.2))
    queries = sorted({r["query"] for r in results["scale"]})
    for query in queries:
        rows = [r for r in results["scale"] if r["query"] == query]
        ax.plot([r["size"] for r in rows], [r["daemon_p50_ms"] for r in rows], "o-", label=query)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("issues in the database")
    ax.set_ylabel("p50 latency through the daemon (ms)")
    ax.set_title("Query latency vs database size")
    ax.grid(True, alpha=0.3, which="both")
    ax.legend(fontsize=8)
    path = out / "latency_vs_size.png"
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    written.append(path)
    return written


def write(results: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    (out / "latest.md").write_text(markdown(results))
    charts(results, out)
