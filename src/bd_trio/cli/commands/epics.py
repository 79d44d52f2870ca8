"""epic status, epic close-eligible: the handlers (declared in cli/table.py)."""

from __future__ import annotations

from typing import Any

from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, out
from bd_trio.cli.session import backend, call


def status(eligible_only: bool = False) -> None:
    """Open epics with their children closed of total."""
    with backend() as be:
        epics = call(be, "epic_status", {"eligible_only": eligible_only})
    if g.current.json:
        emit_json(epics)
        return
    if not epics:
        out("No open epics found")
        return
    from bd_trio.cli import render  # human output only

    for entry in epics:
        for line in render.epic_progress(entry):
            out(line)
        out()


def close_eligible(dry_run: bool = False) -> None:
    """Close the epics whose children are all closed."""
    with backend() as be:
        if dry_run:  # a read: --readonly allows it, as bd
            result: Any = call(be, "epic_status", {"eligible_only": True})
        else:
            result = call(be, "epic_close_eligible", {})
    if g.current.json:
        emit_json(result)
        return
    from bd_trio.cli import render  # human output only

    if dry_run:
        if not result:
            out("No epics eligible for closure")
            return
        out(f"Would close {len(result)} epic(s):")
        for entry in result:
            out(f"  - {render.one_line(entry['epic'])}")
        return
    if not result["closed"]:
        out("No epics eligible for closure")
        return
    out(f"Closed {result['count']} epic(s):")
    for line in render.id_list(result["closed"]):
        out(line)
