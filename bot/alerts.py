"""The alert channel: reconcile open error rows with one Slack message per fingerprint."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from bot.deps import stamp
from bot.i18n import Translator
from bot.views.alerts import AlertInfo, alert_message, digest_message, reopen_note, repeat_note
from bot.views.kit import Message
from storage import repo
from storage.models import AlertMessage, SyncErrorRow
from sync.context import SyncContext

log = logging.getLogger(__name__)
RATE_LIMITED_TRIES = 3  # a 429 is waited out this many times per message, then next cycle


@dataclass(frozen=True, slots=True)
class PublishResult:
    posted: int = 0
    digests: int = 0
    updated: int = 0
    replies: int = 0
    closed: int = 0


def _retry_after(exc: SlackApiError) -> float | None:
    """Seconds Slack asked us to wait when it answered 429, else None (not a rate limit)."""
    response = exc.response
    if response is None or response.status_code != 429:
        return None
    headers = {str(k).lower(): v for k, v in (response.headers or {}).items()}
    value = headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(float(value), 0.0) if value is not None else 1.0
    except (TypeError, ValueError):
        return 1.0


def info(row: SyncErrorRow) -> AlertInfo:
    return AlertInfo(
        error_id=row.id or 0,
        kind=row.kind,
        subject=row.subject,
        code=row.code,
        message=row.message,
        count=row.count,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        resolved_at=row.resolved_at,
        dismissed_at=row.dismissed_at,
        dismissed_by=row.dismissed_by,
        params=row.params,
    )


class Pacer:
    """About one message per second per channel (Slack's chat.postMessage limit), and
    nothing at all to a channel before the end of a 429's ``Retry-After``."""

    def __init__(
        self, interval_s: float, *, sleep: Callable[[float], None], monotonic: Callable[[], float]
    ) -> None:
        self.interval_s, self._sleep, self._monotonic = interval_s, sleep, monotonic
        self._due: dict[str, float] = {}  # the earliest moment the channel may get the next one

    def wait(self, channel: str) -> None:
        due = self._due.get(channel)
        if due is not None:
            remaining = due - self._monotonic()
            if remaining > 0:
                self._sleep(remaining)
        self._due[channel] = self._monotonic() + self.interval_s

    def hold(self, channel: str, seconds: float) -> None:
        """Slack answered 429: the channel's next message waits ``seconds`` from now."""
        self._due[channel] = max(self._due.get(channel, 0.0), self._monotonic() + seconds)


class AlertPublisher:
    """Posts new errors, updates repeats in place (notes in the thread), marks closed ones.

    Runs on the scheduler's thread after each cycle and after a click; never on a
    listener's 3-second path. Each Slack write is stored before the next one, so a crash
    half-way never posts a message twice.
    """

    def __init__(
        self,
        ctx: SyncContext,
        client: Any,
        *,
        channel: str,
        t: Translator,
        tz: ZoneInfo,
        digest_at: int = 5,
        thread_every: timedelta = timedelta(minutes=30),
        pace_s: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ctx, self.client, self.channel, self.t, self.tz = ctx, client, channel, t, tz
        self.digest_at, self.thread_every = digest_at, thread_every
        self.pacer = Pacer(pace_s, sleep=sleep, monotonic=monotonic)
        self._lock = threading.Lock()

    def publish(self) -> PublishResult:
        with self._lock:
            return self._publish()

    def _publish(self) -> PublishResult:
        cid = self.ctx.connection_id
        with self.ctx.db.session() as session:
            open_rows = list(repo.open_errors(session, connection_id=cid))
            alerts = {a.fingerprint: a for a in repo.list_alerts(session, connection_id=cid)}
            watched = [a.fingerprint for a in alerts.values() if a.closed_at is None]
            rows = repo.errors_by_fingerprint(session, connection_id=cid, fingerprints=watched)
        open_keys = {r.fingerprint for r in open_rows}
        new = [r for r in open_rows if r.fingerprint not in alerts]
        counts = {"posted": 0, "digests": 0, "updated": 0, "replies": 0, "closed": 0}
        tried = self._tried
        if len(new) >= self.digest_at:
            counts["digests"] += tried(self._digest, new)
        else:
            for row in new:
                counts["posted"] += tried(self._post, row, None)
        for row in open_rows:
            alert = alerts.get(row.fingerprint)
            if alert is None:
                continue
            if alert.closed_at is not None:
                counts["updated"] += tried(self._reopen, row, alert)
            elif row.count != alert.posted_count and not alert.in_digest:
                replied = alert.replied_at
                counts["updated"] += tried(self._repeat, row, alert)
                counts["replies"] += int(alert.replied_at != replied)
        digests_touched: set[str] = set()
        for key in watched:
            if key in open_keys:
                continue
            alert, gone = alerts[key], rows.get(key)
            if alert.in_digest:
                digests_touched.add(alert.ts)
                counts["closed"] += tried(self._mark_closed, alert)
            else:
                counts["closed"] += tried(self._close, alert, gone)
        for ts in sorted(digests_touched):
            tried(self._rerender_digest, ts)
        result = PublishResult(**counts)
        if any(counts.values()):
            log.info(
                "alerts published posted=%d digests=%d updated=%d replies=%d closed=%d",
                *counts.values(),
            )
        return result

    def _tried(self, step: Callable[..., object], *args: Any) -> int:
        """1 when ``step`` worked; a Slack refusal (channel_not_found, not_in_channel...) is
        logged and skipped so one bad alert never holds back the others; retried next cycle."""
        try:
            step(*args)
        except SlackApiError as exc:
            log.warning(
                "alert step failed step=%s error=%s",
                step.__name__,
                exc.response.get("error") if exc.response is not None else exc,
            )
            return 0
        return 1

    # ------------------------------------------------------------ Slack writes

    def _send(self, method: str, msg: Message, **kwargs: Any) -> dict[str, Any]:
        channel = kwargs.pop("channel", self.channel)
        call = getattr(self.client, method)
        tries = 1
        while True:
            self.pacer.wait(channel)
            try:
                response = call(
                    channel=channel,
                    text=msg.text,
                    blocks=msg.blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                    **kwargs,
                )
                return dict(response.data) if hasattr(response, "data") else dict(response)
            except SlackApiError as exc:
                wait = _retry_after(exc)
                if wait is None or tries >= RATE_LIMITED_TRIES:
                    raise
            log.info("alert rate limited method=%s wait_s=%.1f", method, wait)
            self.pacer.hold(channel, wait)
            tries += 1

    def _post(self, row: SyncErrorRow, replace: AlertMessage | None) -> None:
        sent = self._send("chat_postMessage", alert_message(self.t, info(row), self.tz, stamp()))
        now = self.ctx.clock()
        with self.ctx.db.session() as session:
            alert = replace or AlertMessage(
                connection_id=self.ctx.connection_id,
                fingerprint=row.fingerprint,
                channel="",
                ts="",
                updated_at=now,
            )
            alert.channel, alert.ts = str(sent["channel"]), str(sent["ts"])
            alert.posted_count, alert.updated_at, alert.in_digest = row.count, now, False
            alert.closed_at = alert.replied_at = None
            repo.save(session, row=alert)
            session.commit()

    def _digest(self, rows: Sequence[SyncErrorRow]) -> None:
        msg = digest_message(self.t, [info(r) for r in rows], self.tz, stamp())
        sent = self._send("chat_postMessage", msg)
        now = self.ctx.clock()
        with self.ctx.db.session() as session:
            for row in rows:
                repo.save(
                    session,
                    row=AlertMessage(
                        connection_id=self.ctx.connection_id,
                        fingerprint=row.fingerprint,
                        channel=str(sent["channel"]),
                        ts=str(sent["ts"]),
                        posted_count=row.count,
                        updated_at=now,
                        in_digest=True,
                    ),
                )
            session.commit()

    def _update(self, alert: AlertMessage, msg: Message) -> None:
        self._send("chat_update", msg, channel=alert.channel, ts=alert.ts)

    def _reply(self, alert: AlertMessage, msg: Message) -> None:
        self._send("chat_postMessage", msg, channel=alert.channel, thread_ts=alert.ts)

    def _repeat(self, row: SyncErrorRow, alert: AlertMessage) -> None:
        now = self.ctx.clock()
        self._update(alert, alert_message(self.t, info(row), self.tz, stamp()))
        due = alert.replied_at is None or now - alert.replied_at >= self.thread_every
        replied = due and row.count > alert.posted_count
        if replied:
            self._reply(alert, repeat_note(self.t, info(row), self.tz))
        self._store(alert, posted_count=row.count, replied_at=now if replied else alert.replied_at)

    def _reopen(self, row: SyncErrorRow, alert: AlertMessage) -> None:
        if alert.in_digest:  # a digest is history: a returning error gets its own message
            self._post(row, alert)
            return
        self._update(alert, alert_message(self.t, info(row), self.tz, stamp()))
        self._reply(alert, reopen_note(self.t, info(row), self.tz))
        self._store(alert, posted_count=row.count, closed_at=None, replied_at=self.ctx.clock())

    def _close(self, alert: AlertMessage, row: SyncErrorRow | None) -> None:
        if row is not None:
            self._update(alert, alert_message(self.t, info(row), self.tz, stamp()))
        self._mark_closed(alert)

    def _mark_closed(self, alert: AlertMessage) -> None:
        self._store(alert, closed_at=self.ctx.clock())

    def _rerender_digest(self, ts: str) -> None:
        with self.ctx.db.session() as session:
            members = [
                a
                for a in repo.list_alerts(session, connection_id=self.ctx.connection_id)
                if a.ts == ts and a.in_digest
            ]
            rows = repo.errors_by_fingerprint(
                session,
                connection_id=self.ctx.connection_id,
                fingerprints=[a.fingerprint for a in members],
            )
        if not members:
            return
        msg = digest_message(self.t, [info(r) for r in rows.values()], self.tz, stamp())
        self._update(members[0], msg)

    def _store(self, alert: AlertMessage, **changes: datetime | int | None) -> None:
        for name, value in changes.items():
            setattr(alert, name, value)
        alert.updated_at = self.ctx.clock()
        with self.ctx.db.session() as session:
            repo.save(session, row=alert)
            session.commit()
