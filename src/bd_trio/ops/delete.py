"""`delete`: remove issues for good, leaving tombstones that carry the deletion to every clone.

Without `force` it only says what would go (the issues, the dependencies on them, the
dependents that would lose a dependency) and changes nothing.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from bd_trio.errors import BdError
from bd_trio.model import validate
from bd_trio.ops.args import Args
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import operation
from bd_trio.store import issues as rows
from bd_trio.store import tombstones


@dataclass(frozen=True, slots=True)
class DeleteRequest:
    ids: list[str]
    force: bool


def parse_delete(a: Args) -> DeleteRequest:
    ids = [validate.issue_id(x, "ids") for x in a.strings("ids")]
    if not ids:
        raise BdError("validation", "delete: give at least one issue id", field="ids")
    return DeleteRequest(sorted(set(ids), key=ids.index), a.flag("force"))


@operation("delete", parse=parse_delete, writes=True, aliases={"id": "ids"})
def delete(conn: sqlite3.Connection, request: DeleteRequest, ctx: OpContext) -> dict[str, Any]:
    """What goes (and, with force, deletes it): each issue with its dependencies and the
    issues that depend on it."""
    plan: list[dict[str, Any]] = []
    for issue_id in request.ids:
        issue = rows.get_issue(conn, issue_id)
        if issue is None:
            gone = tombstones.get(conn, issue_id)
            if gone is not None:
                raise BdError(
                    "not_found",
                    f"issue {issue_id} was already deleted ({gone.deleted_at} by "
                    f"{gone.deleted_by or 'unknown'})",
                    issue_id=issue_id,
                )
            raise BdError("not_found", f"issue {issue_id} not found", issue_id=issue_id)
        plan.append(
            {
                "id": issue.id,
                "title": issue.title,
                "status": issue.status,
                "depends_on": [d.depends_on_id for d in rows.deps_of(conn, issue_id)],
                "dependents": [d.issue_id for d in rows.dependents_of(conn, issue_id)],
            }
        )
    if request.force:
        for item in plan:
            tombstones.delete_issue(conn, str(item["id"]), ctx.actor, ctx.now)
    return {"deleted": request.force, "issues": plan}
