"""A loopback proxy in front of the sandbox that spoils scripted answers (truncated, not JSON,
wrongly typed, missing fields) while every other call reaches the real sandbox."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

Spoil = Callable[[int, bytes], tuple[int, bytes, str]]


def truncated(status: int, body: bytes) -> tuple[int, bytes, str]:
    return status, body[: max(1, len(body) // 2)], "application/json"


def login_page(_status: int, _body: bytes) -> tuple[int, bytes, str]:
    return 200, b"<html><body>Dang nhap Sapo</body></html>", "text/html"


def edited(change: Callable[[Any], None]) -> Spoil:
    """The JSON answer with ``change`` applied to it (a wrong type, a missing field)."""

    def spoil(status: int, body: bytes) -> tuple[int, bytes, str]:
        data = json.loads(body)
        change(data)
        return status, json.dumps(data).encode(), "application/json"

    return spoil


@dataclass
class _Rule:
    method: str
    path: re.Pattern[str]
    spoil: Spoil
    times: int


class SpoilingProxy:
    """``with SpoilingProxy(sb.base_url) as proxy:`` serves ``proxy.url``; ``proxy.spoil(...)``
    alters the next ``times`` answers whose method and path match."""

    def __init__(self, upstream: str) -> None:
        self._upstream = httpx.Client(base_url=upstream, trust_env=False, timeout=30)
        self._lock = threading.Lock()
        self._rules: list[_Rule] = []
        self.spoiled = 0
        handler = type("Handler", (_Handler,), {"proxy": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def spoil(self, method: str, path: str, how: Spoil, *, times: int = 1_000_000) -> None:
        with self._lock:
            self._rules.append(_Rule(method, re.compile(path), how, times))

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def _rule_for(self, method: str, path: str) -> Spoil | None:
        with self._lock:
            for rule in self._rules:
                if rule.method == method and rule.times > 0 and rule.path.search(path):
                    rule.times -= 1
                    self.spoiled += 1
                    return rule.spoil
        return None

    def __enter__(self) -> SpoilingProxy:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._upstream.close()


class _Handler(BaseHTTPRequestHandler):
    proxy: SpoilingProxy

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        keep = ("authorization", "content-type", "x-sapo-access-token", "x-sapo-locationid")
        headers = {k: v for k, v in self.headers.items() if k.lower() in keep}
        answer = self.proxy._upstream.request(
            self.command, self.path, content=body, headers=headers
        )
        status, data = answer.status_code, answer.content
        kind = answer.headers.get("content-type", "application/json")
        spoil = self.proxy._rule_for(self.command, self.path.split("?", 1)[0])
        if spoil is not None:
            status, data, kind = spoil(status, data)
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for name in ("X-Sapo-Api-Call-Limit", "Retry-After"):
            if name in answer.headers:
                self.send_header(name, answer.headers[name])
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _forward
