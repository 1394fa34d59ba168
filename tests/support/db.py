"""Throwaway databases for tests: a SQLite file, or a fresh database on the real PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.engine import make_engine

POSTGRES_ENV = "SAPO_SYNC_TEST_POSTGRES_URL"


def postgres_admin_url() -> str:
    """The server URL, or a skip (a failure under CI=true, where PostgreSQL must run)."""
    url = os.environ.get(POSTGRES_ENV)
    problem = None
    if not url:
        problem = f"{POSTGRES_ENV} is not set"
    else:
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                conn.execute(text("select 1"))
        except Exception as exc:  # any failure to reach it is the same answer
            problem = f"PostgreSQL at {POSTGRES_ENV} is not reachable: {exc.__class__.__name__}"
        finally:
            engine.dispose()
    if problem is None:
        assert url is not None
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{problem}; CI must run the PostgreSQL tests")
    pytest.skip(problem)


@contextmanager
def postgres_database() -> Iterator[str]:
    """A brand-new database on the test server, dropped afterwards."""
    admin_url = postgres_admin_url()
    name = f"sapo_sync_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def database(kind: str, tmp_path: os.PathLike[str]) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{os.fspath(tmp_path)}/sapo-sync-test.db"
    else:
        with postgres_database() as url:
            yield url
