"""Cursor rules on plain data: never past the run's start, never backwards, no endless re-read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from sync.domain import WebProduct
from sync.reading import CLOCK_MARGIN, next_cursor

START = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


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
