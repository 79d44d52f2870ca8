"""THE operation table: every operation, by name (see `registry.OP_MODULES`).

Use `get_op(name)` to find one (its module is imported on first use), `spec.parse_args(raw)`
to validate its arguments and `spec.run(conn, parsed, ctx)` inside a transaction to run it.
"""

from bd_trio.ops.context import OpContext
from bd_trio.ops.registry import OP_MODULES, OPS, OpSpec, get_op, load_all

__all__ = ["OPS", "OP_MODULES", "OpContext", "OpSpec", "get_op", "load_all"]
