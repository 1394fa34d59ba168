"""Build the two clients: auth, timeouts, User-Agent and a rate budget per API."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version

import httpx

from sync.clients.base import SapoHttp
from sync.clients.http_errors import ApiIdentity
from sync.clients.pos import PosClient
from sync.clients.ratelimit import DEFAULT_LEAK_RATE, RateLimiter, Sleep
from sync.clients.web import WebClient
from sync.clock import Clock, system_clock
from sync.errors import FatalError

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)


def user_agent() -> str:
    try:
        return f"sapo-sync/{version('sapo-sync')}"
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "sapo-sync/0"


def _identity(
    prefix: str, label: str, api_key: str | None, api_secret: str | None, token: str | None
) -> tuple[ApiIdentity, httpx.Auth | None, dict[str, str]]:
    if token:
        credential = f"{prefix}_ACCESS_TOKEN"
        return ApiIdentity(label, f"{prefix}_URL", credential), None, {"X-Sapo-Access-Token": token}
    if api_key and api_secret:
        credential = f"{prefix}_API_KEY/{prefix}_API_SECRET"
        return (
            ApiIdentity(label, f"{prefix}_URL", credential),
            httpx.BasicAuth(api_key, api_secret),
            {},
        )
    raise FatalError(
        f"{label} needs {prefix}_API_KEY and {prefix}_API_SECRET, or {prefix}_ACCESS_TOKEN"
    )


def _http(
    prefix: str,
    label: str,
    base_url: str,
    *,
    api_key: str | None,
    api_secret: str | None,
    access_token: str | None,
    clock: Clock,
    sleep: Sleep,
    timeout: httpx.Timeout,
    transport: httpx.BaseTransport | None,
    deadline_s: float,
    max_attempts: int,
    leak_rate: float,
    jitter: Callable[[], float],
) -> SapoHttp:
    if not base_url.startswith(("https://", "http://")):
        shown = repr(base_url) if base_url else "nothing"
        raise FatalError(f"{label} needs {prefix}_URL as https://yourstore.mysapo.net, got {shown}")
    identity, auth, headers = _identity(prefix, label, api_key, api_secret, access_token)
    client = httpx.Client(
        base_url=base_url.rstrip("/"),
        auth=auth,
        headers={"User-Agent": user_agent(), "Accept": "application/json", **headers},
        timeout=timeout,
        transport=transport,
        follow_redirects=False,  # a redirect means a wrong URL (e.g. the login page): say so
    )
    limiter = RateLimiter(clock=clock, sleep=sleep, leak_rate=leak_rate)
    return SapoHttp(
        client,
        api=identity,
        limiter=limiter,
        clock=clock,
        sleep=sleep,
        deadline_s=deadline_s,
        max_attempts=max_attempts,
        jitter=jitter,
    )


def make_pos_client(
    base_url: str,
    *,
    api_key: str | None = None,
    api_secret: str | None = None,
    access_token: str | None = None,
    clock: Clock = system_clock,
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    transport: httpx.BaseTransport | None = None,
    deadline_s: float = 120.0,
    max_attempts: int = 5,
    leak_rate: float = DEFAULT_LEAK_RATE,
    jitter: Callable[[], float] = random.random,
) -> PosClient:
    """A POS client; the access token wins over key + secret when both are given.

    The bucket size is learnt from Sapo's call-limit header; the leak rate is not sent, so it is
    a setting (2 calls/s, sheet §4.2). ``jitter`` returns a fraction in [0, 1] that places each
    back-off between half and all of its exponential ceiling (tests pass a fixed one).
    """
    return PosClient(
        _http(
            "SAPO_POS",
            "Sapo POS",
            base_url,
            api_key=api_key,
            api_secret=api_secret,
            access_token=access_token,
            clock=clock,
            sleep=sleep,
            timeout=timeout,
            transport=transport,
            deadline_s=deadline_s,
            max_attempts=max_attempts,
            leak_rate=leak_rate,
            jitter=jitter,
        )
    )


def make_web_client(
    base_url: str,
    *,
    api_key: str | None = None,
    api_secret: str | None = None,
    access_token: str | None = None,
    clock: Clock = system_clock,
    sleep: Sleep = time.sleep,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
    transport: httpx.BaseTransport | None = None,
    deadline_s: float = 120.0,
    max_attempts: int = 5,
    leak_rate: float = DEFAULT_LEAK_RATE,
    jitter: Callable[[], float] = random.random,
) -> WebClient:
    """A Sapo Web client; the access token wins over key + secret when both are given."""
    return WebClient(
        _http(
            "SAPO_WEB",
            "Sapo Web",
            base_url,
            api_key=api_key,
            api_secret=api_secret,
            access_token=access_token,
            clock=clock,
            sleep=sleep,
            timeout=timeout,
            transport=transport,
            deadline_s=deadline_s,
            max_attempts=max_attempts,
            leak_rate=leak_rate,
            jitter=jitter,
        )
    )
