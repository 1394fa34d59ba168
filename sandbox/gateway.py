"""The front door of each fake API: auth, call counting, rate limit, faults, then the handler."""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import Receive, Scope, Send

from sandbox.common import ApiError, Json
from sandbox.ratelimit import throttle_message
from sandbox.routing import Call, Match, Router
from sandbox.runtime import Runtime
from sandbox.state import SandboxConfig

log = logging.getLogger(__name__)

RAW_SEND = "sandbox.raw_send"  # uvicorn's own `send`, stashed by the app for dropping answers
BAD_CREDENTIALS = "[API] Invalid API key or access token (unrecognized login or wrong password)"
PHRASES = {
    400: "Bad Request",
    401: BAD_CREDENTIALS,
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


def _same(given: str, wanted: str) -> bool:
    return hmac.compare_digest(given.encode(), wanted.encode())


def authenticate(headers: Mapping[str, str], config: SandboxConfig) -> str | None:
    """The app key when the call carries valid credentials, else None (sheet §1.1-1.2).

    Accepted: HTTP Basic key:secret (private apps), or the secret as `X-Sapo-Access-Token`
    (or the legacy `X-Bizweb-Access-Token`). Private-app Basic auth on the core POS API is
    [UNKNOWN] (sheet §1.2); the sandbox accepts it there as Web does (§1.1), so one key and
    secret configure both sides.
    """
    token = headers.get("x-sapo-access-token") or headers.get("x-bizweb-access-token")
    if token and _same(token, config.api_secret):
        return config.api_key
    scheme, _, encoded = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, sep, secret = decoded.partition(":")
    if sep and _same(key, config.api_key) and _same(secret, config.api_secret):
        return config.api_key
    return None


def error_body(api: str, error: ApiError) -> Json:
    """An error in the API's own shape (sheet §5; 401/403/404/405 bodies are §5.1 defaults)."""
    if api == "web":
        if error.fields:
            return {"errors": {field: [msg] for field, msg in error.fields.items()}}
        return {"errors": error.message}
    if error.fields:
        return {"data_error": {"status": error.status, "errors": dict(error.fields)}}
    if error.status == 404:
        return {"error": {"message": "Không tìm thấy đối tượng"}}  # sheet §5.2
    return {"error": {"message": error.message}}


def encode(body: Any) -> bytes:
    """JSON as Sapo sends it: UTF-8, Vietnamese left unescaped."""
    return json.dumps(body, ensure_ascii=False).encode()


async def send_json(
    send: Send, status: int, body: Any, headers: Mapping[str, str] | None = None
) -> None:
    """Answer with a JSON body (already encoded when given as bytes)."""
    payload = body if isinstance(body, bytes) else encode(body)
    raw_headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(payload)).encode()),
    ]
    raw_headers += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": payload})


async def read_body(receive: Receive) -> bytes:
    """The whole request body."""
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


async def drop_connection(scope: Scope, send: Send) -> None:
    """Close the client's connection without any answer, so it sees a network error.

    uvicorn answers 500 when an app fails before responding, so the transport is aborted
    directly; we then wait until uvicorn has noticed, so that it does not answer either.
    """
    raw = scope.get(RAW_SEND, send)
    cycle = getattr(raw, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionAbortedError("sandbox: cannot reach the transport to drop the answer")
    transport.abort()
    for _ in range(1000):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0)


def route_path(scope: Scope) -> str:
    """The path below the mount point (`/admin/...`)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


class ApiGateway:
    """The ASGI app serving one API (`pos` or `web`) from its router."""

    def __init__(self, api: str, router: Router, runtime: Runtime) -> None:
        self.api = api
        self.router = router
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one request."""
        rt = self.runtime
        method: str = scope["method"]
        match = self.router.resolve(method, route_path(scope))
        rt.stats.count(f"{self.api} {method} {match.template or route_path(scope)}")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        credential = authenticate(headers, rt.state.config)
        if credential is None:
            await send_json(send, 401, error_body(self.api, ApiError(401, BAD_CREDENTIALS)))
            return
        faults = rt.faults.get(self.api)
        # The core API's rate limit and headers are [UNKNOWN] (sheet §4.3): the POS gets the
        # Web bucket and headers (§4.2) in a bucket of its own.
        verdict = rt.limiter.full() if faults.throttle else rt.limiter.hit(self.api, credential)
        limits = {
            "X-Sapo-Api-Call-Limit": verdict.header,
            "X-Bizweb-Api-Call-Limit": verdict.header,
        }
        if not verdict.allowed:
            rt.stats.throttled()
            if faults.throttle:
                rt.stats.fault()
            # Retry-After is the time until one call fits, printed like the sheet's "2.0" (§4.2).
            retry = limits | {"Retry-After": f"{verdict.retry_after:.1f}"}
            await send_json(send, 429, {"errors": throttle_message(rt.limiter.leak_rate)}, retry)
            return
        if faults.latency_ms:
            rt.stats.fault()
            await asyncio.sleep(faults.latency_ms / 1000)
        if rt.faults.roll(faults.error_rate):
            rt.stats.fault()
            error = ApiError(faults.status, PHRASES[faults.status])
            await send_json(send, faults.status, error_body(self.api, error), limits)
            return
        raw = await read_body(receive)
        query = dict(parse_qsl(scope.get("query_string", b"").decode(), keep_blank_values=True))
        status, body, extra = self._execute(match, raw, headers, query)
        if method != "GET" and rt.faults.roll(faults.drop_after_commit_rate):
            rt.stats.fault()
            await drop_connection(scope, send)
            return
        await send_json(send, status, body, limits | extra)

    def _execute(
        self, match: Match, raw: bytes, headers: Mapping[str, str], query: Mapping[str, str]
    ) -> tuple[int, Any, dict[str, str]]:
        if match.handler is None:
            if match.allowed:
                error = ApiError(405, PHRASES[405])
                return 405, error_body(self.api, error), {"Allow": ", ".join(match.allowed)}
            return 404, error_body(self.api, ApiError(404, PHRASES[404])), {}
        try:
            body = json.loads(raw) if raw.strip() else None
        except ValueError:
            return 400, error_body(self.api, ApiError(400, "Bad Request: invalid JSON")), {}
        state = self.runtime.state
        try:
            with state.lock:  # encoded under the lock: handlers may return live records
                reply = match.handler(Call(state, match.params, query, body, headers))
                payload = encode(reply.body)
        except ApiError as error:
            return error.status, error_body(self.api, error), {}
        except Exception:
            log.exception("sandbox handler failed api=%s template=%s", self.api, match.template)
            return 500, error_body(self.api, ApiError(500, PHRASES[500])), {}
        finally:
            self.runtime.dispatcher.submit(state.take_outbox())
        return reply.status, payload, {}
