"""BlockingClient: the daemon from ordinary (blocking) Python code, no trio.

    with BlockingClient(".beads/bd.sock", actor="agent-1") as bd:
        issue = bd.create("Fix login", priority=1)
        for work in bd.ready(claim=True):
            bd.close_issue(work["id"], reason="fixed", if_claimed=work["claim"]["token"])

One typed method per operation (client/operations.py, results in client/types.py) over a
BlockingConnection: one persistent connection, one request at a time; errors from the daemon
raise BdError (with `.code`), a broken connection `unavailable` (no automatic retry: a write
may or may not have been applied).
"""

from __future__ import annotations

from bd_trio.client.connection import BlockingConnection
from bd_trio.client.operations import BlockingOperations


class BlockingClient(BlockingOperations, BlockingConnection):
    """The typed methods (BlockingOperations) over one connection (BlockingConnection)."""
