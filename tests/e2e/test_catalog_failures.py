"""The engine when Sapo fails mid-cycle: stored work stays, cursors wait, errors resolve."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from sandbox import Sandbox
from sandbox.seeds import DEMO_POS_DEFAULT_LOCATION_ID
from storage import repo
from sync import reading
from sync.engine import first_link
from sync.errors import RetryableError
from tests.e2e.catalog_shop import Shop, open_shop, sandbox

__all__ = ["sandbox"]  # fixture
SKU = "QSG-M"


@pytest.fixture
def fragile(sandbox: Sandbox, database_url: str) -> Iterator[Shop]:
    """A linked demo shop whose clients give up after one attempt (no backoff to wait for)."""
    with open_shop(sandbox, database_url, max_attempts=1) as shop:
        shop.fix_planted_problems()
        first_link(shop.ctx, actor="U-setup")
        yield shop


def _cursor(shop: Shop, resource: str) -> str | None:
    with shop.db.session() as session:
        return repo.get_cursor(session, connection_id=shop.ctx.connection_id, resource=resource)


def test_a_dropped_write_keeps_the_cursors_and_the_next_cycle_settles(fragile: Shop) -> None:
    """Cursors move only after a cycle's results are stored: a write whose answer is lost
    stops the cycle with an error row and the cursors where they were; the next cycle sees
    the value did land, writes nothing twice, and resolves the errors (R8, R19)."""
    fragile.sb.set_pos_inventory(SKU, DEMO_POS_DEFAULT_LOCATION_ID, 11)
    before = _cursor(fragile, reading.POS_CURSOR)
    fragile.sb.set_faults(api="web", drop_after_commit_rate=1.0)
    result = fragile.cycle()
    assert result.interrupted is not None and not result.ok
    assert [f.code for f in result.failures] == ["stock_write_failed"]
    assert _cursor(fragile, reading.POS_CURSOR) == before
    assert _open_codes(fragile) >= {"stock_write_failed", "sync_interrupted"}
    fragile.sb.set_faults(api="both")
    fragile.sb.reset_stats()
    again = fragile.cycle()
    assert again.ok and again.writes == 0 and fragile.writes() == {}
    assert fragile.web_stock(SKU) == Decimal(11)
    assert _cursor(fragile, reading.POS_CURSOR) != before
    assert not _open_codes(fragile) & {"stock_write_failed", "sync_interrupted"}


def test_a_failing_read_raises_and_changes_nothing(fragile: Shop) -> None:
    """A read that keeps failing (503) ends the cycle before any write or stored change."""
    fragile.sb.set_pos_inventory(SKU, DEMO_POS_DEFAULT_LOCATION_ID, 4)
    before = _cursor(fragile, reading.POS_CURSOR)
    fragile.sb.set_faults(api="web", error_rate=1.0, status=503)
    fragile.sb.reset_stats()
    with pytest.raises(RetryableError):
        fragile.cycle()
    assert fragile.writes() == {} and _cursor(fragile, reading.POS_CURSOR) == before
    fragile.sb.set_faults(api="both")
    assert fragile.cycle().done.get("stock") == 1


def _open_codes(shop: Shop) -> set[str]:
    with shop.db.session() as session:
        return {e.code for e in repo.open_errors(session, connection_id=shop.ctx.connection_id)}
