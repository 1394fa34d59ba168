"""Database leases held for the length of a piece of work, renewed while it runs.

A lease names who holds it (``actor@host:pid:token``) so a run killed on this machine can be
told apart from one still going: its lease is taken over at once instead of after its TTL.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from storage import repo
from sync.context import SyncContext

log = logging.getLogger(__name__)

TTL = timedelta(seconds=90)  # a killed holder elsewhere blocks for at most this long


class Busy(Exception):
    """Another live holder has the lease (``holder`` names it)."""

    def __init__(self, name: str, holder: str) -> None:
        super().__init__(f"{name} is held by {holder}")
        self.name = name
        self.holder = holder


def holder_for(actor: str) -> str:
    return f"{actor[:60]}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def actor_of(holder: str) -> str:
    return holder.rpartition("@")[0]


@contextmanager
def holding(ctx: SyncContext, name: str, *, holder: str, ttl: timedelta = TTL) -> Iterator[None]:
    """Hold lease ``name`` for the block; ``Busy`` when another live holder has it."""
    now = ctx.clock()
    with ctx.db.session() as session:
        held = repo.acquire_lease(session, name=name, holder=holder, now=now, ttl=ttl)
        if not held:
            lease = repo.get_lease(session, name=name)
            if lease is not None and gone(lease.holder):
                log.warning("taking over lease %s of a gone process %s", name, lease.holder)
                held = repo.take_over_lease(
                    session, name=name, old=lease.holder, holder=holder, now=now, ttl=ttl
                )
        other = None if held else repo.get_lease(session, name=name)
        session.commit()
    if not held:
        raise Busy(name, other.holder if other is not None else "?")
    stop = threading.Event()
    beat = threading.Thread(
        target=_renew, args=(ctx, name, holder, ttl, stop), name=f"lease-{name}", daemon=True
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
        except Exception:  # the work's own outcome matters more; the lease expires by itself
            log.exception("could not give back lease %s holder=%s", name, holder)


def gone(holder: str) -> bool:
    """The holder was a process on this machine that no longer exists."""
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
    except PermissionError:  # alive, another user's
        return False
    return False


def _renew(ctx: SyncContext, name: str, holder: str, ttl: timedelta, stop: threading.Event) -> None:
    """Keep the lease current while the work runs (a first link's reads take minutes)."""
    while not stop.wait(ttl.total_seconds() / 3):
        try:
            with ctx.db.session() as session:
                repo.acquire_lease(session, name=name, holder=holder, now=ctx.clock(), ttl=ttl)
                session.commit()
        except Exception:  # the database hiccuped: the next beat tries again
            log.exception("could not renew lease %s holder=%s", name, holder)
