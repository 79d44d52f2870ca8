"""Options several typer commands share, with their checks (usage errors exit 2)."""

from __future__ import annotations

import typer

from bd_trio.model.durations import parse_duration


def check_lease(value: str | None) -> str | None:
    if value is not None and parse_duration(value) is None:
        raise typer.BadParameter(
            f"{value!r} is not a lease length: use 90s, 15m, 4h, 1h30m, 2d, or 0 for no expiry"
        )
    return value


def lease_option() -> str | None:
    return typer.Option(  # type: ignore[no-any-return]
        None,
        "--lease",
        callback=check_lease,
        help="Lease length: 90s, 15m, 4h, 0 = never expires (default: claim_lease in "
        "config.json, else 4h)",
    )


def if_claimed_option() -> int | None:
    return typer.Option(  # type: ignore[no-any-return]
        None,
        "--if-claimed",
        metavar="TOKEN",
        help="Apply only while the claim with this token is the current one (fencing)",
    )
