"""THE operation table. Importing this package registers every operation in `OPS`.

Use `get_op(name)` to find one, `spec.parse_args(raw)` to validate its arguments and
`spec.run(conn, parsed, ctx)` inside a transaction to execute it.
"""

from bd_trio.ops import batch, comments, deps, issues, labels, queries, transfer
from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import OPS, OpSpec, get_op

__all__ = [
    "OPS",
    "OpContext",
    "OpSpec",
    "batch",
    "comments",
    "deps",
    "get_op",
    "issues",
    "labels",
    "queries",
    "transfer",
]
