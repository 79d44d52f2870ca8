"""Who acts: recorded as `created_by` and in the audit trail (docs/CLI.md: --actor, $BD_ACTOR,
$USER, "unknown"). Shared by the CLI and the clients; imports nothing heavy."""

from __future__ import annotations

import os


def default_actor(explicit: str | None = None) -> str:
    return explicit or os.environ.get("BD_ACTOR") or os.environ.get("USER") or "unknown"
