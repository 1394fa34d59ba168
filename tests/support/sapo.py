"""Real Sapo clients against a running sandbox, in one line, for any test that needs them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from sandbox import Sandbox
from sync.clients import PosClient, WebClient, make_pos_client, make_web_client
from sync.clients.ratelimit import Sleep
from sync.clock import Clock, system_clock

# Loopback answers come in milliseconds; short timeouts keep a broken test from hanging.
TEST_TIMEOUT = httpx.Timeout(connect=2.0, read=10.0, write=10.0, pool=2.0)


def clients_for(
    sb: Sandbox,
    *,
    clock: Clock = system_clock,
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout = TEST_TIMEOUT,
    deadline_s: float = 60.0,
    max_attempts: int = 5,
    api_secret: str | None = None,
    leak_rate: float | None = None,
) -> tuple[PosClient, WebClient]:
    """A POS and a web client on ``sb`` with its credentials (HTTP Basic); close them after.

    ``api_secret`` overrides the sandbox's secret (to test a rejected credential); the pacing
    assumes the sandbox's own leak rate unless ``leak_rate`` says otherwise.
    """
    options: dict[str, Any] = {
        "api_key": sb.api_key,
        "api_secret": sb.api_secret if api_secret is None else api_secret,
        "max_attempts": max_attempts,
        "leak_rate": sb.state.config.leak_rate if leak_rate is None else leak_rate,
        "clock": clock,
        "sleep": sleep,
        "timeout": timeout,
        "deadline_s": deadline_s,
    }
    # An explicit transport keeps the environment's proxy settings away from loopback.
    pos = make_pos_client(sb.pos_url, transport=httpx.HTTPTransport(), **options)
    web = make_web_client(sb.web_url, transport=httpx.HTTPTransport(), **options)
    return pos, web


@dataclass(frozen=True)
class SapoPair:
    """A running sandbox with a client for each of its APIs."""

    sb: Sandbox
    pos: PosClient
    web: WebClient


@contextmanager
def sandbox_clients(
    seed: str = "demo",
    *,
    bucket: int = 40,
    leak_rate: float = 2.0,
    clock: Clock = system_clock,
    sleep: Sleep = time.sleep,
) -> Iterator[SapoPair]:
    """Start a sandbox and both clients; everything is closed and stopped on exit.

    In a fixture: ``with sandbox_clients("demo") as pair: yield pair``.
    """
    with Sandbox(seed, bucket=bucket, leak_rate=leak_rate) as sb:
        pos, web = clients_for(sb, clock=clock, sleep=sleep)
        with pos, web:
            yield SapoPair(sb, pos, web)


def place_web_order(
    sb: Sandbox,
    lines: list[tuple[int, int]],
    *,
    email: str | None = "khach.moi@example.com",
    phone: str | None = "0911000111",
    decrement_stock: bool = True,
) -> dict[str, Any]:
    """A shopper's order on the web store: ``lines`` are (web variant id, quantity).

    Sent over HTTP like any storefront order; returns Sapo's order JSON.
    """
    body: dict[str, Any] = {
        "line_items": [{"variant_id": vid, "quantity": qty} for vid, qty in lines],
        "email": email,
        "phone": phone,
        "financial_status": "paid",
        "inventory_behaviour": "decrement_ignoring_policy" if decrement_stock else "bypass",
    }
    with httpx.Client(
        base_url=sb.web_url, auth=(sb.api_key, sb.api_secret), trust_env=False, timeout=10.0
    ) as http:
        response = http.post("/admin/orders.json", json={"order": body})
        response.raise_for_status()
        order: dict[str, Any] = response.json()["order"]
        return order
