"""Fixtures shared by every test package."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from storage.engine import make_engine
from storage.migrate import upgrade
from tests.support.db import database


@pytest.fixture(autouse=True)
def _product_logging_reset() -> Iterator[None]:
    """A test that builds the app installs the product's log handler on the root logger
    (``bot.logs``); it goes again afterwards, so what a later test prints (a CLI's JSON on
    a stream that mixes in stderr) never depends on which tests ran before it."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if h.get_name() == "sapo-sync"]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database URL: once a SQLite file, once the real PostgreSQL."""
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to the latest schema."""
    eng = make_engine(database_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite database only, for tests that need no second database."""
    eng = make_engine(f"sqlite:///{tmp_path}/sapo-sync.db")
    upgrade(eng)
    yield eng
    eng.dispose()


_OUTCOMES = ("passed", "failed", "error", "skipped", "xfailed", "xpassed")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many PostgreSQL tests ran, so a CI log shows they were not silently skipped."""
    counts: dict[str, int] = {}
    for outcome in _OUTCOMES:
        nodeids = {
            report.nodeid
            for report in terminalreporter.stats.get(outcome, [])
            if "postgres" in getattr(report, "keywords", {})  # the marker and the param id
        }
        counts[outcome] = len(nodeids)
    shown = [f"{counts[o]} {o}" for o in _OUTCOMES if o in ("passed", "failed") or counts[o]]
    terminalreporter.write_line(f"PostgreSQL tests: {', '.join(shown)}")
