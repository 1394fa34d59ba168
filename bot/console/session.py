"""A console user talking to the real Bolt app: slash commands, clicks and modal submissions."""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from slack_bolt import App
from slack_bolt.request import BoltRequest

from bot.console.localslack import Call, LocalSlack
from bot.console.render import PLAIN, Button, Style, draw

CONSOLE_USER = "UCONSOLE"
CONSOLE_CHANNEL = "CCONSOLE"
Ask = Callable[[str], str]


class ConsoleSession:
    """Sends what the person types to the app and draws what the app sends back."""

    def __init__(
        self,
        app: App,
        slack: LocalSlack,
        out: TextIO,
        *,
        style: Style = PLAIN,
        alert_channel: str | None = None,
        user: str = CONSOLE_USER,
        channel: str = CONSOLE_CHANNEL,
        updates: bool = True,
    ) -> None:
        self.app, self.slack, self.out, self.style = app, slack, out, style
        self.alert_channel, self.user, self.channel = alert_channel, user, channel
        self.updates = updates  # False: new posts only, no in-place updates or thread notes
        self.buttons: dict[int, tuple[Button, str | None]] = {}  # number -> (button, msg ts)
        self.pending_view: dict[str, Any] | None = None
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._events = 0
        self._changed = threading.Condition(self._lock)
        slack.subscribers.append(self._on_call)

    # ------------------------------------------------------------ what the app sends

    def _on_call(self, call: Call, answer: dict[str, Any]) -> None:
        method, body = call.method, call.body
        if method.startswith("response_url/"):
            kind = "ephemeral" if body.get("response_type") != "in_channel" else "channel"
            self._show(f"[{kind}]", body.get("blocks") or [], body.get("text"), None)
        elif method == "chat.postMessage":
            where = "#alerts" if body.get("channel") == self.alert_channel else "#channel"
            if body.get("thread_ts"):
                if not self.updates:
                    return
                where += " (thread)"
            self._show(f"[{where}]", body.get("blocks") or [], body.get("text"), answer.get("ts"))
        elif method == "chat.update" and self.updates:
            where = "#alerts" if body.get("channel") == self.alert_channel else "#channel"
            blocks, text = body.get("blocks") or [], body.get("text")
            self._show(f"[{where} updated]", blocks, text, body.get("ts"))
        elif method == "chat.postEphemeral":
            self._show("[ephemeral]", body.get("blocks") or [], body.get("text"), None)
        elif method in ("views.open", "views.update", "views.push"):
            view = dict(answer.get("view") or body.get("view") or {})
            title = (view.get("title") or {}).get("text", "")
            self._show(f"[modal] {title}", view.get("blocks", []), None, None)
            with self._lock:
                self.pending_view = view
        else:
            return
        with self._changed:
            self._events += 1
            self._changed.notify_all()

    def _show(self, label: str, blocks: list[dict[str, Any]], text: Any, ts: Any) -> None:
        with self._lock:
            first = len(self.buttons) + 1
            drawing = draw(blocks, style=self.style, first_number=first)
            for offset, button in enumerate(drawing.buttons):
                self.buttons[first + offset] = (button, None if ts is None else str(ts))
            body = drawing.text if blocks else str(text or "")
            self.out.write(f"\n{self.style.dim}{label}{self.style.reset}\n{body}\n")
            self.out.flush()

    def seen(self) -> int:
        """How many posts the app has made so far: the baseline to wait for an answer from."""
        with self._lock:
            return self._events

    def wait_quiet(self, since: int, *, first: float = 20.0, quiet: float = 0.5) -> None:
        """Wait for the app's answer: a post after the ``since`` baseline (up to ``first`` s),
        then a quiet spell. Take the baseline before dispatching: the answer may come back
        before the dispatch returns."""
        with self._changed:
            deadline = time.monotonic() + first
            while self._events == since and time.monotonic() < deadline:
                self._changed.wait(deadline - time.monotonic())
            seen = -1
            while seen != self._events:
                seen = self._events
                self._changed.wait(quiet)

    # ------------------------------------------------------------ what the person does

    def _dispatch(self, body: dict[str, Any]) -> dict[str, Any] | None:
        response = self.app.dispatch(BoltRequest(body=body, mode="socket_mode"))
        if response.status >= 400:
            self.out.write(f"(the app answered {response.status})\n")
        if response.body:
            try:
                parsed = json.loads(response.body)
            except ValueError:
                return None
            return parsed if isinstance(parsed, dict) else None
        return None

    def command(self, text: str) -> None:
        """``/sapo compare ATB-M``: the text after the command name goes to the app."""
        since = self.seen()
        self._dispatch(
            {
                "command": "/sapo",
                "text": text,
                "user_id": self.user,
                "user_name": "console",
                "channel_id": self.channel,
                "team_id": "T0LOCAL",
                "response_url": self.slack.response_url(f"c{next(self._ids)}"),
                "trigger_id": f"console.{next(self._ids)}",
            }
        )
        self.wait_quiet(since)

    def press(self, number: int, ask: Ask) -> None:
        """Press button ``number``; a button with a confirmation asks first, as Slack does."""
        with self._lock:
            found = self.buttons.get(number)
        if found is None:
            self.out.write(f"no button [{number}]\n")
            return
        button, ts = found
        if button.confirm and ask(f"{button.confirm} [y/N] ").strip().lower() not in ("y", "yes"):
            self.out.write("cancelled\n")
            return
        action: dict[str, Any] = {
            "type": "button",
            "action_id": button.action_id,
            "block_id": button.block_id,
            "value": button.value,
            "action_ts": f"{time.time():.6f}",
        }
        body: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": self.user, "name": "console"},
            "team": {"id": "T0LOCAL"},
            "channel": {"id": self.channel},
            "actions": [action],
            "response_url": self.slack.response_url(f"a{next(self._ids)}"),
            "trigger_id": f"console.{next(self._ids)}",
            "container": {"type": "message", "message_ts": ts or f"console.{next(self._ids)}"},
        }
        if ts:
            body["message"] = {"ts": ts}
        since = self.seen()
        self._dispatch(body)
        if button.url:
            # Slack opens the link and tells the app, which only acknowledges: nothing to await.
            self.out.write(f"opens {button.url}\n")
            return
        self.wait_quiet(since)

    def submit_view(self, ask: Ask) -> None:
        """Fill the open modal's inputs one by one (Enter keeps the current value) and submit."""
        with self._lock:
            view, self.pending_view = self.pending_view, None
        if view is None:
            self.out.write("no form is open\n")
            return
        values: dict[str, dict[str, Any]] = {}
        for block in view.get("blocks", []):
            if block.get("type") != "input":
                continue
            element = block["element"]
            label = (block.get("label") or {}).get("text", "")
            values[block["block_id"]] = {element["action_id"]: _fill(element, label, ask)}
        since = self.seen()
        answer = self._dispatch(
            {
                "type": "view_submission",
                "user": {"id": self.user, "name": "console"},
                "team": {"id": "T0LOCAL"},
                "trigger_id": f"console.{next(self._ids)}",
                "view": {**view, "state": {"values": values}},
            }
        )
        if answer and answer.get("response_action") == "errors":
            for message in answer.get("errors", {}).values():
                self.out.write(f"⚠️ {message}\n")
            with self._lock:
                self.pending_view = view
        self.wait_quiet(since, first=3.0)


def _fill(element: dict[str, Any], label: str, ask: Ask) -> dict[str, Any]:
    kind = element.get("type")
    if kind in ("static_select", "multi_static_select"):
        options = element.get("options", [])
        listing = "; ".join(f"{i}. {o['text']['text']}" for i, o in enumerate(options, 1))
        if kind == "static_select":
            current = element.get("initial_option")
            reply = ask(f"{label} ({listing}) [Enter keeps]: ").strip()
            if reply.isdigit() and 0 < int(reply) <= len(options):
                current = options[int(reply) - 1]
            return {"type": kind, "selected_option": current}
        current_many = element.get("initial_options", [])
        reply = ask(f"{label} ({listing}), numbers separated by commas [Enter keeps]: ").strip()
        if reply:
            picks = [int(p) for p in reply.replace(" ", "").split(",") if p.isdigit()]
            current_many = [options[p - 1] for p in picks if 0 < p <= len(options)]
        return {"type": kind, "selected_options": current_many}
    if kind == "number_input":
        reply = ask(f"{label} [{element.get('initial_value', '')}]: ").strip()
        return {"type": kind, "value": reply or element.get("initial_value", "")}
    reply = ask(f"{label}: ")
    return {"type": kind, "value": reply or element.get("initial_value", "")}
