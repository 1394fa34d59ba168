"""Cursor rules on plain data: never past the run's start, never backwards, no endless re-read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync.domain import ConfigSnapshot, WebProduct
from sync.reading import CLOCK_MARGIN, ReadState, full_due, next_cursor
from sync.snapshot import PriceListIds

START = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)
HOUR = timedelta(hours=1)
CONFIG = ConfigSnapshot(
    price_list_id=1,
    order_location_id=10,
    stock_location_ids=frozenset({10}),
    effective_from=START - timedelta(days=1),
    full_interval_s=3600,
)


def stamped(*offsets_s: float) -> list[WebProduct]:
    return [
        WebProduct(i, "p", (), modified_on=START + timedelta(seconds=s))
        for i, s in enumerate(offsets_s)
    ]


@pytest.mark.parametrize(
    ("seen", "before", "expected"),
    [
        pytest.param((), START - timedelta(days=1), START - timedelta(days=1), id="nothing-read"),
        pytest.param((), None, START - CLOCK_MARGIN, id="first-empty-read"),
        pytest.param((-86400, -7200), None, START - timedelta(seconds=7200) + SECOND,
                     id="long-over-second-is-skipped"),
        pytest.param((-5,), None, START - CLOCK_MARGIN, id="recent-change-is-read-again"),
        pytest.param((30,), None, START - CLOCK_MARGIN, id="stamped-during-the-run"),
        pytest.param((-7200,), START - timedelta(seconds=100), START - timedelta(seconds=100),
                     id="never-backwards"),
    ],
)  # fmt: skip
def test_next_cursor(seen: tuple[float, ...], before: datetime | None, expected: datetime) -> None:
    """A product changed while a cycle paged is read again next time (cursor <= start - margin);
    a second that is long over is not re-read every cycle; a cursor never moves back."""
    assert next_cursor(stamped(*seen), before, START) == expected


def state(**changes: object) -> ReadState:
    """Everything a cycle stores, the last full pass an hour before ``START``."""
    stored: dict[str, object] = {
        "pos_since": START - CLOCK_MARGIN,
        "web_since": START - CLOCK_MARGIN,
        "full_at": START - HOUR,
        "web_location_id": 900,
        "price_lists": PriceListIds(cost=3, retail=1),
    }
    return ReadState(**(stored | changes))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("stored", "now", "expected"),
    [
        pytest.param(state(), START - SECOND, False, id="within-the-interval"),
        pytest.param(state(), START, True, id="interval-reached"),
        pytest.param(state(), START + HOUR, True, id="long-past"),
        pytest.param(state(full_at=START), START, False, id="just-done"),
        pytest.param(state(full_at=None), START, True, id="never-full"),
        pytest.param(state(pos_since=None), START - SECOND, True, id="no-pos-cursor"),
        pytest.param(state(web_since=None), START - SECOND, True, id="no-web-cursor"),
        pytest.param(state(web_location_id=None), START - SECOND, True, id="no-web-location"),
        pytest.param(state(price_lists=None), START - SECOND, True, id="no-price-lists"),
    ],
)
def test_full_due(stored: ReadState, now: datetime, expected: bool) -> None:
    """A full pass runs when a cursor or cached fact is missing, and once ``full_interval_s``
    has passed since the last one; between two, cycles read incrementally."""
    assert full_due(stored, CONFIG, now) is expected
