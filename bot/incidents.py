"""Unexpected failures become logged incidents with an id a person can quote."""

from __future__ import annotations

import logging
import uuid

log = logging.getLogger("bot.incident")


def log_incident(exc: BaseException, *, where: str, user: str | None = None) -> str:
    """Log ``exc`` with its traceback under a short new id, and return the id."""
    incident = uuid.uuid4().hex[:8]
    log.error(
        "incident id=%s where=%s user=%s error=%s",
        incident,
        where,
        user or "-",
        type(exc).__name__,
        exc_info=exc,
    )
    return incident
