"""Webhook subscriptions and signed deliveries from both APIs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
from typing import Any

import httpx

from sandbox import Sandbox
from sandbox.seeds import DEMO_POS_DEFAULT_LOCATION_ID
from sandbox.webhooks import FIRST_DELAY
from tests.sandbox.conftest import SECRET, Receiver


def _signed(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


def _subscribe(http: httpx.Client, topic: str, address: str) -> dict[str, Any]:
    answer = http.post(
        "/admin/webhooks.json", json={"webhook": {"topic": topic, "address": address}}
    )
    assert answer.status_code == 201
    hook: dict[str, Any] = answer.json()["webhook"]
    return hook


def test_web_order_create_is_delivered_signed(
    web: httpx.Client, receiver: tuple[Receiver, str]
) -> None:
    """orders/create arrives as the bare order with topic, shop domain and a valid HMAC."""
    inbox, url = receiver
    _subscribe(web, "orders/create", url)
    variant = web.get("/admin/products.json").json()["products"][6]["variants"][0]
    order = web.post(
        "/admin/orders.json",
        json={"order": {"line_items": [{"variant_id": variant["id"], "quantity": 1}]}},
    ).json()["order"]
    (hook,) = inbox.wait_for(1)
    assert hook.path == "/hooks"
    assert hook.headers["X-Sapo-Topic"] == "orders/create"
    assert hook.headers["X-Sapo-Shop-Domain"].endswith(".mysapo.net")
    assert hmac.compare_digest(hook.headers["X-Sapo-Hmac-Sha256"], _signed(hook.body))
    assert hook.json()["id"] == order["id"]


def test_pos_stock_change_fires_inventories_update(
    sb: Sandbox, pos: httpx.Client, receiver: tuple[Receiver, str]
) -> None:
    """A store stock change (control surface) fires POS inventories/update with the variant."""
    inbox, url = receiver
    _subscribe(pos, "inventories/update", url)
    sb.set_pos_inventory("VCA-M", DEMO_POS_DEFAULT_LOCATION_ID, 9)
    (hook,) = inbox.wait_for(1)
    assert hook.headers["X-Sapo-Topic"] == "inventories/update"
    assert hook.headers["X-Sapo-Tenant-Domain"].endswith(".mysapo.vn")
    assert hmac.compare_digest(hook.headers["X-Sapo-Hmac-Sha256"], _signed(hook.body))
    payload = hook.json()
    assert payload["sku"] == "VCA-M"
    stock = [i for i in payload["inventories"] if i["location_id"] == DEMO_POS_DEFAULT_LOCATION_ID]
    assert stock[0]["on_hand"] == 9


def test_product_topics_on_both_apis(
    pos: httpx.Client, web: httpx.Client, receiver: tuple[Receiver, str]
) -> None:
    """products/create, update and delete are delivered by both APIs in order."""
    inbox, url = receiver
    for topic in ("products/create", "products/update", "products/delete"):
        _subscribe(pos, topic, url)
        _subscribe(web, topic, url)
    made = pos.post("/admin/products", json={"product": {"name": "Mũ len", "sku": "ML-01"}})
    pid = made.json()["product"]["id"]
    pos.put(f"/admin/products/{pid}", json={"product": {"name": "Mũ len đỏ"}})
    pos.delete(f"/admin/products/{pid}")
    wid = web.post("/admin/products.json", json={"product": {"name": "Mũ len"}}).json()["product"][
        "id"
    ]
    web.put(f"/admin/products/{wid}.json", json={"product": {"name": "Mũ len đỏ"}})
    web.delete(f"/admin/products/{wid}.json")
    hooks = inbox.wait_for(6)
    seen = [
        (h.headers.get("X-Sapo-Tenant-Domain") is not None, h.headers["X-Sapo-Topic"])
        for h in hooks
    ]
    topics = ["products/create", "products/update", "products/delete"]
    assert seen == [(True, t) for t in topics] + [(False, t) for t in topics]
    assert hooks[2].json() == {"id": pid}


def test_orders_updated_reaches_both_spellings(
    web: httpx.Client, receiver: tuple[Receiver, str]
) -> None:
    """A subscription to `orders/update` or `orders/updated` gets the order update."""
    inbox, url = receiver
    _subscribe(web, "orders/updated", url + "/a")
    _subscribe(web, "orders/update", url + "/b")
    order_id = web.get("/admin/orders.json").json()["orders"][0]["id"]
    web.put(f"/admin/orders/{order_id}.json", json={"order": {"note": "Giao giờ hành chính"}})
    hooks = inbox.wait_for(2)
    assert sorted(h.path for h in hooks) == ["/hooks/a", "/hooks/b"]
    assert {h.json()["note"] for h in hooks} == {"Giao giờ hành chính"}


def test_failed_delivery_is_retried(
    sb: Sandbox, web: httpx.Client, receiver: tuple[Receiver, str]
) -> None:
    """A receiver answering 500 twice still gets the delivery, on the third try."""
    inbox, url = receiver
    inbox.fail_first = 2
    _subscribe(web, "customers/create", url)
    web.post("/admin/customers.json", json={"customer": {"first_name": "Thử", "phone": "0900"}})
    (hook,) = inbox.wait_for(1)
    assert inbox.attempts == 3
    assert hook.json()["first_name"] == "Thử"
    sb.wait_for_webhooks()
    assert sb.stats()["webhooks"]["delivered"] == 1


def test_retries_back_off(sb: Sandbox, web: httpx.Client, receiver: tuple[Receiver, str]) -> None:
    """Each retry waits longer than the one before: the first delay, then doubling."""
    inbox, url = receiver
    inbox.fail_first = 2
    _subscribe(web, "customers/create", url)
    web.post("/admin/customers.json", json={"customer": {"first_name": "Chờ"}})
    inbox.wait_for(1)
    with inbox.lock:
        arrivals = list(inbox.arrivals)
    gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
    # Lower bounds only: a retry is due `delay` after the failed attempt ended, so a loaded
    # machine can stretch a gap but never shorten it; no back-off would give gaps of ~ms.
    assert len(gaps) == 2
    for n, gap in enumerate(gaps):
        assert gap >= FIRST_DELAY * 2**n, gaps


def test_webhook_management(pos: httpx.Client, web: httpx.Client) -> None:
    """Webhooks list, count and delete; a missing topic or address is a 422 per field."""
    hook = _subscribe(web, "orders/create", "https://example.test/hook")
    assert web.get("/admin/webhooks/count.json").json() == {"count": 1}
    assert [h["id"] for h in web.get("/admin/webhooks.json").json()["webhooks"]] == [hook["id"]]
    invalid = web.post("/admin/webhooks.json", json={"webhook": {"format": "json"}})
    assert invalid.status_code == 422
    assert set(invalid.json()["errors"]) == {"topic", "address"}
    assert web.delete(f"/admin/webhooks/{hook['id']}.json").status_code == 200
    assert web.get("/admin/webhooks.json").json() == {"webhooks": []}
    pos_hook = _subscribe(pos, "inventories/update", "https://example.test/pos")
    listed = pos.get("/admin/webhooks").json()
    assert listed["metadata"]["total"] == 1
    assert listed["webhooks"][0]["id"] == pos_hook["id"]
    assert (
        pos.post(
            "/admin/webhooks", json={"webhook": {"topic": "x/y", "address": "https://a.b"}}
        ).status_code
        == 422
    )
