"""Tolerant readers for Sapo's JSON scalars: money, quantities, timestamps, ids, error bodies."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, TypeVar

from sync.domain import ZERO, Money, Unreadable, Webhook
from sync.errors import RecordError

Json = dict[str, Any]
T = TypeVar("T")


class PayloadError(RecordError):
    """Sapo answered with a record we cannot trust (a missing id, a non-numeric price)."""


def tolerant(
    objs: Iterable[Json],
    parse: Callable[[Json], T],
    describe: Callable[[Json, str], Unreadable],
) -> Iterator[T | Unreadable]:
    """Each record of a list answer parsed, or described when it cannot be: one record Sapo
    garbles never hides the records behind it (issue 10). Only ``PayloadError`` is caught;
    a timeout or a 5xx while completing a record still ends the read."""
    for obj in objs:
        try:
            yield parse(obj)
        except PayloadError as exc:
            yield describe(obj, str(exc))


def _where(obj: Mapping[str, Any], kind: str) -> str:
    ident = obj.get("id")
    return f"{kind} {ident}" if ident is not None else kind


def req_id(obj: Mapping[str, Any], key: str, kind: str) -> int:
    """A required integer id: a missing or malformed id is an error, never a zero."""
    value = obj.get(key)
    if isinstance(value, bool) or value is None:
        raise PayloadError(f"Sapo sent a {_where(obj, kind)} without {key}")
    try:
        result = int(value)
    except (TypeError, ValueError):
        raise PayloadError(f"Sapo sent a {_where(obj, kind)} with {key}={value!r}") from None
    if result <= 0:
        raise PayloadError(f"Sapo sent a {_where(obj, kind)} with {key}={value!r}")
    return result


def opt_id(obj: Mapping[str, Any], key: str) -> int | None:
    """An optional id: null, absent and 0 all mean "none"."""
    value = obj.get(key)
    if value in (None, "", 0) or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # str() first: Decimal(0.1) would carry the binary error into money and stock.
        return Decimal(str(value))
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text:
            return None
        try:
            result = Decimal(text)
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


def money(value: Any, *, field: str = "price", kind: str = "record") -> Money:
    """Dong as an int from ``150000.0``, ``150000`` or ``"150000.00"``; missing is an error."""
    amount = _decimal(value)
    if amount is None:
        raise PayloadError(f"Sapo sent a {kind} whose {field} is not a number: {value!r}")
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def opt_money(value: Any) -> Money | None:
    """Dong, or None when the field is null or not a number."""
    amount = _decimal(value)
    return None if amount is None else int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def quantity(value: Any) -> Decimal:
    """A quantity (Sapo keeps up to three decimals); null counts as zero.

    Anything else that is not a number is an error, never a zero: a stock misread as 0 would
    be pushed to the web as "sold out". Stock that decides a push is read with ``stock``.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    amount = _decimal(value)
    if amount is None:
        raise PayloadError(f"Sapo sent a quantity that is not a number: {value!r}")
    # normalize() drops "12.000" to "12"; adding ZERO turns "1E+2" back into "100".
    return amount.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP).normalize() + ZERO


def stock(obj: Mapping[str, Any], key: str, kind: str) -> Decimal:
    """A stock figure that must be there: null or missing is an error, never a zero.

    The sheet's live captures always carry ``on_hand`` and ``available`` on inventory levels
    and branch stock (§2.6, §3.2, §8.6) and never show them null; one that is absent means an
    answer we cannot trust, and read as 0 it would be pushed to the web as "sold out".
    """
    value = obj.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PayloadError(f"Sapo sent a {_where(obj, kind)} without {key}")
    return quantity(value)


def timestamp(value: Any) -> datetime | None:
    """An aware UTC datetime from ``2026-03-06T03:00:00Z``, an offset form or ``2008-12-31 03:00``.

    A value without an offset is read as UTC, as Sapo's own examples imply.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def text_or_none(value: Any) -> str | None:
    """A string field; numbers become strings, blank and null become None."""
    if value is None or isinstance(value, bool):
        return None
    result = str(value)
    return result if result.strip() else None


def json_quantity(value: Decimal) -> int | float:
    """A quantity for a request body: whole numbers as ints, else at most three decimals."""
    if value == value.to_integral_value():
        return int(value)
    return float(value.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP))


def sapo_time(moment: datetime) -> str:
    """A filter value Sapo accepts (ISO 8601 UTC with Z)."""
    if moment.tzinfo is None:
        raise ValueError("Sapo time filters need an aware datetime")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def items(payload: Any, key: str) -> list[Json]:
    """The list under ``key`` of a list answer; anything else is a broken answer."""
    if not isinstance(payload, dict) or not isinstance(payload.get(key), list):
        raise PayloadError(f"Sapo's answer has no '{key}' list")
    return [item for item in payload[key] if isinstance(item, dict)]


def one(payload: Any, key: str) -> Json:
    """The object under ``key`` of a single-record answer (``{"product": {...}}``)."""
    if not isinstance(payload, dict) or not isinstance(payload.get(key), dict):
        raise PayloadError(f"Sapo's answer has no '{key}' object")
    result: Json = payload[key]
    return result


def webhook(obj: Json) -> Webhook:
    """A webhook subscription; both APIs share the shape (sheet §2.10, §3.6)."""
    return Webhook(
        id=req_id(obj, "id", "webhook"),
        topic=str(obj.get("topic") or ""),
        address=str(obj.get("address") or ""),
        format=str(obj.get("format") or "json"),
        created_on=timestamp(obj.get("created_on")),
    )
