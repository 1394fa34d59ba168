"""The schema: migrations, model agreement and database-level constraints, on both databases."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage import repo
from storage.engine import make_engine, session
from storage.migrate import current_revision, downgrade, head_revision, upgrade
from storage.models import Link, Order, SyncErrorRow, metadata

NOW = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)


def _connection_id(engine: Engine) -> int:
    with session(engine) as s:
        conn = repo.ensure_connection(s, name="shop", pos_url="p", web_url="w", now=NOW)
        s.commit()
        assert conn.id is not None
        return conn.id


def test_upgrade_twice_changes_nothing(database_url: str) -> None:
    """Running the migrations again on an up-to-date database is a no-op."""
    engine = make_engine(database_url)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == tables
    assert current_revision(engine) == head_revision()
    assert {"links", "orders", "errors", "config_versions", "audit_events"} <= tables
    assert {"cursors", "setup", "alert_messages", "connections"} <= tables
    engine.dispose()


def test_models_and_migrations_agree(engine: Engine) -> None:
    """Autogenerate finds no difference between the models and the migrated schema."""
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_upgrade_from_0001_keeps_rows_and_the_tombstone_guard(database_url: str) -> None:
    """0002 adds the parameter columns in place: old error rows and links keep their data
    with no parameters (the bot shows their message), and R16's triggers still hold."""
    engine = make_engine(database_url)
    upgrade(engine, "0001")
    cid = _connection_id(engine)
    with engine.begin() as conn:  # Core inserts name only the columns 0001 has
        conn.execute(
            insert(SyncErrorRow.__table__).values(
                connection_id=cid,
                fingerprint="f",
                kind="product",
                subject="S",
                code="no_price",
                message="POS has no price",
                first_seen=NOW,
                last_seen=NOW,
                count=1,
            )
        )
        conn.execute(
            insert(Link.__table__).values(
                connection_id=cid,
                sku="GONE",
                name="g",
                status="deleted",
                cost_review=False,
                origin="matched",
                search_text="gone",
                created_at=NOW,
                updated_at=NOW,
            )
        )
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with session(engine) as s:
        (row,) = repo.open_errors(s, connection_id=cid)
        assert (row.message, row.params) == ("POS has no price", None)
        link = repo.get_link(s, connection_id=cid, sku="GONE")
        assert link is not None and link.reason_params is None
        link.status = "linked"
        s.add(link)
        with pytest.raises(DBAPIError, match="R16"):
            s.commit()
    engine.dispose()


def test_second_row_for_one_web_order_is_refused(engine: Engine) -> None:
    """The web order id is unique per connection in the database itself (exactly once)."""
    cid = _connection_id(engine)

    def order() -> Order:
        return Order(
            connection_id=cid,
            web_order_id=175000001,
            web_order_name="#1042",
            web_created_on=NOW,
            status="pending",
            created_at=NOW,
            updated_at=NOW,
        )

    with session(engine) as s:
        assert repo.insert_order(s, order=order()) is not None
        s.commit()
    with session(engine) as s:
        assert repo.insert_order(s, order=order()) is None
    with session(engine) as s:
        s.add(order())
        with pytest.raises(IntegrityError):
            s.commit()


def _link(cid: int, sku: str, status: str = "linked") -> Link:
    return Link(connection_id=cid, sku=sku, status=status, created_at=NOW, updated_at=NOW, name=sku)


def test_tombstoned_sku_can_never_be_linked_again(engine: Engine) -> None:
    """R16: neither a new link nor reviving, renaming, moving or deleting the tombstone gets
    through; a live link may still be renamed."""
    cid = _connection_id(engine)
    with session(engine) as s:
        other = repo.ensure_connection(s, name="other", pos_url="p2", web_url="w2", now=NOW)
        repo.add_link(s, link=_link(cid, "ATB-M", status="deleted"))
        repo.add_link(s, link=_link(cid, "LIVE"))
        s.commit()
    for column, value in (("sku", "ATB-M-OLD"), ("connection_id", other.id)):
        with session(engine) as s:
            row = repo.get_link(s, connection_id=cid, sku="ATB-M")
            assert row is not None
            setattr(row, column, value)
            s.add(row)
            with pytest.raises(DBAPIError, match="R16"):
                s.commit()
    with session(engine) as s:
        live = repo.get_link(s, connection_id=cid, sku="LIVE")
        assert live is not None
        live.sku = "LIVE-2"
        s.add(live)
        s.commit()
    with session(engine) as s, pytest.raises(IntegrityError):
        repo.add_link(s, link=_link(cid, "ATB-M"))
    with session(engine) as s:
        row = repo.get_link(s, connection_id=cid, sku="ATB-M")
        assert row is not None
        row.status = "linked"
        s.add(row)
        with pytest.raises(DBAPIError, match="R16"):
            s.commit()
    with session(engine) as s:
        row = repo.get_link(s, connection_id=cid, sku="ATB-M")
        assert row is not None
        assert row.status == "deleted"
        s.delete(row)
        with pytest.raises(DBAPIError, match="R16"):
            s.commit()


def test_downgrade_below_0004_lifts_only_the_rename_guard(engine: Engine) -> None:
    """0004's downgrade drops its trigger (a tombstone may be renamed again) and keeps
    0001's; upgrading restores the refusal."""
    cid = _connection_id(engine)
    with session(engine) as s:
        repo.add_link(s, link=_link(cid, "GONE", status="deleted"))
        s.commit()
    downgrade(engine, "0003")
    with session(engine) as s:
        row = repo.get_link(s, connection_id=cid, sku="GONE")
        assert row is not None
        row.sku = "GONE-2"
        s.add(row)
        s.commit()
        row.status = "linked"
        s.add(row)
        with pytest.raises(DBAPIError, match="R16"):
            s.commit()
    upgrade(engine)
    with session(engine) as s:
        row = repo.get_link(s, connection_id=cid, sku="GONE-2")
        assert row is not None
        row.sku = "GONE"
        s.add(row)
        with pytest.raises(DBAPIError, match="R16"):
            s.commit()


def test_a_live_sku_is_in_one_link_only(engine: Engine) -> None:
    """A SKU linked once cannot be inserted a second time for the same connection."""
    cid = _connection_id(engine)
    with session(engine) as s:
        repo.add_link(s, link=_link(cid, "MU-01"))
        s.commit()
    with session(engine) as s, pytest.raises(IntegrityError):
        repo.add_link(s, link=_link(cid, "MU-01", status="disconnected"))


def test_a_second_connection_needs_no_schema_change(engine: Engine) -> None:
    """Two connections can each link the same SKU."""
    with session(engine) as s:
        a = repo.ensure_connection(s, name="a", pos_url="p1", web_url="w1", now=NOW)
        b = repo.ensure_connection(s, name="b", pos_url="p2", web_url="w2", now=NOW)
        assert a.id is not None and b.id is not None
        repo.add_link(s, link=_link(a.id, "X"))
        repo.add_link(s, link=_link(b.id, "X"))
        s.commit()
        assert repo.get_link(s, connection_id=b.id, sku="X") is not None


def test_timestamps_come_back_aware_utc(engine: Engine) -> None:
    """A timestamp written in another zone is read back as the same instant in UTC."""
    cid = _connection_id(engine)
    local = NOW.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
    with session(engine) as s:
        repo.record_setup(s, connection_id=cid, cutover_at=local, completed_by="t")
        s.commit()
    with session(engine) as s:
        setup = repo.get_setup(s, connection_id=cid)
        assert setup is not None
        assert setup.cutover_at == NOW
        assert setup.cutover_at.tzinfo is not None


def test_scheduler_lease_has_one_holder(engine: Engine) -> None:
    """A second process cannot take the lease until the first one's expires."""
    ttl = timedelta(seconds=60)
    with session(engine) as s:
        assert repo.acquire_lease(s, name="scheduler", holder="a", now=NOW, ttl=ttl)
        s.commit()
    with session(engine) as s:
        assert not repo.acquire_lease(s, name="scheduler", holder="b", now=NOW, ttl=ttl)
        assert repo.acquire_lease(s, name="scheduler", holder="a", now=NOW, ttl=ttl)
        s.commit()
    with session(engine) as s:
        later = NOW + timedelta(seconds=61)
        assert repo.acquire_lease(s, name="scheduler", holder="b", now=later, ttl=ttl)
        s.commit()


def test_delivery_is_claimed_once(engine: Engine) -> None:
    """The same webhook delivery or Slack retry is recognised the second time."""
    cid = _connection_id(engine)
    with session(engine) as s:
        assert repo.claim_delivery(s, connection_id=cid, key="web:orders/create:1", now=NOW)
        assert not repo.claim_delivery(s, connection_id=cid, key="web:orders/create:1", now=NOW)
        s.commit()


def test_cli_db_upgrade_creates_the_schema(database_url: str, tmp_path: object) -> None:
    """`sapo-sync db upgrade` brings a new database to the head revision, twice."""
    env = {**os.environ, "DATABASE_URL": database_url}
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "bot", "db", "upgrade"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=str(tmp_path),
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert f"revision {head_revision()}" in done.stdout
