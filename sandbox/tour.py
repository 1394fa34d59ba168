"""What a shop's staff would do by hand in the Sapo admins, scripted for the demo and tests.

Every action goes through the sandbox's public HTTP APIs (never its in-memory state), so
webhooks fire and the sync sees exactly what it would see on a real store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from sandbox.seeds import (
    DEMO_BLANK_SKU_PRODUCT_ID,
    DEMO_BLANK_SKU_VARIANT_ID,
    DEMO_DUPLICATE_PRODUCT_ID,
    DEMO_DUPLICATE_SKU,
    DEMO_NEGATIVE_SKU,
    DEMO_OPTION_MISMATCH_WEB_PRODUCT_ID,
    DEMO_UNTRACKED_SKU,
    DEMO_WEB_LOCATION_ID,
    DEMO_WEB_ONLY_SKUS,
)

# The SKUs staff give the duplicate and the blank web variant; both then exist on the web only.
FIXED_DUPLICATE_SKU = f"{DEMO_DUPLICATE_SKU}-CU"
FIXED_BLANK_SKU = f"SKU-{DEMO_BLANK_SKU_PRODUCT_ID}"
# Every web SKU that has no POS twin once the preflight fixes are made (R3: created on POS).
WEB_ONLY_AFTER_FIXES = (*DEMO_WEB_ONLY_SKUS, FIXED_BLANK_SKU, FIXED_DUPLICATE_SKU)


@dataclass(frozen=True, slots=True)
class Sale:
    """A counter sale rung up at one POS branch."""

    code: str
    branch: str
    sku: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Fix:
    """One correction made in the web admin, in words a person understands."""

    problem: str
    action: str


class ShopStaff:
    """A member of staff with admin access to both stores of a running sandbox."""

    def __init__(self, base_url: str, api_key: str, api_secret: str) -> None:
        self._http = httpx.Client(base_url=base_url, auth=(api_key, api_secret), timeout=10.0)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ShopStaff:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------ web admin

    def _admin(self, api: str, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        """A call to ``/<api>/admin/<path>`` ("web" or "pos"), raising on an error status."""
        response = self._http.request(method, f"/{api}/admin/{path}", json=body)
        response.raise_for_status()
        return response.json()

    def _web(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._admin("web", method, path, body)

    def web_variant_by_sku(self, sku: str) -> dict[str, Any]:
        page = 1
        while True:
            products = self._web("GET", f"products.json?limit=250&page={page}")["products"]
            for product in products:
                for variant in product["variants"]:
                    if (variant.get("sku") or "") == sku:
                        found: dict[str, Any] = variant
                        return found
            if len(products) < 250:
                raise LookupError(f"no web variant with SKU {sku}")
            page += 1

    def fix_demo_preflight_problems(self) -> list[Fix]:
        """Correct every problem the demo seed plants for R1, as staff would in the admin."""
        fixes: list[Fix] = []
        product = self._web("GET", f"products/{DEMO_DUPLICATE_PRODUCT_ID}.json")["product"]
        for variant in product["variants"]:
            if variant.get("sku") == DEMO_DUPLICATE_SKU:
                new_sku = FIXED_DUPLICATE_SKU
                self._web("PUT", f"variants/{variant['id']}.json", {"variant": {"sku": new_sku}})
                fixes.append(
                    Fix(f"SKU {DEMO_DUPLICATE_SKU} used twice", f"renamed one to {new_sku}")
                )
        self._web(
            "PUT",
            f"variants/{DEMO_BLANK_SKU_VARIANT_ID}.json",
            {"variant": {"sku": FIXED_BLANK_SKU}},
        )
        fixes.append(Fix("a web variant without SKU", f"gave it SKU {FIXED_BLANK_SKU}"))
        untracked = self.web_variant_by_sku(DEMO_UNTRACKED_SKU)
        self._web(
            "PUT",
            f"variants/{untracked['id']}.json",
            {"variant": {"inventory_management": "bizweb"}},
        )
        fixes.append(Fix(f"{DEMO_UNTRACKED_SKU} does not track stock", "turned tracking on"))
        negative = self.web_variant_by_sku(DEMO_NEGATIVE_SKU)
        self.set_web_stock(negative["inventory_item_id"], 0)
        fixes.append(Fix(f"{DEMO_NEGATIVE_SKU} has negative stock", "counted it: 0"))
        return fixes

    def fix_demo_option_mismatch(self, option_names: tuple[str, str]) -> Fix:
        """Split the web product's single option into the POS twin's two (clears R10)."""
        pid = DEMO_OPTION_MISMATCH_WEB_PRODUCT_ID
        product = self._web("GET", f"products/{pid}.json")["product"]
        variants = []
        for variant in product["variants"]:
            first, _, second = str(variant.get("option1") or "").partition(" - ")
            variants.append({"id": variant["id"], "option1": first, "option2": second or None})
        body = {
            "product": {
                "id": pid,
                "options": [{"name": name} for name in option_names],
                "variants": variants,
            }
        }
        self._web("PUT", f"products/{pid}.json", body)
        return Fix(
            f"{product['name']}: web options differ from POS",
            f"split into {' / '.join(option_names)}",
        )

    def set_web_stock(self, inventory_item_id: int, available: float) -> None:
        body = {
            "inventory_level": {
                "location_id": DEMO_WEB_LOCATION_ID,
                "inventory_item_id": inventory_item_id,
                "available": available,
            }
        }
        self._web("PUT", "inventory_levels/set.json", body)

    def place_web_order(
        self, sku: str, quantity: int, *, phone: str, email: str, last_name: str, first_name: str
    ) -> dict[str, Any]:
        """A shopper's checkout: an order that takes the stock on the web store."""
        variant = self.web_variant_by_sku(sku)
        body = {
            "order": {
                "line_items": [
                    {"variant_id": variant["id"], "quantity": quantity, "price": variant["price"]}
                ],
                "email": email,
                "phone": phone,
                "customer": {
                    "first_name": first_name,
                    "last_name": last_name,
                    "phone": phone,
                    "email": email,
                },
                "financial_status": "pending",
                "inventory_behaviour": "decrement_obeying_policy",
            }
        }
        order: dict[str, Any] = self._web("POST", "orders.json", body)["order"]
        return order

    # ------------------------------------------------------------ POS admin and counter

    def _pos(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._admin("pos", method, path, body)

    def pos_variant_by_sku(self, sku: str) -> dict[str, Any]:
        page = 1
        while True:
            variants = self._pos("GET", f"variants.json?limit=250&page={page}")["variants"]
            for variant in variants:
                if (variant.get("sku") or "") == sku:
                    found: dict[str, Any] = variant
                    return found
            if len(variants) < 250:
                raise LookupError(f"no POS variant with SKU {sku}")
            page += 1

    def sell_at_pos(self, sku: str, quantity: int, location_id: int) -> Sale:
        """A cashier rings up ``quantity`` x ``sku`` at a branch: a finalized POS order."""
        variant = self.pos_variant_by_sku(sku)
        body = {
            "order": {
                "location_id": location_id,
                "order_line_items": [{"variant_id": variant["id"], "quantity": quantity}],
                "note": "counter sale",
            }
        }
        order = self._pos("POST", "orders.json", body)["order"]
        locations = self._pos("GET", "locations.json")["locations"]
        branch = next(
            (str(b["name"]) for b in locations if b["id"] == order["location_id"]),
            str(order["location_id"]),
        )
        return Sale(code=str(order["code"]), branch=branch, sku=sku, quantity=quantity)
