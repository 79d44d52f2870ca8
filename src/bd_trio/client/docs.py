"""docs/API.md's method list, generated from the typed request builders (`requests.py`).

    python -m bd_trio.client.docs --write docs/API.md

tests/test_clients.py fails when docs/API.md and the builders disagree.
"""

from __future__ import annotations

import inspect
import sys
import typing

from bd_trio.client import requests, types
from bd_trio.devtools import docsplice

BEGIN = "<!-- BEGIN GENERATED METHODS (python -m bd_trio.client.docs --write docs/API.md) -->"
END = "<!-- END GENERATED METHODS -->"


def _result(builder: typing.Any) -> str:
    hints = typing.get_type_hints(builder, vars(types) | vars(requests))
    (result,) = typing.get_args(hints["return"])
    text = repr(result) if not isinstance(result, type) else result.__name__
    return (
        text.replace("bd_trio.client.types.", "")
        .replace("typing.", "")
        .replace("<class '", "")
        .replace("'>", "")
    )


def _signature(builder: typing.Any) -> str:
    signature = inspect.signature(builder)
    return str(signature.replace(return_annotation=inspect.Signature.empty)).replace("'", "")


def render() -> str:
    lines = [BEGIN, ""]
    for builder in requests.BUILDERS:
        doc = (inspect.getdoc(builder) or "").replace("\n", " ")
        op = _operation(builder)
        lines.append(
            f"- `{builder.__name__}{_signature(builder)}` → `{_result(builder)}`: "
            f"operation `{op}`{'. ' + doc if doc else ''}"
        )
    lines += ["", END]
    return "\n".join(lines) + "\n"


def _dummy_args(builder: typing.Any) -> list[typing.Any]:
    parameters = inspect.signature(builder).parameters.values()
    return [
        "x"
        for p in parameters
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


def _operation(builder: typing.Any) -> str:
    """The operation a builder asks for (called with placeholder required arguments)."""
    op: str = builder(*_dummy_args(builder)).op
    return op


def spliced(text: str) -> str:
    """`text` with its generated part replaced by the current one."""
    return docsplice.splice(text, BEGIN, END, render())


if __name__ == "__main__":
    docsplice.main(sys.argv[1:], render, BEGIN, END)
