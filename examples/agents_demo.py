"""A daemon serving a demo workload: several agents sharing one tracker.

Creates a workspace in ./demo-workspace, starts its daemon (`bd daemon start`), and runs:
- a planner that files an epic with 40 tasks, some blocking others;
- four workers that repeatedly take ready work, claim it, comment and close it;
then prints what happened and stops the daemon. Run: python examples/agents_demo.py
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import trio

from bd_trio.client.asyncclient import AsyncClient
from bd_trio.errors import BdError

ROOT = Path.cwd() / "demo-workspace"


def bd(*args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "bd_trio", *args],
        cwd=ROOT,
        text=True,
        capture_output=True,
        check=True,
    )
    return proc.stdout


async def planner(socket: Path) -> list[str]:
    async with AsyncClient(socket, actor="planner") as agent:
        epic = await agent.create("Ship the demo", issue_type="epic", priority=0)
        tasks: list[str] = []
        rng = random.Random(1)
        for i in range(40):
            deps = [f"parent-child:{epic['id']}"]
            if tasks and rng.random() < 0.4:
                deps.append(f"blocks:{rng.choice(tasks)}")
            issue = await agent.create(
                f"Task {i}", priority=rng.randint(0, 3), dependencies=deps, labels=["demo"]
            )
            tasks.append(issue["id"])
        return tasks


async def worker(socket: Path, name: str, done: list[str]) -> None:
    rng = random.Random(name)
    async with AsyncClient(socket, actor=name) as agent:
        while True:
            ready = [i for i in await agent.ready(limit=20) if i["issue_type"] != "epic"]
            if not ready:
                return
            issue = rng.choice(ready)
            await agent.update(issue["id"], status="in_progress", assignee=name)
            await agent.comment_add(issue["id"], f"{name} is on it")
            await trio.sleep(rng.uniform(0, 0.01))  # "work"
            try:
                await agent.close_issue(issue["id"], reason=f"done by {name}")
                done.append(issue["id"])
            except BdError as exc:
                print(f"{name}: {exc.message}")


async def workload(socket: Path) -> None:
    start = time.perf_counter()
    tasks = await planner(socket)
    done: list[str] = []
    async with trio.open_nursery() as nursery:
        for n in range(4):
            nursery.start_soon(worker, socket, f"worker-{n}", done)
    elapsed = time.perf_counter() - start
    async with AsyncClient(socket) as agent:
        stats = await agent.stats()
        health = await agent.health()
    print(f"planner filed {len(tasks)} tasks; workers closed {len(done)} in {elapsed:.2f} s")
    print(f"stats: {stats}")
    print(
        f"daemon: {health['requests_served']} requests, {health['writes']} writes in "
        f"{health['group_commits']} group commits"
    )


def main() -> None:
    if ROOT.exists():
        shutil.rmtree(ROOT)
    ROOT.mkdir()
    print(bd("init", "--prefix", "demo").strip())
    print(bd("daemon", "start").strip())
    try:
        trio.run(workload, ROOT / ".beads" / "bd.sock")
        print(bd("stats").strip())
    finally:
        print(bd("daemon", "stop").strip())


if __name__ == "__main__":
    main()
