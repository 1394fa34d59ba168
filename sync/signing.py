"""Sapo webhook signatures: Base64 HMAC-SHA256 of the raw body, checked in constant time."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

SIGNATURE_HEADER = "X-Sapo-Hmac-Sha256"
TOPIC_HEADER = "X-Sapo-Topic"


def sign(raw_body: bytes, secret: str) -> str:
    """The header value Sapo sends for ``raw_body`` (sheet §8.5)."""
    digest = hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(raw_body: bytes, header: str | None, secret: str) -> bool:
    """True only when ``header`` is the Base64 HMAC-SHA256 of the exact bytes received.

    Compared as digests in constant time; an empty secret never verifies anything, so a missing
    SAPO_WEBHOOK_SECRET cannot turn the check off.
    """
    if not header or not secret:
        return False
    try:
        given = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).digest()
    return hmac.compare_digest(given, expected)


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header by name whatever its case (frameworks differ; Sapo GO sends lower case)."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return value
    return None


def verified_topic(
    raw_body: bytes, headers: Mapping[str, str], secret: str, topics: frozenset[str]
) -> str | None:
    """The delivery's topic when its signature holds and the topic is one we subscribed to."""
    if not verify_signature(raw_body, header(headers, SIGNATURE_HEADER), secret):
        return None
    topic = (header(headers, TOPIC_HEADER) or "").strip()
    return topic if topic in topics else None
