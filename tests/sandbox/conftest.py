"""Fixtures for the sandbox tests: one served sandbox per session, reset before each test."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from sandbox import Sandbox

KEY, SECRET = "sandbox", "sandbox-secret"


def client(
    base_url: str,
    auth: tuple[str, str] | None = (KEY, SECRET),
    headers: dict[str, str] | None = None,
) -> httpx.Client:
    """An httpx client with the sandbox credentials (and no proxy from the environment)."""
    return httpx.Client(
        base_url=base_url, auth=auth, headers=headers, timeout=10.0, trust_env=False
    )


def wait_until(check: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    """Poll `check` until it holds; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.01)


@pytest.fixture(scope="session")
def served() -> Iterator[Sandbox]:
    """The session's sandbox server."""
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def sb(served: Sandbox) -> Sandbox:
    """The sandbox, freshly reset to the demo seed."""
    served.reset("demo")
    return served


@pytest.fixture
def pos(sb: Sandbox) -> Iterator[httpx.Client]:
    """A client of the fake POS API."""
    with client(sb.pos_url) as http:
        yield http


@pytest.fixture
def web(sb: Sandbox) -> Iterator[httpx.Client]:
    """A client of the fake Web API."""
    with client(sb.web_url) as http:
        yield http


@dataclass
class Hook:
    """One webhook delivery as the receiver saw it."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict[str, Any]:
        """The decoded body."""
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass
class Receiver:
    """A tiny webhook receiver; answers 500 to the first `fail_first` deliveries."""

    fail_first: int = 0
    hooks: list[Hook] = field(default_factory=list)
    attempts: int = 0
    arrivals: list[float] = field(default_factory=list)  # time.monotonic() of every attempt
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, server: ThreadingHTTPServer, path: str = "/hooks") -> str:
        """The address to subscribe."""
        return f"http://127.0.0.1:{server.server_address[1]}{path}"

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Hook]:
        """Wait until `count` deliveries were accepted."""

        def enough() -> bool:
            with self.lock:
                return len(self.hooks) >= count

        wait_until(enough, timeout, f"{count} webhook deliveries")
        with self.lock:
            return list(self.hooks)


@pytest.fixture
def receiver() -> Iterator[tuple[Receiver, str]]:
    """A running receiver and its URL; stopped at the end of the test."""
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with state.lock:
                state.arrivals.append(time.monotonic())
                state.attempts += 1
                failing = state.attempts <= state.fail_first
                if not failing:
                    state.hooks.append(Hook(self.path, dict(self.headers.items()), body))
            self.send_response(500 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, state.url(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
