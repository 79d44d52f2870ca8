"""Timestamps: UTC RFC 3339 strings with microseconds, which sort as text in time order."""

from __future__ import annotations

import re
from datetime import UTC, datetime


def now() -> str:
    return format_ts(datetime.now(UTC))


def format_ts(moment: datetime) -> str:
    # fields by hand rather than strftime: the same text, faster (imports of big files)
    u = moment.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}"
        f".{u.microsecond:06d}Z"
    )


def parse_ts(text: str) -> datetime:
    """Parse any RFC 3339 timestamp (Z or offset, any fraction length) into an aware datetime."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    # Python < 3.12 accepts at most 6 fractional digits: trim nanoseconds from Go's bd.
    if "." in value:
        head, _, rest = value.partition(".")
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        value = f"{head}.{digits[:6].ljust(6, '0')}{rest}"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


# The common shapes, split without a Python loop: date and time, fraction, zone.
_RFC3339 = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})\Z"
)


def normalize_ts(text: str) -> str:
    """Canonical form of an RFC 3339 timestamp, so imported times compare as text. ValueError
    for any text that is not one, including a moment that has no UTC form (year 1 at +01:00)."""
    try:
        return _normalize(text)
    except OverflowError as exc:
        raise ValueError(f"{text!r} is out of range") from exc


def _normalize(text: str) -> str:
    match = _RFC3339.match(text)
    if match is None:
        return format_ts(parse_ts(text))
    day, time, fraction, zone = match.groups()
    micros = (fraction or "")[:6].ljust(6, "0")
    if zone in ("Z", "z"):
        datetime.fromisoformat(f"{day}T{time}")  # validates the fields (month 13...)
        return f"{day}T{time}.{micros}Z"
    return format_ts(datetime.fromisoformat(f"{day}T{time}.{micros}{zone}"))
