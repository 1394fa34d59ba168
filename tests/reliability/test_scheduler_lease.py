"""The scheduler lease under a race (issue 10): two processes sharing one database take,
renew and give back the lease at the same moment, hundreds of times, and never both believe
they hold it, on SQLite and PostgreSQL (R8: one stock writer; R15, R16: one process applies
a person's link changes).

SQLite ignores ``SELECT … FOR UPDATE``: a lease read first and written after let both
racers see an expired lease and both take it (two ``sapo-sync run`` on one SQLite file then
ran cycles at once), and on both databases a holder giving back a lease it had already lost
deleted its successor's.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from storage import repo
from storage.engine import Database
from storage.models import Lease

NAME = "scheduler:1"
TTL = timedelta(seconds=90)
START = datetime(2026, 3, 6, 3, 0, tzinfo=UTC)
ROUNDS = 60  # of each race below; before the fix about half of two kinds broke
# Each race: the lease's holder before it (None: no lease) and whether that lease is still
# current, then what process "a" and process "b" do at the same moment.
RACES = {
    "free lease": (None, False, "acquire", "acquire"),
    "expired lease": ("z", False, "acquire", "acquire"),  # a crashed process's lease
    "late release": ("a", False, "release", "acquire"),  # a gives back what b takes over
    "renewal": ("a", True, "acquire", "acquire"),  # the holder renews, b tries to take it
}
BARRIER_S = 60.0


def _moment(n: int) -> datetime:
    return START + n * 2 * TTL  # every earlier round's lease has expired by then


def _racer(url: str, me: str, barrier: Any, results: Any) -> None:
    """One process: at each round's barrier, do its part of the race and report."""
    db = Database(url)
    try:
        for n in range(ROUNDS * len(RACES)):
            action = list(RACES.values())[n % len(RACES)][2 if me == "a" else 3]
            barrier.wait(BARRIER_S)  # the round's starting state is in place
            held: bool | str = False
            try:
                with db.session() as s:
                    if action == "acquire":
                        now = _moment(n)
                        held = repo.acquire_lease(s, name=NAME, holder=me, now=now, ttl=TTL)
                    else:
                        repo.release_lease(s, name=NAME, holder=me)
                    s.commit()
            except Exception as exc:  # a racer that crashes is a broken round, not a hang
                held = f"raised {type(exc).__name__}"
            results.put((n, me, held))
            barrier.wait(BARRIER_S)  # both have finished
    finally:
        db.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    handle = Database(database_url)
    handle.upgrade()
    yield handle
    handle.dispose()


def _set(db: Database, holder: str | None, expires_at: datetime) -> None:
    with db.session() as s:
        row = s.get(Lease, NAME)
        if row is not None:
            s.delete(row)
            s.flush()
        if holder is not None:
            s.add(Lease(name=NAME, holder=holder, expires_at=expires_at))
        s.commit()


def _holder(db: Database) -> str | None:
    with db.session() as s:
        row = s.get(Lease, NAME, populate_existing=True)
        return None if row is None else row.holder


def test_two_processes_racing_for_the_scheduler_lease_never_both_hold_it(db: Database) -> None:
    """Two processes, each with its own engine, race for the lease from every state two
    schedulers on one database meet: both taking a free lease, both taking an expired one,
    a takeover while the old holder gives its expired lease back, a renewal against a
    takeover. In every round exactly one is told it holds the lease, and it is the one the
    database names as holder."""
    spawn = multiprocessing.get_context("spawn")  # fresh interpreters, as two services are
    barrier, results = spawn.Barrier(3), spawn.Queue()
    racers = [spawn.Process(target=_racer, args=(db.url, me, barrier, results)) for me in "ab"]
    for p in racers:
        p.start()
    failures: list[str] = []
    try:
        for n in range(ROUNDS * len(RACES)):
            race = list(RACES)[n % len(RACES)]
            before, current, *_ = RACES[race]
            now = _moment(n)
            _set(db, before, now + TTL / 2 if current else now - timedelta(seconds=1))
            barrier.wait(BARRIER_S)  # go
            barrier.wait(BARRIER_S)  # done
            told = dict(results.get(timeout=BARRIER_S)[1:] for _ in range(2))
            holders = sorted(me for me, held in told.items() if held is True)
            raised = [held for held in told.values() if isinstance(held, str)]
            if raised or len(holders) != 1 or _holder(db) != holders[0]:
                failures.append(f"{race}: told {told}, database holder {_holder(db)}")
    finally:
        barrier.abort()
        for p in racers:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    kinds = Counter(f.split(":")[0] for f in failures)
    assert failures == [], f"{len(failures)} of {ROUNDS * len(RACES)} races: {kinds} {failures[:3]}"
