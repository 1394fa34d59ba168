"""Engine creation: SQLite's pragmas are on for every connection; foreign keys hold on both."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from storage import repo
from storage.engine import make_engine, session
from storage.models import Link

NOW = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)


def test_sqlite_connections_use_wal_a_busy_timeout_and_foreign_keys(tmp_path: Path) -> None:
    """Every pooled SQLite connection waits for a writer and enforces foreign keys."""
    engine = make_engine(f"sqlite:///{tmp_path}/pragmas.db")
    try:
        # Two connections at once: the pragmas come from the connect hook, not one lucky call.
        with engine.connect() as first, engine.connect() as second:
            for conn in (first, second):
                assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert int(conn.execute(text("PRAGMA busy_timeout")).scalar_one()) > 0
                assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()


def test_a_link_to_a_connection_that_does_not_exist_is_refused(engine: Engine) -> None:
    """The database itself refuses rows pointing at a missing connection."""
    orphan = Link(
        connection_id=424242, sku="X", name="x", status="linked", created_at=NOW, updated_at=NOW
    )
    with session(engine) as s, pytest.raises(IntegrityError):
        repo.add_link(s, link=orphan)
