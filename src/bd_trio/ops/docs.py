"""docs/PROTOCOL.md's table of operations and routes, generated from the operation table.

    python -m bd_trio.ops.docs --write docs/PROTOCOL.md

tests/test_protocol_doc.py fails when docs/PROTOCOL.md and the table disagree (and checks the
hand-written argument tables and health keys against the code).
"""

from __future__ import annotations

import sys

from bd_trio.devtools import docsplice
from bd_trio.ops.registry import LOOP, READER, STREAMING, WAIT_ARG, WRITER, load_all

BEGIN = "<!-- BEGIN GENERATED ROUTES (python -m bd_trio.ops.docs --write docs/PROTOCOL.md) -->"
END = "<!-- END GENERATED ROUTES -->"

WHERE = {
    LOOP: "the event loop, from memory",
    READER: "a read-only connection in a worker thread",
    WRITER: "the writer task's group transaction",
    STREAMING: "item frames until the client goes away",
}


def render() -> str:
    table = load_all()
    lines = [BEGIN, "", "| op | route | takes `" + WAIT_ARG + "` |", "|---|---|---|"]
    for name in sorted(table):
        spec = table[name]
        lines.append(f"| `{name}` | {spec.route} | {'yes' if spec.waits else ''} |")
    lines += ["", "Routes: " + "; ".join(f"`{k}`: {v}" for k, v in WHERE.items()) + ".", "", END]
    return "\n".join(lines) + "\n"


def spliced(text: str) -> str:
    return docsplice.splice(text, BEGIN, END, render())


if __name__ == "__main__":
    docsplice.main(sys.argv[1:], render, BEGIN, END)
