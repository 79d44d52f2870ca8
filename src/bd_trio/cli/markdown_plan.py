"""`bd create -f plan.md`: several issues from one Markdown file.

Format (as bd's): each `## Title` starts an issue; text under it is the description; `###`
sections set fields: Priority, Type, Description, Design, Acceptance Criteria, Notes,
Assignee, Labels (comma-separated), Dependencies (`type:id`, comma-separated).
"""

from __future__ import annotations

from typing import Any

from bd_trio.cli.parsing import priority
from bd_trio.errors import BdError

SECTIONS = {
    "priority": "priority",
    "type": "issue_type",
    "issue type": "issue_type",
    "description": "description",
    "design": "design",
    "acceptance criteria": "acceptance_criteria",
    "acceptance": "acceptance_criteria",
    "notes": "notes",
    "assignee": "assignee",
    "labels": "labels",
    "dependencies": "dependencies",
    "deps": "dependencies",
    "external ref": "external_ref",
}


def parse_plan(text: str, source: str = "plan") -> list[dict[str, Any]]:
    issues: list[dict[str, Any]] = []
    current: dict[str, list[str]] | None = None
    section = "description"
    title = ""

    def finish() -> None:
        if current is None:
            return
        args: dict[str, Any] = {"title": title}
        for key, lines in current.items():
            value = "\n".join(lines).strip()
            if not value:
                continue
            if key == "priority":
                args["priority"] = priority(value)
            elif key in ("labels", "dependencies"):
                args[key] = [p.strip() for p in value.replace("\n", ",").split(",") if p.strip()]
            else:
                args[key] = value
        issues.append(args)

    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("## "):
            finish()
            title = line[3:].strip()
            current = {}
            section = "description"
            continue
        if line.startswith("### ") and current is not None:
            name = line[4:].strip().lower()
            if name not in SECTIONS:
                raise BdError(
                    "validation",
                    f"{source} line {number}: unknown section {line[4:].strip()!r} under "
                    f"{title!r}; known: {', '.join(sorted(SECTIONS))}",
                )
            section = SECTIONS[name]
            continue
        if current is not None:
            current.setdefault(section, []).append(line)
    finish()
    if not issues:
        raise BdError(
            "validation", f"{source}: no issues found (each issue starts with '## Title')"
        )
    return issues
