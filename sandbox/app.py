"""The ASGI app: `/pos` (core POS API), `/web` (Sapo Web API) and `/_sandbox` (control)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.types import Receive, Scope, Send

from sandbox import control, pos_api, pos_sales_api, web_api, web_sales_api, web_stock_api
from sandbox.gateway import RAW_SEND, ApiGateway
from sandbox.routing import Router
from sandbox.runtime import Runtime
from sandbox.state import SandboxState


class SandboxApp(Starlette):
    """Starlette, plus the server's raw `send` kept in the scope for dropped answers."""

    runtime: Runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection."""
        scope[RAW_SEND] = send
        await super().__call__(scope, receive, send)


def create_app(state: SandboxState, *, clock: Callable[[], float] = time.monotonic) -> Starlette:
    """Build the app around a state; the webhook worker runs while the app's lifespan does.

    `clock` is the monotonic clock the leaky buckets leak by; a test can pass a fake one.
    """
    runtime = Runtime.for_state(state, clock)
    pos_router = Router(optional_json=True)  # core paths route with and without .json (§1.2)
    pos_api.register(pos_router)
    pos_sales_api.register(pos_router)
    web_router = Router(optional_json=False)
    web_api.register(web_router)
    web_stock_api.register(web_router)
    web_sales_api.register(web_router)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime.dispatcher.start()
        try:
            yield
        finally:
            runtime.dispatcher.stop()

    app = SandboxApp(
        routes=[
            Mount("/pos", app=ApiGateway("pos", pos_router, runtime)),
            Mount("/web", app=ApiGateway("web", web_router, runtime)),
            Mount("/_sandbox", routes=control.routes(runtime)),
        ],
        lifespan=lifespan,
    )
    app.runtime = runtime
    return app
