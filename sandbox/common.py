"""Shared helpers for the fake APIs: timestamps, numbers, query parsing, errors and paging."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

T = TypeVar("T")

Json = dict[str, Any]
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real wall clock in UTC; the default clock of a sandbox."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Format a moment the way Sapo does: UTC, whole seconds, trailing Z (sheet §2)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class ApiError(Exception):
    """A failed call; each API renders it with its own error body (sheet §5)."""

    def __init__(self, status: int, message: str, fields: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.fields = dict(fields or {})


def not_found() -> ApiError:
    """The error for an unknown id or route."""
    return ApiError(404, "Not Found")


def invalid(field: str, message: str) -> ApiError:
    """A 422 validation error on one field."""
    return ApiError(422, f"{field} {message}", {field: message})


def parse_time(value: str, name: str) -> str:
    """Parse a date filter into the canonical ISO form used for comparisons.

    Accepts ISO 8601 with or without an offset and the doc's `2008-12-31 03:00` form. A value
    without an offset is read as UTC ([UNKNOWN] in sheet §4.1; S14 treats it as UTC).
    """
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid(name, "is not a valid date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return iso(moment)


def int_param(query: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter, clamped into [low, high]."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid(name, "must be an integer") from None
    return max(low, min(high, value))


def id_list(query: Mapping[str, str], name: str) -> set[int] | None:
    """A comma-separated list of integer ids, or None when the parameter is absent."""
    raw = query.get(name)
    if raw is None or raw.strip() == "":
        return None
    try:
        return {int(part) for part in raw.split(",") if part.strip()}
    except ValueError:
        raise invalid(name, "must be a comma-separated list of ids") from None


@dataclass(frozen=True, slots=True)
class TimeWindow:
    """The `<field>_min` / `<field>_max` filters of one timestamp field."""

    low: str | None
    high: str | None

    @classmethod
    def from_query(cls, query: Mapping[str, str], field: str) -> TimeWindow:
        """Read `field_min` and `field_max` from a query string."""
        low = query.get(f"{field}_min")
        high = query.get(f"{field}_max")
        return cls(
            parse_time(low, f"{field}_min") if low else None,
            parse_time(high, f"{field}_max") if high else None,
        )

    def admits(self, stamp: str | None) -> bool:
        """True when the stamp lies in the window (both ends inclusive)."""
        if self.low is None and self.high is None:
            return True
        if stamp is None:
            return False
        if self.low is not None and stamp < self.low:
            return False
        return self.high is None or stamp <= self.high


def page_of(items: Iterable[T], page: int, limit: int) -> tuple[list[T], int]:
    """One page of items plus the total count."""
    everything = list(items)
    start = (page - 1) * limit
    return everything[start : start + limit], len(everything)


def num(value: float) -> int | float:
    """A quantity as Sapo prints it: an integer when whole, else a float."""
    return int(value) if float(value).is_integer() else value


def money(value: float | None) -> float | None:
    """Money as the Web API prints it: a JSON number such as 150000.0 (sheet §2)."""
    return None if value is None else float(value)


def text(value: Any, name: str, *, required: bool = False) -> str | None:
    """A string field of a request body."""
    if value is None:
        if required:
            raise invalid(name, "can't be blank")
        return None
    if not isinstance(value, str | int | float):
        raise invalid(name, "must be a string")
    result = str(value)
    if required and not result.strip():
        raise invalid(name, "can't be blank")
    return result


def number(value: Any, name: str) -> float:
    """A numeric field of a request body; numeric strings are accepted like Sapo does."""
    if isinstance(value, bool):
        raise invalid(name, "must be a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    raise invalid(name, "must be a number")


def obj(body: Any, key: str) -> Json:
    """The object wrapped under `key` in a request body (`{"product": {...}}`)."""
    if not isinstance(body, dict) or not isinstance(body.get(key), dict):
        raise invalid(key, "is required")
    inner: Json = body[key]
    return inner


def slugify(name: str) -> str:
    """A URL alias from a Vietnamese name: `Áo thun đỏ` -> `ao-thun-do`."""
    plain = name.replace("đ", "d").replace("Đ", "D")
    plain = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "san-pham"
