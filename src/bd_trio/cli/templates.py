"""Issue templates (`bd template`, `bd create --from-template`), as Go bd documents them.

A template holds defaults for a new issue: description, type, priority, labels, design and
acceptance criteria. Three are built in (epic, bug, feature); a team's own live in
`.beads/templates/NAME.yaml` (committed with the code) and override a built-in of the same
name. The files are YAML in the shape Go bd writes them; this module reads and writes that
shape (top-level `key: value`, `|`/`|-` blocks, `[]`/`[a, b]` and `- item` lists, quoted
strings) without a YAML library, and refuses anything else naming the file and line.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bd_trio.errors import BdError

FIELDS = ("name", "description", "type", "priority", "labels", "design", "acceptance_criteria")
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

BUILTIN: dict[str, dict[str, Any]] = {
    "epic": {
        "name": "epic",
        "description": "## Overview\n\n[What this epic delivers and why]\n\n"
        "## Scope\n\nIn scope:\n- [item]\n\nOut of scope:\n- [item]\n\n"
        "## Success criteria\n\n- [ ] [measurable outcome]",
        "type": "epic",
        "priority": 1,
        "labels": ["epic"],
        "design": "## Architecture\n\n[How the parts fit together]\n\n"
        "## Components\n\n- [component]: [child issue]",
        "acceptance_criteria": "- [ ] Every child issue is closed\n"
        "- [ ] The success criteria above are met\n- [ ] Documentation is updated",
    },
    "bug": {
        "name": "bug",
        "description": "## Summary\n\n[What goes wrong]\n\n## Steps to reproduce\n\n1. [step]\n"
        "2. [step]\n\n## Expected\n\n[What should happen]\n\n## Actual\n\n[What happens]\n\n"
        "## Environment\n\n[Version, OS, configuration]",
        "type": "bug",
        "priority": 1,
        "labels": ["bug"],
        "design": "## Root cause\n\n[Why it happens]\n\n## Fix\n\n[What changes]\n\n"
        "## Impact\n\n[Who is affected]",
        "acceptance_criteria": "- [ ] The steps above no longer reproduce it\n"
        "- [ ] A test covers it\n- [ ] No regression in related behaviour",
    },
    "feature": {
        "name": "feature",
        "description": "## Feature\n\n[What it does]\n\n## Motivation\n\n[Who needs it and why]\n\n"
        "## Use cases\n\n- [use case]\n\n## Alternatives considered\n\n[Other ways]",
        "type": "feature",
        "priority": 2,
        "labels": ["feature"],
        "design": "## Technical design\n\n[How it works]\n\n## API changes\n\n[New or changed "
        "interfaces]\n\n## Testing\n\n[How it is tested]",
        "acceptance_criteria": "- [ ] It works as described\n- [ ] Tests cover it\n"
        "- [ ] Documentation is updated",
    },
}

NEW_TEMPLATE = {
    "description": "[Describe the issue]\n\n## Additional context\n\n[Relevant details]",
    "type": "task",
    "priority": 2,
    "labels": [],
    "design": "[Design notes]",
    "acceptance_criteria": "- [ ] Acceptance criterion 1\n- [ ] Acceptance criterion 2",
}


def templates_dir(beads_dir: Path) -> Path:
    return beads_dir / "templates"


def check_name(name: str) -> str:
    if not NAME_RE.match(name):
        raise BdError(
            "validation",
            f"invalid template name {name!r}: use letters, digits, '_', '.' or '-' "
            "(up to 64, starting with a letter or digit)",
            field="name",
        )
    return name


def load_all(beads_dir: Path | None) -> list[dict[str, Any]]:
    """Built-ins, then the workspace's (a custom one replaces the built-in of its name)."""
    found = {name: {**t, "source": "built-in"} for name, t in BUILTIN.items()}
    directory = templates_dir(beads_dir) if beads_dir is not None else None
    if directory is not None and directory.is_dir():
        for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml")):
            template = read_file(path)
            found[template["name"]] = template
    return sorted(found.values(), key=lambda t: (t["source"] != "built-in", t["name"]))


def load(beads_dir: Path | None, name: str) -> dict[str, Any]:
    for template in load_all(beads_dir):
        if template["name"] == name:
            return template
    names = ", ".join(t["name"] for t in load_all(beads_dir))
    raise BdError(
        "not_found",
        f"no template named {name!r}: available are {names} "
        f"(`bd template create {name}` makes one)",
        field="template",
    )


def read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BdError("not_found", f"cannot read template {path}: {exc.strerror}") from None
    values = parse_yaml(text, str(path))
    template: dict[str, Any] = {
        "name": str(values.get("name") or path.stem),
        "description": "",
        "type": "task",
        "priority": 2,
        "labels": [],
        "design": "",
        "acceptance_criteria": "",
    }
    for key, value in values.items():
        if key not in FIELDS:
            continue  # a key Go bd does not know either: ignored, the file is left as it is
        template[key] = value
    if not isinstance(template["labels"], list):
        template["labels"] = [str(template["labels"])]
    try:
        template["priority"] = int(template["priority"])
    except (TypeError, ValueError):
        raise BdError(
            "validation",
            f"{path}: priority must be a number 0-4, got {template['priority']!r}",
            field="priority",
        ) from None
    for key in ("description", "design", "acceptance_criteria", "type", "name"):
        template[key] = "" if template[key] is None else str(template[key])
    template["labels"] = [str(label) for label in template["labels"]]
    template["source"] = str(path)
    return template


def _scalar(raw: str, where: str) -> Any:
    raw = raw.strip()
    if raw in ("", "~", "null"):
        return None
    if raw.startswith('"'):
        try:
            return json.loads(raw)
        except ValueError:
            raise BdError("validation", f"{where}: bad double-quoted string {raw}") from None
    if raw.startswith("'"):
        if len(raw) < 2 or not raw.endswith("'"):
            raise BdError("validation", f"{where}: unterminated single-quoted string {raw}")
        return raw[1:-1].replace("''", "'")
    if raw.startswith("["):
        if not raw.endswith("]"):
            raise BdError("validation", f"{where}: unterminated list {raw}")
        inner = raw[1:-1].strip()
        return [_scalar(part, where) for part in inner.split(",")] if inner else []
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    return raw


def parse_yaml(text: str, source: str) -> dict[str, Any]:
    """The flat YAML of a template file: `key: value` lines, block scalars, lists."""
    lines = text.split("\n")
    values: dict[str, Any] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        where = f"{source}:{index + 1}"
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0].isspace():
            raise BdError("validation", f"{where}: unexpected indentation: {line.strip()!r}")
        key, colon, rest = line.partition(":")
        if not colon or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", key):
            raise BdError("validation", f"{where}: expected `key: value`, got {line!r}")
        rest = rest.strip()
        if rest[:1] == "|":
            block: list[str] = []
            while index < len(lines) and (not lines[index].strip() or lines[index][0].isspace()):
                block.append(lines[index])
                index += 1
            values[key] = _block(block, rest)
        elif rest == "":
            items: list[Any] = []
            while index < len(lines) and lines[index].lstrip().startswith("- "):
                items.append(_scalar(lines[index].lstrip()[2:], f"{source}:{index + 1}"))
                index += 1
            values[key] = items if items else None
        else:
            values[key] = _scalar(rest, where)
    return values


def _block(block: list[str], indicator: str) -> str:
    while block and not block[-1].strip():
        block.pop()  # trailing blank lines belong to no one (clip / strip chomping)
    indents = [len(line) - len(line.lstrip()) for line in block if line.strip()]
    cut = min(indents) if indents else 0
    text = "\n".join(line[cut:] for line in block)
    return text if indicator.startswith("|-") else text + "\n" if text else ""


def to_yaml(template: dict[str, Any]) -> str:
    """A template file Go bd and this module both read."""
    out: list[str] = []
    for key in FIELDS:
        value = template.get(key)
        if key == "labels":
            labels = value or []
            out.append("labels: []" if not labels else "labels:")
            out.extend(f"  - {json.dumps(str(label))}" for label in labels)
        elif key == "priority":
            out.append(f"priority: {int(value if value is not None else 2)}")
        elif isinstance(value, str) and "\n" in value:
            out.append(f"{key}: |-")
            out.extend(f"  {line}" if line else "" for line in value.split("\n"))
        else:
            out.append(f"{key}: {json.dumps(value if value is not None else '')}")
    return "\n".join(out) + "\n"
