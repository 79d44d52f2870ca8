"""One method per operation, shared by the blocking and the async client.

Each method builds the argument map and returns `self.call(op, args)`: the value itself for
`BlockingClient`, an awaitable for `AsyncClient`. Optional arguments left as None are not sent.
"""

from __future__ import annotations

from typing import Any


def _args(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


class Operations:
    def call(self, op: str, args: dict[str, Any] | None = None) -> Any:
        raise NotImplementedError

    # daemon
    def ping(self) -> Any:
        return self.call("ping")

    def health(self) -> Any:
        return self.call("health")

    def flush(self) -> Any:
        """Export the JSONL now (returns once the file is written)."""
        return self.call("flush")

    def shutdown(self) -> Any:
        return self.call("shutdown")

    # issues
    def create(self, title: str, **fields: Any) -> Any:
        """fields: description, design, acceptance_criteria, notes, priority, issue_type,
        assignee, labels, dependencies ("type:id"), id, external_ref."""
        return self.call("create", _args(title=title, **fields))

    def show(self, issue_id: str) -> Any:
        return self.call("show", {"id": issue_id})

    def update(self, issue_id: str, **fields: Any) -> Any:
        """fields: the issue fields to change, and `claim=True` (with `lease`) to claim it in
        the same transaction, or `if_claimed=TOKEN` to apply only while that claim holds."""
        return self.call("update", _args(id=issue_id, **fields))

    def close_issue(
        self, issue_id: str, reason: str | None = None, *, if_claimed: int | None = None
    ) -> Any:
        return self.call("close", _args(id=issue_id, reason=reason, if_claimed=if_claimed))

    def reopen(self, issue_id: str, reason: str | None = None) -> Any:
        return self.call("reopen", _args(id=issue_id, reason=reason))

    def events(self, issue_id: str) -> Any:
        return self.call("events", {"id": issue_id})

    # queries
    def list_issues(self, **filters: Any) -> Any:
        """filters: status, priority, assignee, issue_type, labels, labels_any, title, ids,
        limit."""
        return self.call("list", _args(**filters))

    def ready(
        self,
        limit: int | None = None,
        *,
        claim: bool = False,
        lease: str | float | None = None,
        **filters: Any,
    ) -> Any:
        """Ready work; with `claim=True`, claim the first ready issue the caller may take and
        return it as a one-element list ([] when none is left)."""
        if claim:
            return self.call("ready_claim", _args(lease=lease, **filters))
        return self.call("ready", _args(limit=limit, **filters))

    # claims
    def claim(self, issue_id: str, lease: str | float | None = None) -> Any:
        """Claim an issue (exactly one caller wins); the issue with its `claim` object."""
        return self.call("claim", _args(id=issue_id, lease=lease))

    def heartbeat(self, issue_id: str, lease: str | float | None = None) -> Any:
        """Renew the caller's lease on an issue it holds."""
        return self.call("heartbeat", _args(id=issue_id, lease=lease))

    def unclaim(self, issue_id: str, force: bool = False) -> Any:
        return self.call("unclaim", _args(id=issue_id, force=force or None))

    def stale(self, hours: float | None = None) -> Any:
        return self.call("stale", _args(hours=hours))

    def blocked(self) -> Any:
        return self.call("blocked")

    def stats(self) -> Any:
        return self.call("stats")

    # dependencies
    def dep_add(self, issue_id: str, depends_on_id: str, dep_type: str | None = None) -> Any:
        return self.call(
            "dep_add", _args(issue_id=issue_id, depends_on_id=depends_on_id, type=dep_type)
        )

    def dep_remove(self, issue_id: str, depends_on_id: str) -> Any:
        return self.call("dep_remove", {"issue_id": issue_id, "depends_on_id": depends_on_id})

    def dep_tree(self, issue_id: str, max_depth: int | None = None) -> Any:
        return self.call("dep_tree", _args(id=issue_id, max_depth=max_depth))

    def dep_cycles(self) -> Any:
        return self.call("dep_cycles")

    # labels and comments
    def label_add(self, issue_id: str, label: str) -> Any:
        return self.call("label_add", {"id": issue_id, "label": label})

    def label_remove(self, issue_id: str, label: str) -> Any:
        return self.call("label_remove", {"id": issue_id, "label": label})

    def label_list(self, issue_id: str) -> Any:
        return self.call("label_list", {"id": issue_id})

    def label_list_all(self) -> Any:
        return self.call("label_list_all")

    def comments(self, issue_id: str) -> Any:
        return self.call("comments", {"id": issue_id})

    def comment_add(self, issue_id: str, text: str) -> Any:
        return self.call("comment_add", {"id": issue_id, "text": text})

    # transfer and batches
    def export(self, status: str | None = None) -> Any:
        return self.call("export", _args(status=status))

    def import_jsonl(self, text: str, **options: Any) -> Any:
        return self.call("import", _args(jsonl=text, **options))

    def batch(self, operations: list[dict[str, Any]], atomic: bool = False) -> Any:
        """operations: [{"op": name, "args": {...}}]; {"$ref": "N.path"} refers to the result
        of operation N."""
        return self.call("batch", {"operations": operations, "atomic": atomic})
