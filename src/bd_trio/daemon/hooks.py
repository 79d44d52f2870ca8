"""The daemon's hook runner (configuration: bd_trio/hookconfig.py).

A task of the root nursery follows the feed from the cursor the daemon started at: after each
commit the writer publishes, it reads the new changes (a reader thread) and runs the hooks
that match, one at a time in feed order, each under `trio.move_on_after(timeout)` (a run past
it is killed). The writer never waits for it: a slow hook only makes this task fall behind in
the feed, which it then catches up from the database. Failures are logged and counted
(`health["hooks"]`, shown by `bd daemon status`). A change to hooks.json is seen within
RELOAD_S.
"""

from __future__ import annotations

import subprocess
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import trio

from bd_trio import hookconfig
from bd_trio.daemon import logs
from bd_trio.daemon.changes import Changes
from bd_trio.hookconfig import Hook, Hooks, HookStats

BATCH = 1000
RELOAD_S = 1.0  # how often hooks.json is looked at (a stat; read again when it changed)

ReadChanges = Callable[[int, int], Awaitable[list[dict[str, Any]]]]
ReadIssue = Callable[[str], Awaitable[dict[str, Any] | None]]


async def run_hooks(
    root: Path,
    changes: Changes,
    read_changes: ReadChanges,
    read_issue: ReadIssue,
    stats: HookStats,
) -> None:
    cursor = changes.cursor  # changes before the daemon started were not its to hook
    config = hookconfig.HooksFile(root, logs.get().warning)
    hooks = await _current(config, stats)
    looked = trio.current_time()
    while True:
        if not hooks.total:  # none configured: the task does not even listen to commits
            await trio.sleep_until(looked + RELOAD_S)
            cursor = changes.cursor  # what was committed meanwhile had no hook to run
        else:  # a commit, or time to look at hooks.json again
            with trio.move_on_at(looked + RELOAD_S):
                while changes.cursor <= cursor:
                    await changes.wait_next(counted=False)
        if trio.current_time() >= looked + RELOAD_S:
            # A stat in a thread, once a RELOAD_S: a busy writer pays nothing per commit.
            hooks = await _current(config, stats)
            looked = trio.current_time()
            if not hooks.total:
                cursor = changes.cursor
        if not hooks.total or changes.cursor <= cursor:
            continue
        batch = await read_changes(cursor, BATCH)
        for change in batch:
            for hook in hooks.for_event(change["event"]):
                issue = await read_issue(change["id"])
                await run_one(hook, change, issue, hooks, root, stats)
            cursor = change["cursor"]


async def _current(config: hookconfig.HooksFile, stats: HookStats) -> Hooks:
    hooks = await trio.to_thread.run_sync(config.current)
    stats.configured = hooks.total
    return hooks


async def run_one(
    hook: Hook,
    change: dict[str, Any],
    issue: dict[str, Any] | None,
    hooks: Hooks,
    root: Path,
    stats: HookStats,
) -> None:
    what = f"hook {hook.name} for {change['event']} of {change['id']} (cursor {change['cursor']})"
    stats.ran += 1
    try:
        with trio.move_on_after(hooks.timeout_s) as scope:
            done = await trio.run_process(
                hook.argv,
                stdin=hookconfig.payload(change, issue),
                stdout=subprocess.DEVNULL,
                capture_stderr=True,
                check=False,
                cwd=str(root),
                env=hookconfig.environment(change, root),
            )
    except OSError as exc:
        _failed(stats, f"{what} could not start: {exc}")
        return
    if scope.cancelled_caught:
        _failed(stats, f"{what} was killed after {hooks.timeout_s:g} s (its timeout)")
    elif done.returncode != 0:
        tail = done.stderr.decode(errors="replace").strip()[-300:]
        _failed(stats, f"{what} exited {done.returncode}: {tail}")


def _failed(stats: HookStats, text: str) -> None:
    logs.get().warning("%s", text)
    stats.failure(text)
