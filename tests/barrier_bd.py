"""`bd ARGS` in a process that waits at a start barrier: races between real processes.

    python barrier_bd.py READY_FD GO_FD [--until-empty] ARGS...

The process imports bd, writes one byte to READY_FD and blocks reading GO_FD; the parent
closes GO_FD's other end once every racer is ready, which releases all of them at the same
instant (see `racing.race`). With `--until-empty` it runs `bd ARGS` again and again (each run's
stdout on one line) until a run prints `[]` or fails: an agent draining `ready --claim`.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys

from bd_trio.cli.main import main


def run_once(argv: list[str]) -> tuple[int, str]:
    buffer = io.StringIO()
    code = 0
    with contextlib.redirect_stdout(buffer):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, buffer.getvalue()


def entry() -> None:
    ready_fd, go_fd = int(sys.argv[1]), int(sys.argv[2])
    args = sys.argv[3:]
    os.write(ready_fd, b"r")
    os.close(ready_fd)
    os.read(go_fd, 1)  # returns at EOF: the parent released everyone
    if args[:1] != ["--until-empty"]:
        main(args)
        return
    while True:
        code, output = run_once(args[1:])
        sys.stdout.write(" ".join(output.split()) + "\n")
        if code != 0:
            raise SystemExit(code)
        if output.strip() == "[]":
            return


if __name__ == "__main__":
    entry()
