"""Formatting numbers, money and times the way a Vietnamese shop reads them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo


def money(value: int | None) -> str:
    """Dong with dots between thousands: ``350.000 ₫``."""
    if value is None:
        return "—"
    return f"{value:,}".replace(",", ".") + " ₫"


def qty(value: Decimal | int | None) -> str:
    """A quantity without trailing zeros (Sapo allows three decimals)."""
    if value is None:
        return "—"
    number = Decimal(value)
    text = format(number.normalize(), "f") if number == number.to_integral() else str(number)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def when(moment: datetime | None, tz: ZoneInfo) -> str:
    """``dd/mm HH:MM`` in the shop's time zone, or a dash."""
    if moment is None:
        return "—"
    return moment.astimezone(tz).strftime("%d/%m %H:%M")
