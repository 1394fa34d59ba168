"""The first link while it runs: marked in the database, so every process can tell it is
running, who started it and since when (``/sapo status``, App Home) until setup is recorded."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from storage import repo
from storage.engine import Session
from sync.context import SyncContext
from sync.errors import UserError

log = logging.getLogger(__name__)

ACTION = "catalog.first_link"  # its audit action; "started" here, "completed" by the engine
STARTED = "started"
# The mark outlives a killed process by at most this long; the running one renews it.
TTL = timedelta(seconds=90)


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
    holder = f"{actor[:60]}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    now = ctx.clock()
    with ctx.db.session() as session:
        held = repo.acquire_lease(session, name=name, holder=holder, now=now, ttl=ttl)
        if not held:
            lease = repo.get_lease(session, name=name)
            if lease is not None and _gone(lease.holder):
                log.warning("taking over the first link's mark of a gone process %s", lease.holder)
                held = repo.take_over_lease(
                    session, name=name, old=lease.holder, holder=holder, now=now, ttl=ttl
                )
        if not held:
            other = running(session, connection_id=ctx.connection_id, now=now)
            session.rollback()
            raise _already_running(other, now)
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
    stop = threading.Event()
    beat = threading.Thread(
        target=_renew,
        args=(ctx, name, holder, ttl, stop),
        name="first-link-mark",
        daemon=True,
    )
    beat.start()
    try:
        yield
    finally:
        stop.set()
        beat.join(timeout=ttl.total_seconds())
        try:
            with ctx.db.session() as session:
                repo.release_lease(session, name=name, holder=holder)
                session.commit()
        except Exception:  # the run's own outcome matters more; the mark expires by itself
            log.exception("could not clear the first link's mark holder=%s", holder)


def _already_running(other: FirstLinkRun | None, now: datetime) -> UserError:
    minutes = 0 if other is None else max(0, int((now - other.started_at).total_seconds() // 60))
    by = (None if other is None else other.by) or "?"
    return UserError(
        f"the first link is already running (started {minutes} min ago by {by}); "
        "wait for it to finish",
        said={"key": "msg.first_link_running", "minutes": minutes, "by": by},
    )


def _gone(holder: str) -> bool:
    """The mark's holder was a process on this machine that no longer exists."""
    _, _, where = holder.rpartition("@")
    host, _, rest = where.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def _renew(ctx: SyncContext, name: str, holder: str, ttl: timedelta, stop: threading.Event) -> None:
    """Keep the mark current while the first link runs (reads alone can take minutes)."""
    while not stop.wait(ttl.total_seconds() / 3):
        try:
            with ctx.db.session() as session:
                repo.acquire_lease(session, name=name, holder=holder, now=ctx.clock(), ttl=ttl)
                session.commit()
        except Exception:  # the database hiccuped: the next beat tries again
            log.exception("could not renew the first link's mark holder=%s", holder)
