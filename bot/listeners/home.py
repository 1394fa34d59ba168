"""App Home: the status dashboard, published when opened and refreshed after each cycle."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App

from bot import queries
from bot.deps import BotDeps
from bot.views.status import home_view

log = logging.getLogger(__name__)
EVENTS = ("app_home_opened",)  # the only bot event manifest.yml subscribes to


def publish_home(deps: BotDeps, client: Any, user: str) -> None:
    report = queries.status(deps)
    view = home_view(deps.t, report, deps.tz, admin=deps.is_admin(user))
    client.views_publish(user_id=user, view=view)


def refresh_homes(deps: BotDeps, client: Any) -> None:
    """Re-publish the dashboard for everyone who has opened it (after a sync cycle)."""
    users = deps.homes.users()
    if not users:
        return
    report = queries.status(deps)
    for user in users:
        view = home_view(deps.t, report, deps.tz, admin=deps.is_admin(user))
        try:
            client.views_publish(user_id=user, view=view)
        except Exception as exc:  # one user's failure must not stop the others' refresh
            log.warning("home refresh failed user=%s error=%s", user, exc)


def register(app: App, deps: BotDeps) -> None:
    @app.event(EVENTS[0])
    def opened(event: dict[str, Any], client: Any) -> None:
        if event.get("tab", "home") != "home":
            return
        user = str(event.get("user") or "")
        deps.homes.add(user)
        publish_home(deps, client, user)
