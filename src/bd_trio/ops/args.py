"""Reading operation arguments: type checks and value checks that name the field.

Every operation's `parse` function reads its raw argument map through `Args`, which rejects
unknown fields, so a typo (`priorty`) is an error instead of a silently ignored flag.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from bd_trio.errors import BdError

T = TypeVar("T")


class Args:
    def __init__(self, op: str, raw: object, aliases: Mapping[str, str] | None = None) -> None:
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise BdError("bad_request", f"{op}: args must be a map, got {type(raw).__name__}")
        self.op = op
        self._raw: dict[str, Any] = {}
        for key, value in raw.items():
            if not isinstance(key, str):
                raise BdError("bad_request", f"{op}: argument names must be strings")
            name = (aliases or {}).get(key, key)
            if name in self._raw and key != name:
                raise BdError("bad_request", f"{op}: argument {name!r} given twice (as {key!r})")
            self._raw[name] = value
        self._seen: set[str] = set()

    def everything(self) -> dict[str, Any]:
        """All the arguments as given (for an operation whose parser lives in a lower layer,
        which then checks them itself)."""
        self._seen.update(self._raw)
        return dict(self._raw)

    def has(self, name: str) -> bool:
        return name in self._raw and self._raw[name] is not None

    def raw(self, name: str) -> Any:
        self._seen.add(name)
        return self._raw.get(name)

    def _type_error(self, name: str, expected: str, value: object) -> BdError:
        return BdError(
            "bad_request",
            f"{self.op}: argument {name!r} must be {expected}, got {type(value).__name__}",
            field=name,
        )

    def text(self, name: str, default: str | None = None, *, required: bool = False) -> Any:
        value = self.raw(name)
        if value is None:
            if required:
                raise BdError("validation", f"{self.op}: {name} is required", field=name)
            return default
        if not isinstance(value, str):
            raise self._type_error(name, "a string", value)
        return value

    def integer(self, name: str, default: int | None = None, *, minimum: int | None = None) -> Any:
        value = self.raw(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._type_error(name, "an integer", value)
        if minimum is not None and value < minimum:
            raise BdError(
                "validation", f"{self.op}: {name} must be >= {minimum}, got {value}", field=name
            )
        return value

    def flag(self, name: str, default: bool = False) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._type_error(name, "true or false", value)
        return value

    def strings(self, name: str) -> list[str]:
        """A list of strings; a single comma-separated string is accepted too."""
        value = self.raw(name)
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._type_error(name, "a list of strings", value)
        return [v.strip() for v in value if v.strip()]

    def checked(self, name: str, check: Callable[[object], T], default: T | None = None) -> Any:
        value = self.raw(name)
        if value is None:
            return default
        return check(value)

    def done(self) -> None:
        unknown = sorted(set(self._raw) - self._seen)
        if unknown:
            known = ", ".join(sorted(self._seen)) or "none"
            raise BdError(
                "bad_request",
                f"{self.op}: unknown argument(s) {', '.join(unknown)} (accepted: {known})",
                field=unknown[0],
            )
