"""batch: several operations from a file or stdin, in order, stopping at the first failure."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from bd_trio.cli import globals as g
from bd_trio.cli.output import emit_json, fail, out, usage
from bd_trio.cli.progress import ProgressBar
from bd_trio.cli.session import backend, call
from bd_trio.errors import BdError


def parse_operations(text: str) -> list[Any]:
    """A JSON array of {op, args}, or one such object per line (JSON lines)."""
    stripped = text.strip()
    if not stripped:
        raise BdError("validation", "batch: no operations given")
    if stripped.startswith("["):
        try:
            value = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise BdError(
                "validation", f"batch: invalid JSON at line {exc.lineno}: {exc.msg}"
            ) from exc
        except RecursionError:
            raise BdError("validation", "batch: the JSON nests too deep") from None
        return list(value)
    operations = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            operations.append(json.loads(line))
        except json.JSONDecodeError as exc:
            raise BdError(
                "validation", f"batch: line {number} is not valid JSON: {exc.msg}"
            ) from exc
        except RecursionError:
            raise BdError("validation", f"batch: line {number} nests too deep") from None
    return operations


def batch(file: Path | None = None, atomic: bool = False, continue_on_error: bool = False) -> None:
    """Run operations in order; stop at the first failure (--atomic: undo all on failure)."""
    try:
        text = sys.stdin.read() if file is None else file.read_text(encoding="utf-8")
        operations = parse_operations(text)
    except OSError as exc:
        fail(BdError("not_found", f"cannot read {file}: {exc.strerror}"))
    except UnicodeDecodeError as exc:
        fail(BdError("validation", f"{file or '<stdin>'} is not UTF-8 text (byte {exc.start})"))
    except BdError as exc:
        fail(exc)
    if atomic and continue_on_error:
        usage("--atomic and --continue-on-error do not go together: choose one")
    args: dict[str, Any] = {"operations": operations, "atomic": atomic}
    if continue_on_error:
        args["continue_on_error"] = True
    with backend() as be, ProgressBar("batch") as bar:
        result = call(be, "batch", args, bar.listener)
    if g.current.json:
        emit_json(result)
    else:
        for index, item in enumerate(result["results"]):
            if item["ok"]:
                data = item["data"]
                summary = data.get("id", "") if isinstance(data, dict) else ""
                out(f"[{index}] {item['op']}: ok {summary}".rstrip())
            else:
                out(
                    f"[{index}] {item['op']}: FAILED {item['error']['code']}: "
                    f"{item['error']['message']}"
                )
        skipped = len(operations) - len(result["results"])
        failed = sum(1 for item in result["results"] if not item["ok"])
        if continue_on_error and failed:
            out(f"{failed} of {len(operations)} operations failed (the others were applied)")
        if skipped:
            out(f"{skipped} operations not run (stopped at the first failure)")
        if result["rolled_back"]:
            out("Atomic batch rolled back: nothing was applied")
    if not result["ok"]:
        raise SystemExit(1)
