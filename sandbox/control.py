"""The `/_sandbox/` control surface: reset, store stock changes, faults and stats."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common import ApiError, Json, invalid, number
from sandbox.faults import parse_faults
from sandbox.gateway import BAD_CREDENTIALS, authenticate, encode
from sandbox.pos_catalog import set_on_hand
from sandbox.pos_render import render_variant
from sandbox.runtime import Runtime
from sandbox.seeds import parse_seed

Endpoint = Callable[[Request], Awaitable[Response]]


def _json(status: int, body: Any) -> Response:
    return Response(encode(body), status, media_type="application/json; charset=utf-8")


def _guarded(runtime: Runtime, action: Callable[[Any], Json]) -> Endpoint:
    """Wrap a control action: credentials, JSON body, `{"errors": ...}` on failure."""

    async def endpoint(request: Request) -> Response:
        headers = {k.lower(): v for k, v in request.headers.items()}
        if authenticate(headers, runtime.state.config) is None:
            return _json(401, {"errors": BAD_CREDENTIALS})
        raw = await request.body()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            return _json(400, {"errors": "invalid JSON"})
        try:
            result = await run_in_threadpool(action, body)
        except ApiError as error:
            fields = {k: [v] for k, v in error.fields.items()}
            return _json(error.status, {"errors": fields or error.message})
        return _json(200, result)

    return endpoint


def routes(runtime: Runtime) -> list[Route]:
    """The control routes bound to one runtime."""
    state = runtime.state

    def reset(body: Any) -> Json:
        seed = body.get("seed", "demo") if isinstance(body, dict) else "demo"
        try:
            parse_seed(str(seed))
        except ValueError as exc:
            raise invalid("seed", str(exc)) from None
        state.load(str(seed))
        runtime.faults.clear()
        runtime.limiter.clear()
        runtime.stats.clear()
        runtime.dispatcher.clear()
        with state.lock:
            return {
                "seed": state.seed,
                "pos": {"products": len(state.pos.products), "variants": len(state.pos.variants)},
                "web": {"products": len(state.web.products), "variants": len(state.web.variants)},
            }

    def pos_inventory(body: Any) -> Json:
        if not isinstance(body, dict):
            raise ApiError(422, "body must be an object")
        with state.lock:
            sku = str(body.get("sku") or "")
            variant = state.pos_variant_by_sku(sku) if sku else None
            if variant is None:
                raise ApiError(404, f"no POS variant with SKU {sku!r}")
            location_id = body.get("location_id") or state.pos.default_location_id()
            if location_id not in state.pos.locations:
                raise invalid("location_id", "is not a POS location")
            on_hand = number(body.get("on_hand"), "on_hand")
            stamp = state.now()
            set_on_hand(variant, location_id, on_hand, stamp)
            state.pos_touch(variant)
            rendered = render_variant(state.pos, variant)
            state.fire("pos", "inventories/update", lambda: rendered)
        runtime.dispatcher.submit(state.take_outbox())
        return {"variant": rendered}

    def faults(body: Any) -> Json:
        apis, settings = parse_faults(body)
        runtime.faults.set(apis, settings)
        return {"faults": runtime.faults.snapshot()}

    def show_faults(body: Any) -> Json:
        return {"faults": runtime.faults.snapshot()}

    def stats(body: Any) -> Json:
        return runtime.stats.snapshot() | {"webhooks": runtime.dispatcher.counters()}

    def reset_stats(body: Any) -> Json:
        runtime.stats.clear()
        return stats(body)

    return [
        Route("/reset", _guarded(runtime, reset), methods=["POST"]),
        Route("/pos/inventory", _guarded(runtime, pos_inventory), methods=["POST"]),
        Route("/faults", _guarded(runtime, faults), methods=["POST"]),
        Route("/faults", _guarded(runtime, show_faults), methods=["GET"]),
        Route("/stats", _guarded(runtime, stats), methods=["GET"]),
        Route("/stats/reset", _guarded(runtime, reset_stats), methods=["POST"]),
    ]
