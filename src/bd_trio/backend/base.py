"""The one call shape the CLI uses, whichever backend serves it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Backend(Protocol):
    """`call(op, args)` returns the operation's data or raises BdError."""

    #: Messages for the user that are not the command's output (auto-import results...).
    notices: list[str]

    def call(
        self,
        op: str,
        args: dict[str, Any],
        on_progress: Callable[[int, int], None] | None = None,
    ) -> Any:
        """`on_progress(done, total)`: how far a long operation got (batches, imports)."""
        ...

    def close(self) -> None: ...
