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


# A JSON number as Go bd's `--set-metadata` recognises one (NaN and Infinity are text).
_NUMBER = r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?"


def metadata_value(text: str) -> object:
    """`k=v`'s value typed as Go bd types it: null, true, false, numbers; else the text."""
    import json
    import re

    if text in ("null", "true", "false") or re.fullmatch(_NUMBER, text):
        return json.loads(text)
    return text


def metadata_pair(text: str, flag: str) -> tuple[str, object]:
    key, eq, value = text.partition("=")
    if not eq or not key.strip():
        raise BdError(
            "validation",
            f"invalid {flag} {text!r}: expected key=value (e.g. {flag} team=web)",
            field="metadata",
        )
    return key.strip(), metadata_value(value)


def metadata_object(text: str, flag: str) -> dict[str, object]:
    """A whole metadata object: JSON text, or @FILE holding it."""
    import json

    source = text
    if text.startswith("@"):
        try:
            with open(text[1:], encoding="utf-8") as handle:
                source = handle.read()
        except OSError as exc:
            raise BdError(
                "not_found", f"{flag}: cannot read {text[1:]}: {exc.strerror}", field="metadata"
            ) from None
    try:
        value = json.loads(source)
    except ValueError as exc:
        raise BdError(
            "validation",
            f"{flag}: invalid JSON ({exc}); give a JSON object or key=value",
            field="metadata",
        ) from None
    if not isinstance(value, dict):
        raise BdError(
            "validation",
            f"{flag}: must be a JSON object, got {type(value).__name__}",
            field="metadata",
        )
    return value


def metadata_flags(
    values: list[str] | None, flag: str
) -> tuple[dict[str, object] | None, dict[str, object]]:
    """`--metadata` values: a JSON object or @file (replaces the whole metadata; the last one
    wins), or key=value pairs (set one key each). Returns (replacement or None, keys to set)."""
    replace: dict[str, object] | None = None
    to_set: dict[str, object] = {}
    for text in values or []:
        if text.lstrip().startswith(("{", "[", "@")):
            replace = metadata_object(text.strip(), flag)
        else:
            key, value = metadata_pair(text, flag)
            to_set[key] = value
    return replace, to_set
