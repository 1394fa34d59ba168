"""The first link while it runs: marked in the database, so every process can tell it is
running, who started it and since when (``/sapo status``, App Home) until setup is recorded."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import repo
from storage.engine import Session
from sync import leases
from sync.context import SyncContext
from sync.errors import UserError

ACTION = "catalog.first_link"  # its audit action; "started" here, "completed" by the engine
STARTED = "started"
TTL = leases.TTL  # the mark outlives a killed process elsewhere by at most this long


@dataclass(frozen=True, slots=True)
class FirstLinkRun:
    """A first link running now, somewhere: who started it and when."""

    started_at: datetime
    by: str


def lease_name(connection_id: int) -> str:
    return f"first_link:{connection_id}"


def running(session: Session, *, connection_id: int, now: datetime) -> FirstLinkRun | None:
    """The first link running now (its mark is current), or None."""
    lease = repo.get_lease(session, name=lease_name(connection_id))
    if lease is None or lease.expires_at <= now:
        return None
    start = repo.last_audit(session, connection_id=connection_id, action=ACTION, result=STARTED)
    if start is None:  # marked but not audited: cannot happen in one commit, say little
        return FirstLinkRun(started_at=lease.expires_at - TTL, by="")
    return FirstLinkRun(started_at=start.at, by=start.actor)


@contextmanager
def marked(ctx: SyncContext, *, actor: str, ttl: timedelta = TTL) -> Iterator[None]:
    """Mark the first link as running for the duration of the block (audited as started).

    Only one first link runs at a time: two would each create the products missing on the
    other side (R3, R7). A mark another run holds refuses this one with a ``UserError``
    naming who started it, unless its holder was a process on this machine that is gone
    (killed mid-run): its mark is taken over at once rather than after ``ttl``.
    """
    name = lease_name(ctx.connection_id)
    try:
        with leases.holding(ctx, name, holder=leases.holder_for(actor), ttl=ttl):
            now = ctx.clock()
            with ctx.db.session() as session:
                repo.add_audit(
                    session,
                    connection_id=ctx.connection_id,
                    actor=actor,
                    action=ACTION,
                    subject="catalog",
                    result=STARTED,
                    now=now,
                )
                session.commit()
            yield
    except leases.Busy as busy:
        if busy.name != name:
            raise
        now = ctx.clock()
        with ctx.db.session() as session:
            other = running(session, connection_id=ctx.connection_id, now=now)
        raise _already_running(other, now) from None


def _already_running(other: FirstLinkRun | None, now: datetime) -> UserError:
    minutes = 0 if other is None else max(0, int((now - other.started_at).total_seconds() // 60))
    by = (None if other is None else other.by) or "?"
    return UserError(
        f"the first link is already running (started {minutes} min ago by {by}); "
        "wait for it to finish",
        said={"key": "msg.first_link_running", "minutes": minutes, "by": by},
    )
