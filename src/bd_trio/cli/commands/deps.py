"""dep add / remove / relate / unrelate / tree / cycles: handlers (declared in cli/table.py)."""

from __future__ import annotations

from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, out, style
from bd_trio.cli.session import backend, call


def add(issue_id: str, depends_on_id: str, dep_type: str = "blocks") -> None:
    """ISSUE depends on DEPENDS_ON."""
    with backend() as be:
        data = call(
            be,
            "dep_add",
            {"issue_id": issue_id, "depends_on_id": depends_on_id, "type": dep_type},
        )
    if g.current.json:
        emit_json(data)
    else:
        out(
            f"Added dependency: {data['issue_id']} depends on {data['depends_on_id']} "
            f"({data['type']})"
        )


def remove(issue_id: str, depends_on_id: str) -> None:
    """Remove the dependency of ISSUE on DEPENDS_ON."""
    with backend() as be:
        data = call(be, "dep_remove", {"issue_id": issue_id, "depends_on_id": depends_on_id})
    if g.current.json:
        emit_json(data)
    else:
        out(f"Removed dependency: {data['issue_id']} no longer depends on {data['depends_on_id']}")


def tree(issue_id: str, max_depth: int = 50) -> None:
    """What ID depends on, as a tree (root first)."""
    with backend() as be:
        nodes = call(be, "dep_tree", {"id": issue_id, "max_depth": max_depth})
    if g.current.json:
        emit_json(nodes)
        return
    out(f"Dependency tree for {issue_id}:")
    out()
    for node in nodes:
        indent = "  " * node["depth"]
        arrow = "" if node["depth"] == 0 else f"└─ ({node['dependency_type']}) "
        line = (
            f"{indent}{arrow}{node['id']}: {node['title']} [P{node['priority']}] ({node['status']})"
        )
        if node["truncated"]:
            line += style(" …more below --max-depth", "90")
        out(line)


def cycles() -> None:
    """Report dependency cycles (imports can bring them in; dep add refuses them)."""
    with backend() as be:
        found = call(be, "dep_cycles", {})
    if g.current.json:
        emit_json(found)
        return
    if not found:
        out("No dependency cycles detected")
        return
    out(f"Found {len(found)} dependency cycles:")
    for number, cycle in enumerate(found, start=1):
        path = " → ".join(issue["id"] for issue in cycle)
        out(f"  {number}. {path} → {cycle[0]['id']}")


def relate(id1: str, id2: str) -> None:
    """Link two issues both ways as relates-to."""
    with backend() as be:
        data = call(be, "dep_relate", {"id1": id1, "id2": id2})
    if g.current.json:
        emit_json(data)
    else:
        out(f"Linked {data['id1']} <-> {data['id2']} (relates-to)")


def unrelate(id1: str, id2: str) -> None:
    """Remove the relates-to link between two issues, both ways."""
    with backend() as be:
        data = call(be, "dep_unrelate", {"id1": id1, "id2": id2})
    if g.current.json:
        emit_json(data)
    else:
        out(f"Unlinked {data['id1']} <-> {data['id2']}")
