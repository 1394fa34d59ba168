"""The sandbox's ground truth: both fake accounts, their ids, clock, lock and webhook outbox."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sandbox.common import Clock, Json, iso, utc_now
from sandbox.models import IdGen, PosData, PosProduct, PosStock, PosVariant, WebData
from sandbox.seeds import load_seed
from sandbox.webhooks import Delivery

# Web spells the order update topic `orders/updated`, the core API `orders/update`; the sheet
# does not know which one Web accepts, so both subscribe to the same event (sheet §2.10).
_TOPIC_ALIASES = {"orders/updated": "orders/update", "orders/update": "orders/updated"}


@dataclass(frozen=True)
class SandboxConfig:
    """Credentials and rate-limit settings shared by both APIs."""

    api_key: str = "sandbox"
    api_secret: str = "sandbox-secret"
    bucket: int = 40
    leak_rate: float = 2.0


class SandboxState:
    """Both accounts in memory. Hold `lock` while reading or changing anything."""

    def __init__(
        self,
        seed: str = "demo",
        *,
        api_key: str = "sandbox",
        api_secret: str = "sandbox-secret",
        bucket: int = 40,
        leak_rate: float = 2.0,
        clock: Clock = utc_now,
    ) -> None:
        self.config = SandboxConfig(api_key, api_secret, bucket, leak_rate)
        self.clock = clock
        self.lock = threading.RLock()
        self.seed = seed
        self.ids = IdGen()
        self.pos = PosData(tenant={})
        self.web = WebData(store={})
        self._outbox: list[Delivery] = []
        self.load(seed)

    def load(self, seed: str) -> None:
        """Replace all data by a fresh copy of a seed (`demo`, `empty`, `bench:N`)."""
        collecting = gc.isenabled()
        with self.lock:
            gc.disable()  # a bench seed makes ~10^5 objects and no cycles: 3x faster without GC
            try:
                self.pos, self.web, self.ids = load_seed(seed, self.clock())
            finally:
                if collecting:
                    gc.enable()
            if seed.startswith("bench:"):
                # Keep the collector from rescanning the big, acyclic catalogue on every
                # collection (a 250-product page otherwise costs up to 0.4 s in GC).
                gc.freeze()
            self.seed = seed
            self._outbox.clear()

    def now(self) -> str:
        """The current time as Sapo prints it."""
        return iso(self.clock())

    # Webhooks ---------------------------------------------------------------------------

    def fire(self, api: str, topic: str, payload: Callable[[], Json]) -> None:
        """Queue a delivery of `payload()` to every subscription of `topic` on `api`."""
        hooks = self.pos.webhooks if api == "pos" else self.web.webhooks
        wanted = {topic, _TOPIC_ALIASES.get(topic, topic)}
        targets = [hook for hook in hooks.values() if hook["topic"] in wanted]
        if not targets:
            return
        body = payload()
        raw = json.dumps(body, ensure_ascii=False).encode()
        for hook in targets:
            self._outbox.append(
                Delivery(api, hook["topic"], hook["address"], raw, str(body.get("id", "")))
            )

    def take_outbox(self) -> list[Delivery]:
        """Hand over the deliveries queued since the last call."""
        with self.lock:
            out, self._outbox = self._outbox, []
            return out

    # POS stock -----------------------------------------------------------------------------

    def pos_touch(self, variant: PosVariant) -> None:
        """Bump `modified_on` of a POS variant and its product."""
        stamp = self.now()
        variant.modified_on = stamp
        product = self.pos.products.get(variant.product_id)
        if product is not None:
            product.modified_on = stamp

    def pos_variant_by_sku(self, sku: str) -> PosVariant | None:
        """The POS variant carrying a SKU (SKUs are unique on POS)."""
        for variant in self.pos.variants.values():
            if variant.sku == sku:
                return variant
        return None

    def pos_stock(self, variant: PosVariant, location_id: int) -> PosStock:
        """The stock record of a variant at a branch, created on first use."""
        stock = variant.stock.get(location_id)
        if stock is None:
            stock = variant.stock[location_id] = PosStock()
        return stock

    def pos_product_of(self, variant: PosVariant) -> PosProduct:
        """The product a POS variant belongs to."""
        return self.pos.products[variant.product_id]
