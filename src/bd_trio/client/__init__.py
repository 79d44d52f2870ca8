"""Clients of the daemon.

- `BlockingClient` (stdlib socket + cbor2) and `AsyncClient` (trio, from
  `bd_trio.client.asyncclient`, so blocking users never load trio): one typed method per
  operation (`operations.py`, arguments in `requests.py`, results in `types.py`).
- `BlockingConnection` (`connection.py`): `call(op, args)` only; what the CLI uses.
- `ClientCore` (`core.py`): the protocol without I/O, shared by all of them.

`from bd_trio.client import BlockingClient` loads the typed methods on first use only: the
CLI imports `bd_trio.client.connection` and nothing else of this package.
"""

from __future__ import annotations

from typing import Any

__all__ = ["BlockingClient"]


def __getattr__(name: str) -> Any:
    if name == "BlockingClient":
        from bd_trio.client.blocking import BlockingClient

        return BlockingClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
