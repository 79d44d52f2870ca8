"""label add / remove / list / list-all: the handlers (declared in cli/table.py)."""

from __future__ import annotations

from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, fail, out
from bd_trio.cli.session import backend, call, run_each
from bd_trio.errors import BdError


def _split(args: list[str]) -> tuple[list[str], str]:
    if len(args) < 2:
        fail(BdError("validation", "give one or more issue ids followed by the label"))
    return args[:-1], args[-1]


def add(args: list[str]) -> None:
    """Add LABEL to each issue."""
    ids, label = _split(args)
    run_each(
        "label_add",
        ids,
        lambda i: {"id": i, "label": label},
        lambda r: f"Added label '{r['label']}' to {r['issue_id']}",
    )


def remove(args: list[str]) -> None:
    """Remove LABEL from each issue."""
    ids, label = _split(args)
    run_each(
        "label_remove",
        ids,
        lambda i: {"id": i, "label": label},
        lambda r: f"Removed label '{r['label']}' from {r['issue_id']}",
    )


def list_labels(issue_id: str) -> None:
    """Labels of one issue."""
    with backend() as be:
        labels = call(be, "label_list", {"id": issue_id})
    if g.current.json:
        emit_json(labels)
        return
    if not labels:
        out(f"{issue_id} has no labels")
        return
    out(f"Labels for {issue_id}:")
    for label in labels:
        out(f"  {label}")


def list_all() -> None:
    """Every label in use, with how many issues carry it."""
    with backend() as be:
        counts = call(be, "label_list_all", {})
    if g.current.json:
        emit_json(counts)
        return
    if not counts:
        out("No labels")
        return
    out(f"Labels ({len(counts)}):")
    width = max(len(c["label"]) for c in counts)
    for c in counts:
        out(f"  {c['label']:<{width}}  {c['count']}")
