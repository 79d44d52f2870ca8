"""Releasing real `bd` processes together at one instant (see barrier_bd.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import Run

BARRIER = str(Path(__file__).with_name("barrier_bd.py"))


def race(cwd: Path, commands: list[tuple[list[str], dict[str, str]]]) -> list[Run]:
    """Start one process per (argv, env), wait until all are ready, release them together,
    and return their results in order."""
    ready_read, ready_write = os.pipe()
    go_read, go_write = os.pipe()
    procs = []
    try:
        for argv, env in commands:
            procs.append(
                subprocess.Popen(
                    [sys.executable, BARRIER, str(ready_write), str(go_read), *argv],
                    cwd=cwd,
                    env=env,
                    pass_fds=(ready_write, go_read),
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )
        os.close(ready_write)
        os.close(go_read)
        ready = 0
        while ready < len(procs):
            chunk = os.read(ready_read, 64)
            if not chunk:
                break  # a racer died before the start: its output says why
            ready += len(chunk)
    finally:
        os.close(go_write)  # the start signal (EOF for every waiting racer)
        os.close(ready_read)
    results = []
    for proc in procs:
        stdout, stderr = proc.communicate(timeout=300)
        results.append(Run(proc.returncode, stdout, stderr))
    return results
