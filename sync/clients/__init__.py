"""The only code that speaks HTTP to Sapo: one client per API, built by the factories."""

from sync.clients.factory import DEFAULT_TIMEOUT, make_pos_client, make_web_client
from sync.clients.pos import PosClient
from sync.clients.ratelimit import RateLimiter
from sync.clients.web import WebClient

__all__ = [
    "DEFAULT_TIMEOUT",
    "PosClient",
    "RateLimiter",
    "WebClient",
    "make_pos_client",
    "make_web_client",
]
