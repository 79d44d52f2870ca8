"""template list / show / create: the handlers (declared in cli/table.py); the templates
themselves are cli/templates.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bd_trio.cli import globals as g
from bd_trio.cli import templates
from bd_trio.cli.output import emit_json, fail, out
from bd_trio.errors import BdError


def beads_dir(required: bool) -> Path | None:
    """The workspace's `.beads/` (None outside a workspace, unless it is required)."""
    from bd_trio.workspace import discover

    try:
        return discover(g.current.db).beads_dir
    except BdError as exc:
        if required:
            fail(exc)
        return None


def list_templates() -> None:
    """Every template (yours override built-ins of the same name)."""
    try:
        found = templates.load_all(beads_dir(required=False))
    except BdError as exc:
        fail(exc)
    if g.current.json:
        emit_json(found)
        return
    for source, heading in (("built-in", "Built-in Templates:"), (None, "Custom Templates:")):
        group = [t for t in found if (t["source"] == "built-in") == (source is not None)]
        if not group:
            continue
        out(heading)
        for t in group:
            out(f"  {t['name']}")
            out(f"    Type: {t['type']}, Priority: P{t['priority']}")
            if t["labels"]:
                out(f"    Labels: {', '.join(t['labels'])}")
        out()
    out('Use one: bd create --from-template NAME "Title"')


def show(name: str) -> None:
    """One template's fields."""
    try:
        template = templates.load(beads_dir(required=False), name)
    except BdError as exc:
        fail(exc)
    if g.current.json:
        emit_json(template)
        return
    out(f"Template: {template['name']} ({template['source']})")
    out(f"Type: {template['type']}")
    out(f"Priority: P{template['priority']}")
    out(f"Labels: {', '.join(template['labels']) or '(none)'}")
    for key, heading in (
        ("description", "Description"),
        ("design", "Design"),
        ("acceptance_criteria", "Acceptance criteria"),
    ):
        if template[key]:
            out()
            out(f"{heading}:")
            out(template[key])


def create(name: str) -> None:
    """Write .beads/templates/NAME.yaml to edit (from the built-in of that name if any)."""
    try:
        templates.check_name(name)
    except BdError as exc:
        fail(exc)
    directory = templates.templates_dir(beads_dir(required=True) or Path(".beads"))
    path = directory / f"{name}.yaml"
    if path.exists():
        fail(BdError("conflict", f"{path} exists already: edit it, or choose another name"))
    start: dict[str, Any] = {**templates.BUILTIN.get(name, templates.NEW_TEMPLATE), "name": name}
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(templates.to_yaml(start), encoding="utf-8")
    if g.current.json:
        emit_json({"name": name, "path": str(path)})
        return
    out(f"Created template: {path}")
    out("Edit the file to customize your template.")
