"""A shop under measurement: the sandbox, paced real clients, a SQLite database, one clock."""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sandbox import Sandbox
from storage import repo
from storage.engine import Database
from sync.clients import make_pos_client, make_web_client
from sync.context import SyncContext

T = TypeVar("T")
BUCKET = 40  # Sapo's burst (sheet §4.2)


class ShopClock:
    """The time both the sandbox and the engine read: the real clock plus a jump.

    Sapo's scheduler runs a stock cycle every few minutes; ``advance`` stands for that wait so
    that a bench does not sleep it out (the engine re-reads the last minute on purpose).
    """

    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._offset += timedelta(seconds=seconds)


@dataclass(frozen=True, slots=True)
class Measured:
    """What the sandbox served while one piece of work ran, and how long it took."""

    requests: dict[str, int]  # "<pos|web> <METHOD> <path template>" -> calls
    throttled: int
    seconds: float

    @property
    def calls(self) -> int:
        return sum(self.requests.values())

    @property
    def writes(self) -> int:
        return sum(n for key, n in self.requests.items() if key.split()[1] != "GET")


@dataclass
class BenchShop:
    """One connection on a running sandbox, with clients paced at the sandbox's leak rate."""

    sb: Sandbox
    db: Database
    ctx: SyncContext
    clock: ShopClock
    leak_rate: float

    def measure(self, work: Callable[[], T]) -> tuple[T, Measured]:
        """Run ``work`` on a drained bucket with the sandbox's counters at zero."""
        # A bucket left partly full by the previous step would shrink this step's burst.
        time.sleep(BUCKET / self.leak_rate + 0.05)
        self.sb.reset_stats()
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        stats: dict[str, Any] = self.sb.stats()
        return result, Measured(dict(stats["requests"]), int(stats["throttled"]), seconds)


@contextmanager
def sandbox(clock: ShopClock, *, leak_rate: float) -> Iterator[Sandbox]:
    """An empty sandbox on loopback whose records are stamped by ``clock``."""
    with Sandbox("empty", bucket=BUCKET, leak_rate=leak_rate) as sb:
        sb.state.clock = clock  # the shop and the engine must agree on "now"
        yield sb


@contextmanager
def open_shop(
    sb: Sandbox, clock: ShopClock, *, seed: str, db_path: Path | None = None
) -> Iterator[BenchShop]:
    """Load ``seed`` and connect a fresh database and real clients to it."""
    leak_rate = sb.state.config.leak_rate
    sb.reset(seed)
    with tempfile.TemporaryDirectory(prefix="sapo-bench-") as tmp:
        path = db_path or Path(tmp) / "bench.db"
        db = Database(f"sqlite:///{path}")
        db.upgrade()
        with db.session() as session:
            conn = repo.ensure_connection(
                session, name="bench", pos_url=sb.pos_url, web_url=sb.web_url, now=clock()
            )
            session.commit()
            assert conn.id is not None
            connection_id = conn.id
        auth: dict[str, Any] = {
            "api_key": sb.api_key,
            "api_secret": sb.api_secret,
            "clock": clock,
            "leak_rate": leak_rate,
        }
        pos = make_pos_client(sb.pos_url, **auth)
        web = make_web_client(sb.web_url, **auth)
        ctx = SyncContext(db, connection_id, pos, web, clock)
        try:
            with pos, web:
                yield BenchShop(sb, db, ctx, clock, leak_rate)
        finally:
            db.dispose()
