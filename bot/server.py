"""HTTP mode: one ASGI app (Starlette) for Slack's events, Sapo's webhooks and ``/healthz``."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sync.health import health
from sync.webhooks import handle_delivery

if TYPE_CHECKING:
    from bot.main import BotApp

log = logging.getLogger(__name__)
SOURCES = ("pos", "web")
# Sapo's deliveries are a few kilobytes (a product with 100 variants is ~100 KB); anything far
# larger is not Sapo, and reading it whole before the signature check would let any sender
# fill the memory.
MAX_WEBHOOK_BYTES = 5 * 1024 * 1024


async def _read_capped(request: Request, limit: int) -> bytes | None:
    """The body, or None as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _slack_refusal(
    verifier: SignatureVerifier | None, body: bytes, headers: Any
) -> Response | None:
    """401 for a request Slack did not sign in the last five minutes, decided before anything
    is parsed: Bolt parses the body first and answers 500 to one that is not an object."""
    if verifier is None:
        return None
    try:
        if verifier.is_valid_request(body, dict(headers)):
            return None
    except ValueError:  # a timestamp that is not a number, a body that is not UTF-8
        pass
    log.warning("slack request refused reason=bad_signature bytes=%d", len(body))
    return JSONResponse({"ok": False, "error": "invalid signature"}, status_code=401)


def _well_formed(body: Any) -> bool:
    """The shapes Bolt reads without checking: an object whose ``event`` and ``view`` are
    objects and whose ``actions`` is a list of objects."""
    if not isinstance(body, dict):
        return False
    actions = body.get("actions", [])
    return (
        isinstance(body.get("event", {}), dict)
        and isinstance(body.get("view", {}), dict)
        and isinstance(actions, list)
        and all(isinstance(a, dict) for a in actions)
    )


def asgi_app(bot: BotApp) -> Starlette:
    secret = bot.settings.slack_signing_secret
    verifier = SignatureVerifier(secret.get_secret_value()) if secret else None

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        refused = _slack_refusal(verifier, body, request.headers)
        if refused is not None:
            return refused
        try:
            bolt_request = to_bolt_request(request, body)
        except (ValueError, AttributeError, TypeError):
            bolt_request = None
        if bolt_request is None or not _well_formed(bolt_request.body):
            # Signed, yet not a payload Slack sends: a clear 400 instead of Bolt's 500.
            log.warning("slack request refused reason=malformed_body bytes=%d", len(body))
            return JSONResponse({"ok": False, "error": "malformed body"}, status_code=400)
        # Bolt's dispatch blocks until the listener acks (up to 3 s): keep it off the loop.
        response = await run_in_threadpool(bot.app.dispatch, bolt_request)
        return to_starlette_response(response)

    async def webhook(request: Request) -> Response:
        source = request.path_params["source"]
        if source not in SOURCES:
            return JSONResponse({"ok": False, "error": "unknown source"}, status_code=404)
        secret = bot.settings.sapo_webhook_secret
        if secret is None or bot.scheduler is None:
            return JSONResponse({"ok": False, "error": "webhooks are off"}, status_code=404)
        raw = await _read_capped(request, MAX_WEBHOOK_BYTES)
        if raw is None:
            log.warning("webhook refused source=%s reason=too_large", source)
            return JSONResponse({"ok": False, "error": "body too large"}, status_code=413)
        outcome = await run_in_threadpool(
            lambda: handle_delivery(
                bot.deps.ctx,
                source=source,
                topic=None,
                raw_body=raw,
                headers=dict(request.headers),
                secret=secret.get_secret_value(),
                scheduler=bot.scheduler,
            )
        )
        return JSONResponse(
            {"ok": outcome.status_code < 400, "result": outcome.result},
            status_code=outcome.status_code,
        )

    async def healthz(_request: Request) -> Response:
        if bot.scheduler is None:
            return JSONResponse({"ok": True, "state": "no scheduler", "jobs": []})
        report = health(bot.scheduler)
        return JSONResponse(report.as_dict(), status_code=report.status_code)

    routes: list[Any] = [
        Route("/slack/events", slack_events, methods=["POST"]),
        Route("/webhooks/{source}", webhook, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ]
    return Starlette(routes=routes)
