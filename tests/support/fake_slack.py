"""A recording fake of the Slack Web API (and of response_url endpoints) on a loopback port.

Modelled on Bolt's own ``tests/mock_web_api_server``: a stdlib HTTP server in a thread,
but on port 0, recording each call's method and body, keeping the latest state of every
message it has seen (so a test can read what the channel shows now), validating every
Block Kit payload against Slack's limits with ``slack_sdk.models``, and able to answer
429 with ``Retry-After`` or an API error on demand.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

BOT_USER = "U0BOT"
TEAM = "T0FAKE"
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


@dataclass
class Posted:
    """A message as the channel shows it now, with its thread."""

    channel: str
    ts: str
    body: dict[str, Any]
    replies: list[dict[str, Any]] = field(default_factory=list)
    updates: int = 0


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def problems_in_blocks(blocks: list[dict[str, Any]], *, surface: str) -> list[str]:
    """What Slack would refuse in ``blocks``: slack_sdk's model checks plus the gaps they leave."""
    found: list[str] = []
    limit = 50 if surface == "message" else 100
    if len(blocks) > limit:
        found.append(f"{len(blocks)} blocks in a {surface} (limit {limit})")
    for index, raw in enumerate(blocks):
        parsed = Block.parse(raw)
        if parsed is None:
            found.append(f"block {index}: unknown type {raw.get('type')!r}")
            continue
        try:
            parsed.validate_json()
        except Exception as exc:  # SlackObjectFormationError and friends: all are refusals
            found.append(f"block {index}: {exc}")
        for f in raw.get("fields") or []:
            if len(f.get("text", "")) > 2000:
                found.append(f"block {index}: a field over 2000 characters")
        for element in raw.get("elements") or []:
            if element.get("type") == "button":
                if len(element["text"]["text"]) > 75:
                    found.append(f"block {index}: button text over 75 characters")
                if len(element.get("value", "")) > 2000:
                    found.append(f"block {index}: button value over 2000 characters")
            if len(element.get("action_id", "")) > 255:
                found.append(f"block {index}: action_id over 255 characters")
    return found


def problems_in_view(view: dict[str, Any]) -> list[str]:
    found = problems_in_blocks(list(view.get("blocks", [])), surface=view.get("type", "modal"))
    try:
        View(**view).validate_json()
    except Exception as exc:  # any refusal by the model is a problem to report
        found.append(f"view: {exc}")
    if len(view.get("private_metadata", "")) > 3000:
        found.append("view: private_metadata over 3000 characters")
    return found


class FakeSlack:
    """``with FakeSlack() as slack:`` serves ``slack.api_url`` and ``slack.response_url(k)``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[Call] = []
        self._ts = itertools.count(1)
        self._views = itertools.count(1)
        self._scripted: dict[str, list[tuple[int, dict[str, Any], dict[str, str]]]] = {}
        self.messages: dict[tuple[str, str], Posted] = {}
        self.invalid: list[str] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    def __enter__(self) -> FakeSlack:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/"

    def response_url(self, key: str = "r") -> str:
        return f"{self.url}/response_url/{key}"

    # ------------------------------------------------------------ scripting

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 0) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 and ``Retry-After``."""
        self._script(
            method,
            times,
            429,
            {"ok": False, "error": "ratelimited"},
            {"Retry-After": str(retry_after)},
        )

    def fail(self, method: str, error: str, *, times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``{"ok": false, "error": ...}``."""
        self._script(method, times, 200, {"ok": False, "error": error}, {})

    def _script(
        self, method: str, times: int, status: int, body: dict[str, Any], headers: dict[str, str]
    ) -> None:
        with self._lock:
            self._scripted.setdefault(method, []).extend([(status, body, headers)] * times)

    # ------------------------------------------------------------ reading

    def calls(self, method: str | None = None) -> list[Call]:
        with self._lock:
            return [c for c in self._calls if method is None or c.method == method]

    def wait_for(
        self, condition: Callable[[FakeSlack], bool], *, timeout: float = 10.0, what: str = ""
    ) -> None:
        """Poll ``condition`` until it holds or the deadline passes (then fail the test)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return
            time.sleep(0.02)
        methods = [c.method for c in self.calls()]
        raise AssertionError(f"timed out waiting for {what or condition}; calls: {methods}")

    def wait_calls(self, method: str, count: int = 1, *, timeout: float = 10.0) -> list[Call]:
        self.wait_for(
            lambda s: len(s.calls(method)) >= count, timeout=timeout, what=f"{count} x {method}"
        )
        return self.calls(method)

    def channel_messages(self, channel: str) -> list[Posted]:
        with self._lock:
            return [m for (c, _), m in self.messages.items() if c == channel]

    # ------------------------------------------------------------ answering

    def handle(
        self, method: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        with self._lock:
            queue = self._scripted.get(method)
            if queue:
                status, answer, headers = queue.pop(0)
                self._calls.append(Call(method, body, status))
                return status, answer, headers
            self._calls.append(Call(method, body))
            self._validate(method, body)
            return 200, self._answer(method, body), {}

    def _validate(self, method: str, body: dict[str, Any]) -> None:
        if "view" in body:
            problems = problems_in_view(body["view"])
        elif body.get("blocks"):
            problems = problems_in_blocks(body["blocks"], surface="message")
        else:
            problems = []
        if body.get("blocks") and not body.get("text") and method.startswith("chat."):
            problems.append("blocks without a fallback text")
        self.invalid.extend(f"{method}: {p}" for p in problems)

    def _answer(self, method: str, body: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://fake.slack.test/",
                "team": "Fake",
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


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlack

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the recorded calls are the log."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8") if length else ""
        body = _parse(raw, self.headers.get("Content-Type") or "")
        if self.path.startswith("/response_url/"):
            self.fake.handle(self.path.lstrip("/"), body)
            self._reply(200, b"ok", "text/plain", {})
            return
        if not self.path.startswith("/api/"):
            self._reply(404, b"not found", "text/plain", {})
            return
        method = self.path[len("/api/") :].split("?")[0]
        if not (self.headers.get("Authorization") or "").startswith("Bearer xoxb-"):
            self._reply(
                200,
                json.dumps({"ok": False, "error": "not_authed"}).encode(),
                "application/json",
                {},
            )
            return
        status, answer, headers = self.fake.handle(method, body)
        self._reply(status, json.dumps(answer).encode(), "application/json", headers)

    def _reply(self, status: int, data: bytes, kind: str, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if not raw:
        return {}
    if "json" in content_type:
        data = json.loads(raw)
        return data if isinstance(data, dict) else {"_": data}
    form = {k: v[0] for k, v in parse_qs(raw).items()}
    for name in JSON_FIELDS:
        if isinstance(form.get(name), str):
            form[name] = json.loads(form[name])
    return form
