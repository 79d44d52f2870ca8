"""Waiting for work and the feed, through a real daemon, agents as forked processes:

- wake-up latency: one agent waits (`ready_claim` with `wait_ms`); the producer creates an
  issue; latency = the waiter's answer time - the create's reply time (CLOCK_MONOTONIC is one
  clock for all processes; negative: the waiter heard before the producer's reply arrived);
- 32 waiters and a producer of N issues: each issue claimed exactly once, and how many
  requests came back empty before the producer finished (polling requests: the goal is 0);
- the daemon's CPU while 32 agents wait (from /proc, over a few seconds);
- the feed: 8 agents x 100 creates with 10 `watch` subscribers against the same without any,
  alternating; every subscriber must see every change once.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from pathlib import Path
from typing import Any

from bd_trio.client.blocking import BlockingClient
from bd_trio.client.connection import BlockingConnection
from bd_trio.errors import BdError
from floor import cpu_parts
from harness import daemon, make_workspace, summarize_ms
from sweep import run_agents

WAIT_MS = 60_000


def _until_waiting(client: BlockingClient, count: int) -> None:
    deadline = time.monotonic() + 60
    while client.health()["waiting"] < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{count} waiters never waited")
        time.sleep(0.002)


def _waiter(socket: str, n: int, claims: int, done: Any, out: Any) -> None:
    """Claim `claims` issues (0: until the daemon stops, after the producer finished)."""
    client = BlockingClient(socket, actor=f"waiter-{n}")
    got: list[tuple[float, str]] = []
    empty_early = 0
    while True:
        try:
            answer = client.call("ready_claim", {"wait_ms": WAIT_MS})
        except BdError:  # the daemon stopped under a request
            break
        now = time.monotonic()
        if answer:
            got.append((now, answer[0]["id"]))
            if claims and len(got) == claims:
                break
            continue
        if done.is_set():
            break
        empty_early += 1  # an answer without work while work was still coming: a poll
    client.close()
    out.put((n, got, empty_early))


def wake_latency(base: Path, samples: int) -> dict[str, Any]:
    workspace = make_workspace(base)
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    flag = ctx.Event()
    with daemon(workspace):
        socket = str(workspace.socket_path)
        waiter = ctx.Process(target=_waiter, args=(socket, 0, samples, flag, out))
        waiter.start()
        replies: list[float] = []
        with BlockingClient(socket, actor="producer") as client:
            for n in range(samples):
                _until_waiting(client, 1)
                client.call("create", {"title": f"work {n}"})
                replies.append(time.monotonic())
            _, got, _ = out.get(timeout=120)
        waiter.join(timeout=60)
    latencies = [answer - reply for (answer, _), reply in zip(got, replies, strict=True)]
    row = {"samples": samples, **summarize_ms(latencies)}
    print(
        f"  wake-up: p50 {row['p50_ms']:.2f} ms, p99 {row['p99_ms']:.2f} ms ({samples} samples)",
        flush=True,
    )
    return row


def _producer(socket: str, issues: int, done: Any) -> None:
    with BlockingClient(socket, actor="producer") as client:
        for n in range(issues):
            client.call("create", {"title": f"work {n}"})
    done.set()  # from now on an empty answer (the daemon stopping) ends a waiter


def waiters_and_producer(base: Path, waiters: int, issues: int, idle_s: float) -> dict[str, Any]:
    workspace = make_workspace(base)
    ctx = mp.get_context("fork")
    out = ctx.Queue()
    done = ctx.Event()
    with daemon(workspace) as pid:
        socket = str(workspace.socket_path)
        procs = [
            ctx.Process(target=_waiter, args=(socket, n, 0, done, out)) for n in range(waiters)
        ]
        for proc in procs:
            proc.start()
        with BlockingClient(socket, actor="bench") as client:
            _until_waiting(client, waiters)
            before = sum(cpu_parts(pid).values())
            time.sleep(idle_s)  # the measurement itself: CPU over this time
            idle_cpu = (sum(cpu_parts(pid).values()) - before) / idle_s
        start = time.monotonic()
        producer = ctx.Process(target=_producer, args=(socket, issues, done))
        producer.start()
        producer.join(timeout=600)
        with BlockingClient(socket, actor="bench") as client:
            while True:  # everything claimed, every waiter back in line
                _until_waiting(client, waiters)
                if client.call("stats", {})["ready_issues"] == 0:
                    break
    results = [out.get(timeout=600) for _ in procs]  # the daemon stopped: they finish
    for proc in procs:
        proc.join(timeout=60)
    claimed = [issue for _, got, _ in results for _, issue in got]
    last = max((t for _, got, _ in results for t, _ in got), default=start)
    row = {
        "waiters": waiters,
        "issues": issues,
        "claimed": len(claimed),
        "claimed_twice": len(claimed) - len(set(claimed)),
        "polling_requests": sum(r[2] for r in results),
        "claims_per_s": round(len(claimed) / (last - start), 1) if claimed else 0.0,
        "idle_cpu_percent": round(idle_cpu * 100, 2),
    }
    print(
        f"  {waiters} waiters + producer of {issues}: {row['claimed']} claimed "
        f"({row['claimed_twice']} twice), {row['polling_requests']} polling requests, "
        f"{row['claims_per_s']:,.0f} claims/s; daemon CPU while they wait: "
        f"{row['idle_cpu_percent']:.2f}% of a core",
        flush=True,
    )
    return row


def _subscriber(socket: str, since: int, expect: int, ready: Any, out: Any) -> None:
    stream = BlockingConnection(socket).watch(since=since)
    ready.release()
    seen: list[int] = []
    created: list[str] = []
    for change in stream:
        seen.append(change["cursor"])
        if change["event"] == "created":
            created.append(change["id"])
            if len(created) == expect:
                break
    out.put((seen, created))


def feed_throughput(base: Path, subscribers: int, agents: int, count: int, repeats: int) -> dict:
    ctx = mp.get_context("fork")
    runs: dict[str, list[float]] = {"with": [], "without": []}
    lost = repeated = 0
    for attempt in range(repeats):
        for side in ("without", "with"):
            workspace = make_workspace(base / f"{side}-{attempt}")
            with daemon(workspace):
                socket = str(workspace.socket_path)
                procs: list[Any] = []
                out = ctx.Queue()
                if side == "with":
                    ready = ctx.Semaphore(0)
                    procs = [
                        ctx.Process(
                            target=_subscriber, args=(socket, 0, agents * count, ready, out)
                        )
                        for _ in range(subscribers)
                    ]
                    for proc in procs:
                        proc.start()
                    for _ in procs:
                        ready.acquire()
                row = run_agents("daemon", workspace, agents, count)
                runs[side].append(row["ops_per_s"])
                for _ in procs:
                    seen, created = out.get(timeout=300)
                    lost += agents * count - len(set(created))
                    repeated += len(seen) - len(set(seen))
                for proc in procs:
                    proc.join(timeout=60)
    with_s = sorted(runs["with"])[len(runs["with"]) // 2]
    without_s = sorted(runs["without"])[len(runs["without"]) // 2]
    row = {
        "subscribers": subscribers,
        "creates": agents * count,
        "with_subscribers_ops_per_s": with_s,
        "without_ops_per_s": without_s,
        "ratio": round(with_s / without_s, 3),
        "lost": lost,
        "repeated": repeated,
        "all": runs,
    }
    print(
        f"  feed: {agents} x {count} creates with {subscribers} subscribers {with_s:,.0f} "
        f"ops/s vs {without_s:,.0f} without ({row['ratio']:.2f}x); lost {lost}, "
        f"repeated {repeated}",
        flush=True,
    )
    return row


def waiting(base: Path, quick: bool) -> dict[str, Any]:
    return {
        "wake": wake_latency(base / "wake", 30 if quick else 300),
        "waiters": waiters_and_producer(
            base / "waiters", 32, 100 if quick else 1000, 1 if quick else 3
        ),
        "feed": feed_throughput(base / "feed", 10, 8, 20 if quick else 100, 1 if quick else 3),
    }
