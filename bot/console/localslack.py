"""A loopback stand-in for Slack's Web API and response URLs, for the console and tests.

It answers what the bot calls (auth.test, chat.*, views.*), keeps every message as the
channel would show it now (updates in place, thread replies), and tells subscribers about
each event so the console can draw posts as they happen.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs

BOT_USER = "U0BOT"
TEAM = "T0LOCAL"
JSON_FIELDS = ("blocks", "view", "attachments", "metadata")


@dataclass(frozen=True)
class Call:
    """One request the app made: the API method (or ``response_url/<key>``) and its body."""

    method: str
    body: dict[str, Any]
    status: int = 200

    @property
    def blocks(self) -> list[dict[str, Any]]:
        if "view" in self.body:
            return list(self.body["view"].get("blocks", []))
        return list(self.body.get("blocks") or [])

    def text_everywhere(self) -> str:
        """Every string in the payload joined: what a reader of it could see."""
        return "\n".join(_strings(self.body))


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


@dataclass
class Posted:
    """A message as the channel shows it now, with its thread."""

    channel: str
    ts: str
    body: dict[str, Any]
    replies: list[dict[str, Any]] = field(default_factory=list)
    updates: int = 0


Subscriber = Callable[[Call, dict[str, Any]], None]


class LocalSlack:
    """``with LocalSlack() as slack:`` serves ``slack.api_url`` and ``slack.response_url(k)``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self.messages: dict[tuple[str, str], Posted] = {}
        self.subscribers: list[Subscriber] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> Self:
        handler = type("Handler", (_Handler,), {"slack": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="local-slack",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("LocalSlack is not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, key: str = "r") -> str:
        return f"{self.url}/response_url/{key}"

    # ------------------------------------------------------------ reading

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def channel_messages(self, channel: str) -> list[Posted]:
        with self._lock:
            return [m for (c, _), m in self.messages.items() if c == channel]

    # ------------------------------------------------------------ answering

    def handle(
        self, method: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Record the call and answer it; subscribers hear about it after the lock is released."""
        with self._lock:
            call = Call(method, body)
            self._calls.append(call)
            answer = self._answer(method, body)
        for subscriber in list(self.subscribers):
            subscriber(call, answer)
        return 200, answer, {}

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://local.slack.invalid/",
                "team": "Local",
                "user": "sapo",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": "B0BOT",
            }
        if method == "chat.postMessage":
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            channel = str(body.get("channel"))
            parent = body.get("thread_ts")
            if parent and (channel, parent) in self.messages:
                self.messages[(channel, parent)].replies.append(body)
            else:
                self.messages[(channel, ts)] = Posted(channel, ts, body)
            return {"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts, **body}}
        if method == "chat.update":
            channel, ts = str(body.get("channel")), str(body.get("ts"))
            posted = self.messages.get((channel, ts))
            if posted is None:
                return {"ok": False, "error": "message_not_found"}
            posted.body, posted.updates = body, posted.updates + 1
            return {"ok": True, "channel": channel, "ts": ts}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}
        if method in ("views.open", "views.update", "views.push", "views.publish"):
            view_id = body.get("view_id") or f"V{next(self._views):08d}"
            view = dict(body.get("view") or {})
            return {"ok": True, "view": {**view, "id": view_id, "hash": f"h{time.time_ns()}"}}
        return {"ok": True}

    def refuse(self, path: str, headers: Any) -> dict[str, Any] | None:
        """An answer that refuses the request before it is handled, or ``None`` to go on."""
        if not (headers.get("Authorization") or "").startswith("Bearer xoxb-"):
            return {"ok": False, "error": "not_authed"}
        return None


class _Handler(BaseHTTPRequestHandler):
    slack: LocalSlack

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the recorded calls are the log."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        body = parse_body(raw, self.headers.get("Content-Type") or "")
        if self.path.startswith("/response_url/"):
            self.slack.handle(self.path.lstrip("/"), body)
            self._reply(200, b"ok", "text/plain", {})
            return
        if not self.path.startswith("/api/"):
            self._reply(404, b"not found", "text/plain", {})
            return
        refusal = self.slack.refuse(self.path, self.headers)
        if refusal is not None:
            self._reply(200, json.dumps(refusal).encode(), "application/json", {})
            return
        method = self.path[len("/api/") :].split("?")[0]
        status, answer, headers = self.slack.handle(method, body)
        self._reply(status, json.dumps(answer).encode(), "application/json", headers)

    def _reply(self, status: int, data: bytes, kind: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def parse_body(raw: str, content_type: str) -> dict[str, Any]:
    """A Web API body: JSON, or a form whose Block Kit fields hold JSON text."""
    if not raw:
        return {}
    if "json" in content_type:
        data = json.loads(raw)
        return data if isinstance(data, dict) else {"_": data}
    form: dict[str, Any] = {k: v[0] for k, v in parse_qs(raw).items()}
    for name in JSON_FIELDS:
        if isinstance(form.get(name), str):
            form[name] = json.loads(form[name])
    return form
