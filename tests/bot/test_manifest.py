"""manifest.yml is a valid Slack app manifest for exactly what the app registers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot.listeners.commands import COMMAND
from bot.listeners.home import EVENTS

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"


def _manifest() -> dict[str, Any]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_manifest_respects_the_schema_limits() -> None:
    """Required keys present and within the limits of Slack's manifest schema 1.0."""
    m = _manifest()
    info = m["display_information"]
    assert 1 <= len(info["name"]) <= 35
    assert len(info["description"]) <= 140
    assert 175 <= len(info["long_description"]) <= 4000
    assert info["background_color"].startswith("#") and len(info["background_color"]) == 7
    assert len(m["features"]["bot_user"]["display_name"]) <= 80
    for command in m["features"]["slash_commands"]:
        assert command["command"].startswith("/") and 2 <= len(command["command"]) <= 32
        assert 0 < len(command["description"]) <= 2000
        assert len(command.get("usage_hint", "")) <= 1000
    assert set(m) <= {"_metadata", "display_information", "features", "oauth_config", "settings"}


def test_manifest_declares_exactly_what_the_app_registers() -> None:
    """The /sapo command, interactivity, App Home and its event, and no scope beyond need."""
    m = _manifest()
    assert [c["command"] for c in m["features"]["slash_commands"]] == [COMMAND]
    assert m["features"]["app_home"]["home_tab_enabled"] is True
    assert m["settings"]["event_subscriptions"]["bot_events"] == list(EVENTS)
    assert m["settings"]["interactivity"]["is_enabled"] is True
    assert sorted(m["oauth_config"]["scopes"]["bot"]) == ["chat:write", "commands"]
    assert "user" not in m["oauth_config"]["scopes"]
    assert isinstance(m["settings"]["socket_mode_enabled"], bool)


def test_http_request_urls_point_at_bolts_path() -> None:
    """In HTTP mode every request URL is the one Bolt serves (``/slack/events``)."""
    m = _manifest()
    urls = [
        m["settings"]["interactivity"]["request_url"],
        m["settings"]["event_subscriptions"]["request_url"],
        *(c["url"] for c in m["features"]["slash_commands"]),
    ]
    assert all(u.startswith("https://") and u.endswith("/slack/events") for u in urls)
