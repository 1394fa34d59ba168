"""A minimal fake of the Slack Web API and of response URLs: answers ``ok`` and counts posts."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self


class FakeSlack:
    """A loopback server on a free port: ``api_url`` for the bot, a response URL per command."""

    def __init__(self) -> None:
        self.posts: Counter[str] = Counter()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                path = self.path.strip("/")
                with fake._lock:
                    fake.posts[path.split("/", 1)[0]] += 1
                body: dict[str, Any] = {"ok": True}
                if path.startswith("api/"):  # Web API methods that return a message want a ts
                    body |= {"channel": "C0BENCH", "ts": f"{time.time():.6f}"}
                raw = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, format: str, *args: Any) -> None:
                return  # quiet: the bench prints its own figures

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, key: str) -> str:
        return f"{self.base_url}/response/{key}"

    def count(self, kind: str) -> int:
        """Posts received on ``api`` or ``response`` URLs."""
        with self._lock:
            return self.posts[kind]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
