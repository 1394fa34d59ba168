"""A small pool for slow work (syncs, resyncs, API reads) off Bolt's five listener threads."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from bot.incidents import log_incident
from sync.errors import SyncError, UserError

log = logging.getLogger(__name__)


class Worker:
    """Runs jobs in the background; a ``UserError`` goes to ``on_user_error``, anything
    else becomes an incident whose id goes to ``on_incident``."""

    def __init__(self, *, max_workers: int = 2, tell: Callable[[SyncError], str] = str) -> None:
        # ``tell`` words a refusal for the person (``bot.views.problems.refusal``)
        self._tell = tell
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="sapo-bot")
        self._lock = threading.Lock()
        self._pending: set[Future[None]] = set()

    def submit(
        self,
        what: str,
        job: Callable[[], None],
        *,
        user: str | None = None,
        on_user_error: Callable[[str], None] | None = None,
        on_incident: Callable[[str], None] | None = None,
    ) -> Future[None]:
        def run() -> None:
            try:
                job()
            except UserError as exc:
                log.info("refused what=%s user=%s reason=%s", what, user or "-", exc)
                if on_user_error is not None:
                    _quietly(on_user_error, self._tell(exc), what)
            except SyncError as exc:
                # Sapo is down, refused a credential or sent a bad record: the message says
                # which (never a secret), so the person reads it rather than an incident id.
                log.warning(
                    "sync error what=%s user=%s error=%s reason=%s",
                    what,
                    user or "-",
                    type(exc).__name__,
                    exc,
                )
                if on_user_error is not None:
                    _quietly(on_user_error, str(exc), what)
            except Exception as exc:  # the one place unexpected failures are caught
                incident = log_incident(exc, where=what, user=user)
                if on_incident is not None:
                    _quietly(on_incident, incident, what)

        future = self._pool.submit(run)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._forget)
        return future

    def _forget(self, future: Future[None]) -> None:
        with self._lock:
            self._pending.discard(future)

    def idle(self) -> bool:
        with self._lock:
            return not self._pending

    def shutdown(self, *, wait: bool = True) -> None:
        self._pool.shutdown(wait=wait, cancel_futures=not wait)


def _quietly(callback: Callable[[str], None], value: str, what: str) -> None:
    """Telling the person failed too (Slack down?): log it, never raise from the pool."""
    try:
        callback(value)
    except Exception as exc:  # reporting must not crash the worker thread
        log_incident(exc, where=f"{what}.report")
