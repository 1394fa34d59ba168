"""One Sapo HTTP call done right: paced, retried only when that cannot duplicate, errors mapped."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

import httpx

from sync.clients.http_errors import ApiIdentity, error_for
from sync.clients.ratelimit import RateLimiter, Sleep
from sync.clock import Clock
from sync.errors import RetryableError

log = logging.getLogger(__name__)

CALL_LIMIT_HEADERS = ("X-Sapo-Api-Call-Limit", "X-Bizweb-Api-Call-Limit")
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE"})

# Failures that happen before the request leaves this process: nothing reached Sapo, so even a
# POST may be sent again.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

Params = Mapping[str, str | int]


class SapoHttp:
    """Wraps an ``httpx.Client`` with the rate budget, the retry policy and the error mapping.

    Reads and idempotent writes are retried on timeouts, dropped connections and 5xx with
    exponential back-off and jitter. A POST is sent again only when it provably never left
    (connect failure) or Sapo refused it with a 429; anything else raises
    ``RetryableError(outcome_unknown=True)`` and the caller looks before it tries again.
    A 429 waits Sapo's ``Retry-After`` and then the pacing; no wait runs past ``deadline_s``:
    the call ends as ``RetryableError`` (status 429) instead.
    """

    def __init__(
        self,
        client: httpx.Client,
        *,
        api: ApiIdentity,
        limiter: RateLimiter,
        clock: Clock,
        sleep: Sleep,
        max_attempts: int = 5,
        deadline_s: float = 120.0,
        backoff_s: float = 0.5,
        max_backoff_s: float = 30.0,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._client = client
        self.api = api
        self.limiter = limiter
        self._clock = clock
        self._sleep = sleep
        self._max_attempts = max_attempts
        self._deadline_s = deadline_s
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s
        self._jitter = jitter

    @property
    def timeout(self) -> httpx.Timeout:
        """The connect, read, write and pool limits every call runs under."""
        return self._client.timeout

    def close(self) -> None:
        self._client.close()

    def get(self, path: str, params: Params | None = None, *, missing_ok: bool = False) -> Any:
        """GET and decode; with ``missing_ok`` a 404 gives None instead of an error."""
        return self.request("GET", path, params=params, missing_ok=missing_ok)

    def post(self, path: str, body: Any, *, headers: Mapping[str, str] | None = None) -> Any:
        return self.request("POST", path, body=body, headers=headers)

    def put(self, path: str, body: Any) -> Any:
        return self.request("PUT", path, body=body)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        missing_ok: bool = False,
    ) -> Any:
        """One logical call, retried as the policy allows; returns the decoded JSON body."""
        started = self._clock()
        failures = 0
        while True:
            self.limiter.acquire()
            try:
                return self._attempt(method, path, params, body, headers, missing_ok)
            except _Again as again:
                error = again.error
            except RetryableError as unknown:
                if unknown.outcome_unknown:
                    log.warning(
                        "sapo_outcome_unknown api=%s method=%s path=%s status=%s",
                        self.api.label,
                        method,
                        path,
                        unknown.status,
                    )
                raise
            if error.status == 429:
                pause = error.retry_after or 0.0
            else:
                failures += 1
                pause = self._backoff(failures)
            elapsed = (self._clock() - started).total_seconds()
            # The pacing wait the next attempt will meet (a full bucket after a 429) counts too,
            # so the call gives up before the deadline rather than after it.
            ahead = pause + self.limiter.delay(after=pause)
            if failures >= self._max_attempts or elapsed + ahead > self._deadline_s:
                raise error
            log.info(
                "sapo_retry api=%s method=%s path=%s status=%s failures=%d wait_s=%.2f",
                self.api.label,
                method,
                path,
                error.status,
                failures,
                pause,
            )
            self._sleep(pause)

    def _attempt(
        self,
        method: str,
        path: str,
        params: Params | None,
        body: Any,
        headers: Mapping[str, str] | None,
        missing_ok: bool,
    ) -> Any:
        """One HTTP exchange: the decoded body, ``_Again`` when it may be repeated, or an error."""
        try:
            response = self._client.request(
                method, path, params=dict(params) if params else None, json=body, headers=headers
            )
        except httpx.TransportError as exc:
            raise self._transport_failure(method, path, exc) from exc
        self.limiter.observe(_call_limit(response))
        if missing_ok and response.status_code == 404:
            return None
        error = error_for(response, api=self.api)
        if error is None:
            return self._decode(method, path, response)
        if not isinstance(error, RetryableError):
            raise error
        if error.status == 429:
            # Sapo refused the call before doing anything, so even a POST may be repeated.
            self.limiter.saturated()
            raise _Again(error)
        if method in IDEMPOTENT:
            raise _Again(error)
        # A 5xx on a create may come after the record was stored.
        raise RetryableError(
            f"{error}; the {method} may have been applied: look before retrying",
            outcome_unknown=True,
            status=error.status,
        ) from error

    def _transport_failure(self, method: str, path: str, exc: httpx.TransportError) -> Exception:
        kind = type(exc).__name__
        if method in IDEMPOTENT or isinstance(exc, _NOT_SENT):
            return _Again(RetryableError(f"{self.api.label} {method} {path} failed: {kind}"))
        return RetryableError(
            f"{self.api.label} {method} {path}: connection lost after sending ({kind}); "
            "the outcome is unknown: look before retrying",
            outcome_unknown=True,
        )

    def _decode(self, method: str, path: str, response: httpx.Response) -> Any:
        if not response.content.strip():
            return {}
        try:
            return response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            error = RetryableError(
                f"{self.api.label} {method} {path} answered {response.status_code} with a "
                "body that is not JSON",
                outcome_unknown=method not in IDEMPOTENT,
                status=response.status_code,
            )
        if method in IDEMPOTENT:
            raise _Again(error)
        raise error

    def _backoff(self, failures: int) -> float:
        ceiling = min(self._max_backoff_s, self._backoff_s * 2.0 ** (failures - 1))
        return ceiling / 2 + self._jitter() * ceiling / 2


class _Again(Exception):
    """This attempt failed in a way that may be repeated."""

    def __init__(self, error: RetryableError) -> None:
        super().__init__(str(error))
        self.error = error


def _call_limit(response: httpx.Response) -> str | None:
    for name in CALL_LIMIT_HEADERS:
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None


class ClientBase:
    """What both API clients share: the HTTP wrapper, the budget, closing."""

    def __init__(self, http: SapoHttp) -> None:
        self._http = http

    @property
    def budget(self) -> RateLimiter:
        """The call budget as last reported by Sapo (``used``/``limit``), for the bot to show."""
        return self._http.limiter

    @property
    def timeout(self) -> httpx.Timeout:
        """The HTTP time limits: finite, so a Sapo that stops answering never hangs a run."""
        return self._http.timeout

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
