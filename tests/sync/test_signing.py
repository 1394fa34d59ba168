"""Webhook signature checks: Base64 HMAC-SHA256 of the raw body (fact sheet §8.5)."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from sync.signing import sign, verified_topic, verify_signature

SECRET = "app-secret"
BODY = '{"id": 175000001, "name": "#1042", "note": "Giao giờ hành chính"}'.encode()


def reference_signature(body: bytes, secret: str) -> str:
    """The sheet's own recipe, written out independently of sync.signing."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def test_a_genuine_delivery_verifies() -> None:
    """The header Sapo computes over the exact raw bytes is accepted."""
    header = reference_signature(BODY, SECRET)
    assert sign(BODY, SECRET) == header
    assert verify_signature(BODY, header, SECRET)
    assert verify_signature(BODY, f"  {header}\n", SECRET)


@pytest.mark.parametrize(
    ("body", "header", "secret"),
    [
        (BODY + b" ", reference_signature(BODY, SECRET), SECRET),  # body re-serialised
        (BODY, reference_signature(BODY, "other"), SECRET),  # signed with another secret
        (BODY, reference_signature(BODY, SECRET).lower(), SECRET),  # mangled
        (BODY, hmac.new(SECRET.encode(), BODY, hashlib.sha256).hexdigest(), SECRET),  # hex
        (BODY, None, SECRET),
        (BODY, "", SECRET),
        (BODY, "not base64 !!", SECRET),
        (BODY, reference_signature(BODY, ""), ""),  # no secret configured
    ],
)
def test_anything_else_is_refused(body: bytes, header: str | None, secret: str) -> None:
    """Changed bytes, a wrong secret, a missing header or an empty secret never verify."""
    assert not verify_signature(body, header, secret)


def test_verified_topic_needs_signature_and_a_known_topic() -> None:
    """A delivery is routed only when signed and its topic is subscribed (any header case)."""
    topics = frozenset({"orders/create", "products/update"})
    good = {"x-sapo-hmac-sha256": sign(BODY, SECRET), "X-Sapo-Topic": "orders/create"}
    assert verified_topic(BODY, good, SECRET, topics) == "orders/create"
    assert verified_topic(BODY, {**good, "X-Sapo-Topic": "app/uninstalled"}, SECRET, topics) is None
    assert verified_topic(BODY + b"x", good, SECRET, topics) is None
