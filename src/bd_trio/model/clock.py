"""Timestamps: UTC RFC 3339 strings with microseconds, which sort as text in time order."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> str:
    return format_ts(datetime.now(UTC))


def format_ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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


def normalize_ts(text: str) -> str:
    """Canonical form of an RFC 3339 timestamp, so imported times compare as text. ValueError
    for any text that is not one, including a moment that has no UTC form (year 1 at +01:00)."""
    try:
        return format_ts(parse_ts(text))
    except OverflowError as exc:
        raise ValueError(f"{text!r} is out of range") from exc
