"""A daemon serving a demo workload: several agents sharing one tracker, no work done twice.

Creates a workspace in ./demo-workspace, starts its daemon (`bd daemon start`), and runs:
- a planner that files an epic with 40 tasks, some blocking others (it holds the epic itself);
- a worker that claims a task (`bd ready --claim --lease 1s`) and dies holding it;
- four workers that take work with `ready --claim` (one step, exactly one winner per task),
  heartbeat while they "work", and close under their claim's fencing token;
then shows that the dead worker's task came back after its lease expired and was done by
someone else, and ends with `tasks: N, closed: N, worked twice: 0`. It exits non-zero if any
task was worked twice or left undone. Run: python examples/agents_demo.py
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import trio

from bd_trio.client.asyncclient import AsyncClient
from bd_trio.errors import BdError

ROOT = Path.cwd() / "demo-workspace"
WORKERS = 4
TASKS = 40
LEASE = "5s"  # the live workers' lease; they heartbeat well within it
DOOMED_LEASE = "1s"


def bd(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "bd_trio", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        check=True,
    )
    return proc.stdout


async def planner(socket: Path) -> tuple[str, list[str]]:
    async with AsyncClient(socket, actor="planner") as agent:
        epic = await agent.create("Ship the demo", issue_type="epic", priority=0)
        await agent.claim(epic["id"], lease="0")  # the planner's own: never handed out
        tasks: list[str] = []
        rng = random.Random(1)
        for i in range(TASKS):
            deps = [f"parent-child:{epic['id']}"]
            if tasks and rng.random() < 0.4:
                deps.append(f"blocks:{rng.choice(tasks)}")
            issue = await agent.create(
                f"Task {i}", priority=rng.randint(0, 3), dependencies=deps, labels=["demo"]
            )
            tasks.append(issue["id"])
        return epic["id"], tasks


async def doomed_worker() -> str:
    """A real `bd` process claims a task and exits without finishing it (a crashed agent)."""
    proc = await trio.run_process(
        [
            sys.executable,
            "-m",
            "bd_trio",
            "ready",
            "--claim",
            "--lease",
            DOOMED_LEASE,
            "--json",
            "--actor",
            "worker-doomed",
        ],
        cwd=ROOT,
        capture_stdout=True,
    )
    import json

    claimed = json.loads(proc.stdout)
    return str(claimed[0]["id"]) if claimed else ""


async def remaining(agent: AsyncClient) -> int:
    """Demo tasks not closed yet (open, claimed, or blocked)."""
    issues = await agent.list_issues(labels=["demo"])
    return sum(1 for issue in issues if issue["status"] != "closed")


async def worker(socket: Path, name: str, worked: dict[str, list[str]]) -> None:
    rng = random.Random(name)
    async with AsyncClient(socket, actor=name) as agent:
        while True:
            got = await agent.ready(claim=True, lease=LEASE)
            if not got:
                if await remaining(agent) == 0:
                    return
                await trio.sleep(0.1)  # the rest is blocked or held by someone: look again
                continue
            issue = got[0]
            token = issue["claim"]["token"]
            await agent.comment_add(issue["id"], f"{name} is on it")
            for _ in range(2):  # "work", proving liveness as it goes
                await trio.sleep(rng.uniform(0, 0.01))
                await agent.heartbeat(issue["id"])
            try:
                await agent.close_issue(issue["id"], reason=f"done by {name}", if_claimed=token)
                worked[issue["id"]].append(name)
            except BdError as exc:  # the claim was lost: someone else owns the task now
                print(f"{name}: {exc.message}")


async def workload(socket: Path) -> int:
    start = time.perf_counter()
    epic, tasks = await planner(socket)
    doomed = await doomed_worker()
    print(f"worker-doomed claimed {doomed} (lease {DOOMED_LEASE}) and died holding it")
    worked: dict[str, list[str]] = defaultdict(list)
    async with trio.open_nursery() as nursery:
        for n in range(WORKERS):
            nursery.start_soon(worker, socket, f"worker-{n}", worked)
    elapsed = time.perf_counter() - start
    async with AsyncClient(socket, actor="planner") as agent:
        await agent.close_issue(epic, reason="all tasks done")
        recovered = [e for e in await agent.events(doomed) if e["event_type"] == "claim_expired"]
        stats = await agent.stats()
        health = await agent.health()
    twice = sorted(task for task, names in worked.items() if len(names) > 1)
    closed = sum(1 for task in tasks if worked.get(task))
    if recovered:
        print(f"{doomed}: {recovered[0]['comment']}; then done by {', '.join(worked[doomed])}")
    print(
        f"stats: {stats['closed_issues']} closed, {stats['open_issues']} open, "
        f"{stats['in_progress_issues']} in progress"
    )
    print(
        f"daemon: {health['requests_served']} requests, {health['writes']} writes in "
        f"{health['group_commits']} group commits"
    )
    print(f"{elapsed:.2f} s; tasks: {len(tasks)}, closed: {closed}, worked twice: {len(twice)}")
    return 0 if not twice and closed == len(tasks) and recovered else 1


def main() -> None:
    if ROOT.exists():
        shutil.rmtree(ROOT)
    ROOT.mkdir()
    print(bd("init", "--prefix", "demo").strip())
    print(bd("daemon", "start").strip())
    try:
        status = trio.run(workload, ROOT / ".beads" / "bd.sock")
    finally:
        print(bd("daemon", "stop").strip())
    raise SystemExit(status)


if __name__ == "__main__":
    main()
