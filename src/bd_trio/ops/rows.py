"""Rows: a big answer produced in chunks, so no layer holds all of it as Python objects.

An operation whose answer can hold tens of thousands of issues (`blocked`, `list`) returns
`Rows`: a function that yields lists of dicts, one chunk at a time, to be consumed inside the
same read transaction. The daemon encodes it chunk by chunk in its read thread (the daemon's
memory after a 44,000-issue answer stays near its size before); direct mode, batches and the
JSON-lines RPC call `materialize` for a plain list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class Rows:
    __slots__ = ("_chunks",)

    def __init__(self, chunks: Callable[[], Iterator[list[dict[str, Any]]]]) -> None:
        self._chunks = chunks

    def chunks(self) -> Iterator[list[dict[str, Any]]]:
        return self._chunks()

    def materialize(self) -> list[dict[str, Any]]:
        return [item for chunk in self._chunks() for item in chunk]


def materialized(value: Any) -> Any:
    """`value` with any Rows turned into a list (for callers that need plain data)."""
    return value.materialize() if isinstance(value, Rows) else value
