"""Injected faults per API: latency, random 5xx, dropped answers after commit, forced 429."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass
from typing import Any

from sandbox.common import ApiError, invalid

APIS = ("pos", "web")
STATUSES = (500, 502, 503)


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """The faults of one API; the defaults mean no fault."""

    latency_ms: int = 0
    error_rate: float = 0.0
    status: int = 500
    drop_after_commit_rate: float = 0.0
    throttle: bool = False

    def as_json(self) -> dict[str, Any]:
        """The settings as the control surface reports them."""
        return asdict(self)


def _rate(body: dict[str, Any], name: str) -> float:
    value = body.get(name) or 0
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
        raise invalid(name, "must be a number between 0 and 1")
    return float(value)


def parse_faults(body: Any) -> tuple[tuple[str, ...], FaultSettings]:
    """Read a `POST /_sandbox/faults` body into the APIs it names and their new settings."""
    if not isinstance(body, dict):
        raise ApiError(422, "body must be a JSON object")
    api = body.get("api", "both")
    if api not in (*APIS, "both"):
        raise invalid("api", "must be pos, web or both")
    latency = body.get("latency_ms") or 0
    if isinstance(latency, bool) or not isinstance(latency, int | float) or latency < 0:
        raise invalid("latency_ms", "must be a non-negative number")
    status = body.get("status") or 500
    if status not in STATUSES:
        raise invalid("status", "must be 500, 502 or 503")
    settings = FaultSettings(
        latency_ms=int(latency),
        error_rate=_rate(body, "error_rate"),
        status=int(status),
        drop_after_commit_rate=_rate(body, "drop_after_commit_rate"),
        throttle=bool(body.get("throttle", False)),
    )
    return (APIS if api == "both" else (api,)), settings


class Faults:
    """Current fault settings of both APIs and the seeded dice that decide each call."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._seed = seed
        self._settings = dict.fromkeys(APIS, FaultSettings())
        self._dice = random.Random(seed)

    def set(self, apis: tuple[str, ...], settings: FaultSettings) -> None:
        """Replace the settings of the named APIs (omitted fields are off)."""
        with self._lock:
            for api in apis:
                self._settings[api] = settings
            self._dice = random.Random(self._seed)

    def clear(self) -> None:
        """Turn every fault off."""
        self.set(APIS, FaultSettings())

    def get(self, api: str) -> FaultSettings:
        """The settings of one API."""
        with self._lock:
            return self._settings[api]

    def snapshot(self) -> dict[str, Any]:
        """Both APIs' settings."""
        with self._lock:
            return {api: s.as_json() for api, s in self._settings.items()}

    def roll(self, rate: float) -> bool:
        """True with probability `rate` (1 always, 0 never)."""
        if rate <= 0:
            return False
        if rate >= 1:
            return True
        with self._lock:
            return self._dice.random() < rate
