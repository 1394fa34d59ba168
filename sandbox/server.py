"""Serving the sandbox: `serve()` in the foreground, `Sandbox` in a thread for tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import httpx
import uvicorn

from sandbox.app import create_app
from sandbox.state import SandboxState

START_TIMEOUT = 10.0


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say so, and
    # without it small answers wait for delayed ACKs (40 ms each).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def serve(
    host: str = "127.0.0.1",
    port: int = 8787,
    seed: str = "demo",
    bucket: int = 40,
    leak_rate: float = 2.0,
    api_key: str = "sandbox",
    api_secret: str = "sandbox-secret",
) -> None:
    """Serve both fake APIs until Ctrl-C or SIGTERM; print the two base URLs once listening."""
    state = SandboxState(
        seed, api_key=api_key, api_secret=api_secret, bucket=bucket, leak_rate=leak_rate
    )
    sock = _bind(host, port)
    actual = sock.getsockname()[1]
    config = uvicorn.Config(create_app(state), lifespan="on", log_level="info")
    server = uvicorn.Server(config)
    # The socket already listens, so the URLs are usable as soon as they are printed.
    print(f"SAPO_POS_URL=http://{host}:{actual}/pos", flush=True)  # noqa: T201 - CLI output
    print(f"SAPO_WEB_URL=http://{host}:{actual}/web", flush=True)  # noqa: T201 - CLI output
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # uvicorn re-raises Ctrl-C after its graceful shutdown
        pass
    finally:
        sock.close()


class Sandbox:
    """Both fake APIs served by uvicorn in a background thread, for tests and scripts.

    `with Sandbox() as sb:` starts on a free port and stops cleanly; `sb.pos_url` and
    `sb.web_url` are the base URLs to configure; `sb.state` is the in-process ground truth
    (hold `sb.state.lock` while reading it). Pass `clock` to drive the rate limit by hand.
    """

    def __init__(
        self,
        seed: str = "demo",
        *,
        bucket: int = 40,
        leak_rate: float = 2.0,
        api_key: str = "sandbox",
        api_secret: str = "sandbox-secret",
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.api_key = api_key
        self.api_secret = api_secret
        self.host = host
        self.port = port
        self.state = SandboxState(
            seed, api_key=api_key, api_secret=api_secret, bucket=bucket, leak_rate=leak_rate
        )
        # `clock` (monotonic seconds) drives the leaky buckets, so a test can fill and drain
        # them without waiting in real time; None keeps `time.monotonic`.
        self.app = create_app(self.state, clock=clock or time.monotonic)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        self._client: httpx.Client | None = None
        self._client_lock = threading.Lock()  # threads may make the first control call at once

    @property
    def base_url(self) -> str:
        """`http://HOST:PORT` of the running server."""
        return f"http://{self.host}:{self.port}"

    @property
    def pos_url(self) -> str:
        """What SAPO_POS_URL should be."""
        return f"{self.base_url}/pos"

    @property
    def web_url(self) -> str:
        """What SAPO_WEB_URL should be."""
        return f"{self.base_url}/web"

    def start(self) -> Self:
        """Start serving and wait until the server accepts connections."""
        if self._thread is not None:
            return self
        sock = _bind(self.host, self.port)
        self._sock = sock
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self.app, lifespan="on", log_level="warning", log_config=None, access_log=False
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="sapo-sandbox", daemon=True
        )
        self._server, self._thread = server, thread
        thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the sandbox server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        """Stop the server and its webhook worker; join the thread and release the port."""
        server, thread = self._server, self._thread
        if server is not None:
            server.should_exit = True
        if thread is not None:
            thread.join(timeout=START_TIMEOUT)
        if self._sock is not None:
            self._sock.close()
        if self._client is not None:
            self._client.close()
        self._server = self._thread = self._sock = self._client = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # Control surface helpers ---------------------------------------------------------------

    def control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """Call `/_sandbox/<path>` with the sandbox's credentials; raise on an error status."""
        with self._client_lock:
            if self._client is None:
                self._client = httpx.Client(
                    base_url=f"{self.base_url}/_sandbox",
                    auth=(self.api_key, self.api_secret),
                    timeout=60.0,
                    trust_env=False,
                )
            client = self._client
        response = client.request(method, path, json=body)
        response.raise_for_status()
        return response.json()

    def reset(self, seed: str = "demo") -> dict[str, Any]:
        """Reload a seed; faults, rate-limit buckets, stats and pending webhooks are cleared."""
        result: dict[str, Any] = self.control("POST", "/reset", {"seed": seed})
        return result

    def set_pos_inventory(self, sku: str, location_id: int, on_hand: float) -> dict[str, Any]:
        """A stock count or sale in a store; returns the POS variant after the change."""
        body = {"sku": sku, "location_id": location_id, "on_hand": on_hand}
        variant: dict[str, Any] = self.control("POST", "/pos/inventory", body)["variant"]
        return variant

    def set_faults(self, api: str = "both", **fields: Any) -> dict[str, Any]:
        """Replace the faults of `pos`, `web` or `both`; omitted fields are off."""
        faults: dict[str, Any] = self.control("POST", "/faults", {"api": api, **fields})["faults"]
        return faults

    def stats(self) -> dict[str, Any]:
        """Calls per API, method and path template; throttled; faults; webhook counters."""
        result: dict[str, Any] = self.control("GET", "/stats")
        return result

    def reset_stats(self) -> None:
        """Start counting calls from zero."""
        self.control("POST", "/stats/reset")

    def wait_for_webhooks(self, timeout: float = 10.0) -> None:
        """Block until no webhook delivery is pending (or retrying); raise on timeout."""
        deadline = time.monotonic() + timeout
        while self.stats()["webhooks"]["pending"]:
            if time.monotonic() > deadline:
                raise TimeoutError("webhook deliveries still pending")
            time.sleep(0.01)
