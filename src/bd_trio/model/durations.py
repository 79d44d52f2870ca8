"""Lease lengths as people type them: `90s`, `15m`, `4h`, `1h30m`, `2d`, `500ms`, or `0` (never
expires). Parsed by hand (no `re`): the CLI checks `--lease` on its start-up path."""

from __future__ import annotations

from bd_trio.errors import BdError

UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
DEFAULT_LEASE = "4h"  # a claim's lease when neither --lease nor config.json names one
DEFAULT_LEASE_S = 4 * 3600.0  # DEFAULT_LEASE in seconds (tests/test_claims.py checks)
# How long `bd sync` keeps retrying a push that others got ahead of (sync/backoff.py; the CLI
# reads it here to know how long to wait for the daemon's answer).
DEFAULT_SYNC_TIMEOUT_S = 60.0
# A lease longer than this is almost certainly a typo (and would overflow datetime arithmetic).
MAX_LEASE_S = 366 * 86400.0


def parse_duration(text: str) -> float | None:
    """Seconds, or None when `text` is not a duration. `0` alone means "no expiry" (0.0)."""
    value = text.strip().lower()
    if value == "0":
        return 0.0
    total = 0.0
    index = 0
    parts = 0
    while index < len(value):
        start = index
        while index < len(value) and (value[index].isdigit() or value[index] == "."):
            index += 1
        number = value[start:index]
        unit_start = index
        while index < len(value) and value[index].isalpha():
            index += 1
        unit = value[unit_start:index]
        if not number or unit not in UNITS or number.count(".") > 1 or number == ".":
            return None
        total += float(number) * UNITS[unit]
        parts += 1
    if parts == 0 or total > MAX_LEASE_S:
        return None
    return total


def lease_seconds(value: object, field: str = "lease") -> float:
    """A lease from an argument: a duration string or a number of seconds (>= 0)."""
    if isinstance(value, bool):
        seconds = None
    elif isinstance(value, int | float):
        seconds = float(value) if 0 <= value <= MAX_LEASE_S else None
    elif isinstance(value, str):
        seconds = parse_duration(value)
    else:
        seconds = None
    if seconds is None:
        raise BdError(
            "validation",
            f"invalid {field} {value!r}: use a number with a unit (90s, 15m, 4h, 1h30m, 2d) "
            "or 0 for a lease that never expires",
            field=field,
        )
    return seconds


def describe(seconds: float) -> str:
    """4h, 15m, 90s, 1h30m; `none` for 0."""
    if seconds <= 0:
        return "none"
    whole = round(seconds)
    if whole == 0:
        return f"{int(seconds * 1000)}ms"
    out = ""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)):
        if whole >= size:
            out += f"{whole // size}{unit}"
            whole %= size
    return out
