"""docs/PROTOCOL.md against the code: the generated route table is current, every operation
has a row of arguments, every argument named there is one the operation accepts, and the
health keys listed are the ones a real daemon answers."""

from __future__ import annotations

import re
from pathlib import Path

from bd_trio.errors import BdError
from bd_trio.ops import docs, load_all
from bd_trio.ops.registry import WAIT_ARG
from conftest import DaemonThread

DOC = Path(__file__).parent.parent / "docs" / "PROTOCOL.md"
ROW = re.compile(r"^\| ((?:`[a-z_]+`(?:, )?)+) \| (.*?) \| (.*) \|$")


def rows() -> dict[str, list[str]]:
    """op -> the argument cells of its rows in the hand-written tables."""
    out: dict[str, list[str]] = {}
    text = DOC.read_text()
    section = text[text.index("\n## Operations") : text.index("\n### Batches")]
    for line in section.splitlines():
        match = ROW.match(line)
        if match is None or match.group(2) in ("route", "writer", "reader", "loop", "streaming"):
            continue
        for op in re.findall(r"`([a-z_]+)`", match.group(1)):
            out.setdefault(op, []).append(match.group(2))
    return out


def test_generated_routes_are_current() -> None:
    text = DOC.read_text()
    assert docs.spliced(text) == text, (
        "docs/PROTOCOL.md is stale: run `python -m bd_trio.ops.docs --write docs/PROTOCOL.md`"
    )


def test_every_operation_has_its_arguments_documented_and_accepted() -> None:
    table = load_all()
    documented = rows()
    assert set(documented) == set(table)
    for op, cells in documented.items():
        spec = table[op]
        for cell in cells:
            for arg in re.findall(r"`([a-z_]+)`", cell):
                if arg == WAIT_ARG:
                    assert spec.waits, op
                    continue
                try:
                    spec.parse_args({arg: object()})
                except BdError as exc:
                    assert "unknown argument" not in exc.message, (op, arg, exc.message)


def test_health_keys_are_the_documented_ones(repo: Path, bd_direct: object) -> None:
    line = next(x for x in DOC.read_text().splitlines() if x.startswith("| `health` | — |"))
    documented = set(re.findall(r'"([a-z_]+)"', line))
    daemon = DaemonThread(repo).start()
    try:
        with daemon.client() as client:
            assert set(client.health()) == documented
    finally:
        daemon.stop()
