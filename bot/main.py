"""The one composition root: database, Sapo clients, sync context, Bolt app, alerts, scheduler."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bot.alerts import AlertPublisher
from bot.cycle import CycleHook
from bot.deps import BotDeps
from bot.i18n import Translator
from bot.incidents import log_incident
from bot.listeners import actions, commands, home, views
from bot.listeners.common import ephemeral, note
from bot.listeners.surface import Clicked
from bot.logs import configure_logging
from bot.middleware import dedupe_redeliveries
from bot.settings import Settings, require
from bot.text import esc
from bot.views.problems import refusal
from bot.worker import Worker
from storage import repo
from storage.engine import Database
from sync.clients import make_pos_client, make_web_client
from sync.clock import Clock, system_clock
from sync.context import SyncContext
from sync.errors import UserError
from sync.guard import Guard
from sync.scheduler import SyncScheduler
from sync.scheduler_jobs import default_jobs

log = logging.getLogger(__name__)
# ``scheduler=`` takes a factory: the scheduler needs the context and the bot's cycle hook,
# both made here. The default builds ``SyncScheduler`` with the product's jobs.
SchedulerFactory = Callable[[SyncContext, Sequence[Callable[[Any], None]]], Any]


@dataclass
class BotApp:
    """Everything ``sapo-sync run`` (and the tests) start, stop and look into."""

    settings: Settings
    app: App
    deps: BotDeps
    db: Database
    scheduler: Any
    alerts: AlertPublisher | None
    hook: CycleHook
    closers: list[Any] = field(default_factory=list)

    def asgi(self) -> Any:
        from bot.server import asgi_app

        return asgi_app(self)

    def close(self) -> None:
        """Stop the scheduler, let running work finish, close the clients and the database."""
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
        self.deps.worker.shutdown(wait=True)
        for closer in self.closers:
            closer.close()
        self.db.dispose()


def _secret(value: Any) -> str | None:
    return None if value is None else str(value.get_secret_value()) or None


def slack_client(settings: Settings) -> WebClient:
    """The Web API client: honours 429 ``Retry-After`` (a few times) and connection resets."""
    return WebClient(
        token=_secret(settings.slack_bot_token),
        base_url=settings.slack_api_url,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=3),
        ],
    )


def build_app(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    scheduler: SchedulerFactory | None = None,
    alert_pace_s: float = 1.0,
    workers: int = 2,
    with_scheduler: bool = True,
) -> BotApp:
    """Wire the whole application; nothing is started (``run`` starts the scheduler).

    ``with_scheduler=False`` leaves it out (``/sapo sync`` then runs on the bot's worker).
    """
    require(settings, "SLACK_BOT_TOKEN", "SAPO_POS_URL", "SAPO_WEB_URL", command="run")
    secrets = [
        _secret(getattr(settings, name)) or ""
        for name in type(settings).model_fields
        if name.endswith(("_token", "_secret", "_api_key"))
    ]
    secrets.append(urlsplit(settings.database_url).password or "")
    configure_logging(settings.log_level, secrets=secrets)
    db = Database(settings.database_url)
    if db.dialect == "sqlite":
        db.upgrade()  # the embedded database follows the code; PostgreSQL is upgraded by ops
    pos_url, web_url = str(settings.sapo_pos_url), str(settings.sapo_web_url)
    pos = make_pos_client(
        pos_url,
        api_key=_secret(settings.sapo_pos_api_key),
        api_secret=_secret(settings.sapo_pos_api_secret),
        access_token=_secret(settings.sapo_pos_access_token),
        clock=clock,
        leak_rate=settings.sapo_leak_rate,
    )
    web = make_web_client(
        web_url,
        api_key=_secret(settings.sapo_web_api_key),
        api_secret=_secret(settings.sapo_web_api_secret),
        access_token=_secret(settings.sapo_web_access_token),
        clock=clock,
        leak_rate=settings.sapo_leak_rate,
    )
    with db.session() as session:
        connection = repo.ensure_connection(
            session, name=settings.connection_name, pos_url=pos_url, web_url=web_url, now=clock()
        )
        session.commit()
        assert connection.id is not None
    ctx = SyncContext(
        db=db,
        connection_id=connection.id,
        pos=pos,
        web=web,
        clock=clock,
        pos_admin_url=pos_url.rstrip("/"),
        web_admin_url=web_url.rstrip("/"),
        guard=Guard(share=settings.sync_guard_share, min_links=settings.sync_guard_min_links),
    )
    client = slack_client(settings)
    app = App(
        client=client,
        signing_secret=_secret(settings.slack_signing_secret),
        token_verification_enabled=False,
        name="sapo-sync",
        logger=logging.getLogger("bot.bolt"),
    )
    t, tz = Translator(settings.bot_language), ZoneInfo(settings.timezone)
    deps = BotDeps(
        ctx=ctx,
        t=t,
        tz=tz,
        admins=frozenset(settings.slack_admin_users),
        worker=Worker(max_workers=workers, tell=partial(refusal, t)),
        alert_channel=settings.slack_alert_channel,
    )
    alerts = None
    if settings.slack_alert_channel:
        alerts = AlertPublisher(
            ctx, client, channel=settings.slack_alert_channel, t=t, tz=tz, pace_s=alert_pace_s
        )
    deps.alerts = alerts
    hook = CycleHook(deps, client)
    deps.runs = hook
    sched: Any = None
    if with_scheduler:
        retention = timedelta(days=settings.delivery_retention_days)
        factory = scheduler or _default_scheduler(clock, retention)
        sched = factory(ctx, [hook])
        deps.scheduler = sched
        deps.scheduler_healthy = lambda: bool(sched.healthy)
    app.use(dedupe_redeliveries(deps))
    for module in (commands, actions, views, home):
        module.register(app, deps)
    app.error(_error_handler(deps))
    log.info(
        "bot built connection=%s language=%s admins=%d alert_channel=%s",
        settings.connection_name,
        settings.bot_language,
        len(deps.admins),
        settings.slack_alert_channel or "-",
    )
    return BotApp(
        settings=settings,
        app=app,
        deps=deps,
        db=db,
        scheduler=sched,
        alerts=alerts,
        hook=hook,
        closers=[pos, web],
    )


def _default_scheduler(clock: Clock, retention: timedelta) -> SchedulerFactory:
    def make(ctx: SyncContext, on_cycle: Sequence[Callable[[Any], None]]) -> SyncScheduler:
        jobs = default_jobs(delivery_retention=retention)
        return SyncScheduler(ctx, clock=clock, jobs=jobs, on_cycle=on_cycle)

    return make


def _error_handler(deps: BotDeps) -> Any:
    """UserError → a short private reply; anything else → an incident id to quote.

    Told where the person pressed: through the ``response_url`` of a message or command, or
    in a modal for a click on App Home or in a modal, which have none.
    """

    def handle(error: Exception, body: dict[str, Any], respond: Any, client: Any) -> None:
        if isinstance(error, UserError):
            text = "⚠️ " + esc(refusal(deps.t, error), 500)
        else:
            user = str((body.get("user") or {}).get("id") or body.get("user_id") or "")
            text = deps.t("error.incident", id=log_incident(error, where="listener", user=user))
        try:
            if respond is not None and (body.get("response_url") or body.get("response_urls")):
                ephemeral(respond, note(text))
            elif body.get("type") == "block_actions" and body.get("trigger_id"):
                Clicked.of(body, None, client).notice(deps, text)
        except Exception:  # an event, or a trigger that expired: the log has the incident
            log.warning("could not tell the user about an error")

    return handle
