"""Turning command-line strings into operation arguments (priority `1` or `P1`, lists)."""

from __future__ import annotations

from bd_trio.errors import BdError


def priority(value: str | None) -> int | None:
    """`1` or `P1` -> 1. Range is checked by the operation, so both modes word it the same."""
    if value is None:
        return None
    text = value.strip().upper().removeprefix("P")
    try:
        return int(text)
    except ValueError:
        raise BdError(
            "validation",
            f"invalid priority {value!r}: must be 0-4 or P0-P4 (0 is highest)",
            field="priority",
        ) from None


def comma_list(values: list[str] | None) -> list[str]:
    """Repeatable options whose values may also be comma-separated: -l a,b -l c."""
    out: list[str] = []
    for value in values or []:
        out.extend(part.strip() for part in value.split(",") if part.strip())
    return out


def wait_ms(value: str) -> int:
    """`--wait 30s` -> 30000 (a duration as for leases: 500ms, 30s, 5m, 2h; at most a day)."""
    from bd_trio.model.durations import parse_duration

    seconds = parse_duration(value)
    if seconds is None or seconds > 86400:
        raise BdError(
            "validation",
            f"invalid --wait {value!r}: use a duration such as 30s, 5m or 2h (at most 24h)",
            field="wait",
        )
    return int(seconds * 1000)
