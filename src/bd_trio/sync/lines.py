"""Reading a JSONL file that came from somewhere else (a `git pull`, `bd import -i`): bytes to
lines to JSON values, with every cost bounded and every error naming the file, the line and
what is wrong.

issues.jsonl is written by whoever can push to the repository, so nothing in it may exhaust the
stack or memory or crash the command that reads it:

- the file is UTF-8 (a leading byte-order mark is dropped, CRLF line ends are accepted); a byte
  that is not UTF-8 is reported with its line and its byte offset in that line;
- a file is at most `MAX_FILE_BYTES`, `MAX_LINES` lines and `MAX_VALUES` values (memory
  follows the number of values: `[],` is three bytes and a list), a line at most
  `MAX_LINE_BYTES`;
- JSON nests at most `MAX_DEPTH` levels. CPython's json decoder recurses per level (200,000
  levels raise RecursionError), so the depth is measured before decoding, from the brackets
  outside strings;
- integers fit in 64 bits (so 10^400 is refused here, not turned into a 400-digit number that
  every later step has to carry), other numbers are finite (1e400 is not infinity), and the
  non-JSON constants NaN and Infinity are refused;
- strings are Unicode text: an escaped lone surrogate (`\\ud800`) cannot be stored or printed.

The limits are stated once here; docs/CLI.md quotes them (cli/docs.py renders `LIMITS`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any

from bd_trio.errors import BdError

MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_LINE_BYTES = 16 * 1024 * 1024
MAX_LINES = 1_000_000  # issues and tombstones (and blank lines) in one file
MAX_VALUES = 10_000_000  # commas, brackets and braces in one file (~3 per field)
MAX_DEPTH = 32  # an issue record needs 3 (record, list of dependencies, dependency)
INT_MIN, INT_MAX = -(2**63), 2**63 - 1

BOM = "\ufeff"
_BOM_BYTES = BOM.encode("utf-8")

# For docs/CLI.md (cli/docs.py): what each limit is, in words.
LIMITS: tuple[tuple[str, str], ...] = (
    ("file size", f"{MAX_FILE_BYTES // (1024 * 1024)} MiB"),
    ("line length", f"{MAX_LINE_BYTES // (1024 * 1024)} MiB (one issue per line)"),
    ("lines", f"{MAX_LINES:,}"),
    ("JSON values", f"{MAX_VALUES:,} commas, brackets and braces in a file"),
    ("JSON nesting", f"{MAX_DEPTH} levels"),
    ("integers", "64-bit signed (-2^63 to 2^63-1)"),
    ("other numbers", "finite (no 1e400, NaN or Infinity)"),
    ("text", "UTF-8; a leading byte-order mark and CRLF line ends are accepted"),
    ("strings", "Unicode text (no unpaired UTF-16 surrogate such as \\ud800)"),
)


def line_error(source: str, number: int, message: str) -> BdError:
    """The error for a line of `source` that cannot be imported: the whole file is refused."""
    return BdError(
        "validation",
        f"{source} line {number}: {message}; nothing was imported",
        file=source,
        line=number,
    )


def read_file(path: Path, source: str | None = None) -> bytes:
    """The bytes of a file, refused beyond MAX_FILE_BYTES before reading them."""
    name = str(path) if source is None else source
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise BdError(
            "validation",
            f"{name} is {size:,} bytes: the limit for a JSONL file is {MAX_FILE_BYTES:,} "
            "bytes; nothing was imported",
            file=name,
        )
    return path.read_bytes()


def decode(data: bytes, source: str) -> str:
    """The text of a JSONL file: UTF-8, its byte-order mark dropped."""
    start = len(_BOM_BYTES) if data.startswith(_BOM_BYTES) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        position = start + exc.start
        line_start = data.rfind(b"\n", 0, position) + 1
        number = data.count(b"\n", 0, position) + 1
        raise line_error(
            source,
            number,
            f"not UTF-8 text (byte 0x{data[position]:02x} at byte {position - line_start + 1} "
            "of the line)",
        ) from None


def split(text: str, source: str = "input") -> Iterator[tuple[int, str]]:
    """(line number, line) for each non-blank line, CR of CRLF line ends removed; at most
    MAX_LINES lines. Lazily: a file of newlines never becomes a list of millions of strings.

    Split on \\n only: str.splitlines() would also split inside values at U+0085 or U+2028,
    which JSON leaves unescaped."""
    start = 1 if text.startswith(BOM) else 0
    number = values = 0
    while start <= len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        number += 1
        if number > MAX_LINES:
            raise line_error(source, number, f"more than {MAX_LINES:,} lines")
        line = text[start:end].strip()
        if line:
            # Memory follows the number of values more than the bytes (`[],` is 3 bytes and an
            # object): their separators, counted fast (those inside strings too).
            values += line.count(",") + line.count("[") + line.count("{")
            if values > MAX_VALUES:
                raise line_error(
                    source,
                    number,
                    f"the file holds more than {MAX_VALUES:,} JSON values (commas, brackets "
                    "and braces)",
                )
            yield number, line
        start = end + 1


# A string, possessively (no backtracking: linear), running to the end of the line when it is
# not terminated; a pattern that backtracks is quadratic on `"\"\"\"...` without an end.
_STRING = re.compile(r'"[^"\\]*+(?:\\.[^"\\]*+)*+"?')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_SURROGATE = re.compile(r"[\ud800-\udfff]|\\u[dD][89a-fA-F]")  # raw, or escaped as \udXXX


class _Refused(ValueError):
    """A JSON value outside the limits (raised from json's number hooks)."""


def depth(line: str) -> int:
    """How deep the line's brackets nest outside strings; cheap for ordinary lines (two counts),
    linear in the number of brackets otherwise, and never recursive."""
    openers = line.count("[") + line.count("{")
    if openers <= MAX_DEPTH:
        return openers  # an upper bound, and within the limit
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", line))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


def _int(text: str) -> int:
    if len(text) > 20:  # 2^63 has 19 digits: no need to build a huge number to refuse it
        raise _Refused(f"the number {text[:24]}... is too large (integers must fit in 64 bits)")
    value = int(text)
    if not INT_MIN <= value <= INT_MAX:
        raise _Refused(f"the number {text} is too large (integers must fit in 64 bits)")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:24]} is out of range")
    return value


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON value")


def check_length(line: str, number: int, source: str) -> None:
    if len(line) * 4 > MAX_LINE_BYTES and len(line.encode("utf-8", "surrogatepass")) > (
        MAX_LINE_BYTES
    ):
        raise line_error(
            source,
            number,
            f"the line is longer than {MAX_LINE_BYTES:,} bytes (a field too large?)",
        )


def check_lengths(text: str, source: str) -> None:
    """Every line within MAX_LINE_BYTES (a client checks before sending a file away)."""
    if len(text) * 4 > MAX_LINE_BYTES:
        for number, line in split(text, source):
            check_length(line, number, source)


# One decoder for every line: json.loads with hooks would build a new one per call.
_DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_constant)


def load(line: str, number: int, source: str) -> Any:
    """One line's JSON value, within the limits; any failure is `line_error`."""
    check_length(line, number, source)
    nesting = depth(line)
    if nesting > MAX_DEPTH:
        raise line_error(
            source, number, f"JSON nested {nesting} levels deep; the limit is {MAX_DEPTH}"
        )
    try:
        value = _DECODER.decode(line)
    except json.JSONDecodeError as exc:
        raise line_error(
            source, number, f"not valid JSON ({exc.msg.removesuffix(' at')} at column {exc.colno})"
        ) from None
    except _Refused as exc:
        raise line_error(source, number, str(exc)) from None
    except (RecursionError, ValueError) as exc:  # a limit this module failed to foresee
        raise line_error(source, number, f"cannot read this JSON ({exc})") from None
    # An ASCII line without a \u escape holds no surrogate: two fast checks before the regex.
    if ("\\u" in line or not line.isascii()) and _SURROGATE.search(line):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            bad = exc.object[exc.start : exc.end]
            raise line_error(
                source,
                number,
                f"a string holds {bad.encode('unicode_escape').decode('ascii')}, an unpaired "
                "UTF-16 surrogate, which is not text",
            ) from None
    return value


def load_quietly(line: str) -> Any:
    """`load` for a caller that only wants a value or None (never raises)."""
    try:
        return load(line, 0, "")
    except BdError:
        return None
