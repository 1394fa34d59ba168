"""Seed loading (`empty`, `demo`, `bench:N`) and the demo's planted problems, for tests to cite.

The `demo` seed (built in `sandbox.demo_seed`) is a fashion shop, "Thời trang Hà My":
35 POS products (3 branches, the lowest id is the default branch; BANLE/BANBUON/GIANHAP
price lists with different prices) and 36 web products on one web location. 30 products
exist on both sides with the same SKUs. Planted on the web for SPEC R1, R5, R10:

- `DEMO_DUPLICATE_SKU`: two web variants carry it (the current cap and an older product,
  `DEMO_DUPLICATE_PRODUCT_ID`); the SKU is also on POS.
- `DEMO_BLANK_SKU_PRODUCT_ID` / `DEMO_BLANK_SKU_VARIANT_ID`: a web-only product whose only
  variant has the SKU "".
- `DEMO_UNTRACKED_SKU`: a web variant with `inventory_management: ""` (also on POS).
- `DEMO_NEGATIVE_SKU`: a web variant with stock `DEMO_NEGATIVE_QUANTITY` (also on POS).
- `DEMO_OPTION_MISMATCH_SKUS`: POS product `DEMO_OPTION_MISMATCH_POS_PRODUCT_ID` has options
  Màu sắc x Kích thước; its web twin `DEMO_OPTION_MISMATCH_WEB_PRODUCT_ID` has the same SKUs
  under one option "Phân loại" (R10).
- `DEMO_WEB_ONLY_SKUS` / `DEMO_POS_ONLY_SKUS`: clean SKUs that exist on one side only (R3).
- `DEMO_PRESETUP_ORDER_IDS`: four web orders placed days before the sandbox started, by
  `DEMO_PRESETUP_CUSTOMER_IDS` (R5): two open, one closed, one cancelled.
- Extras: `DEMO_HIDDEN_WEB_SKUS` (web product unpublished), `DEMO_POS_INACTIVE_SKUS` (POS
  product stopped trading), `DEMO_WEB_PRICE_DIFFERS_SKUS` (web price = BANLE + 20 000),
  `DEMO_CUSTOMER_PHONE_MATCH` / `DEMO_CUSTOMER_EMAIL_MATCH` (a web customer found on POS by
  phone, another by email; R20).
"""

from __future__ import annotations

from datetime import datetime

from sandbox.bench_seed import build_bench
from sandbox.demo_seed import build_demo
from sandbox.models import IdGen, PosData, WebData
from sandbox.seed_base import new_accounts

POS_DOMAIN = "sapo-sandbox.mysapo.vn"
WEB_DOMAIN = "sapo-sandbox.mysapo.net"
BENCH_MAX = 2_000_000

DEMO_POS_LOCATION_IDS = (58000, 58001, 58002)
DEMO_POS_DEFAULT_LOCATION_ID = 58000
DEMO_WEB_LOCATION_ID = 830001
DEMO_PRICE_LIST_IDS = {"BANLE": 167000, "BANBUON": 167001, "GIANHAP": 167002}
DEMO_WEB_ORDER_SOURCE_ID = 81000

DEMO_DUPLICATE_SKU = "MLT-DEN"
DEMO_DUPLICATE_PRODUCT_ID = 51230002
DEMO_BLANK_SKU_PRODUCT_ID = 51230001
DEMO_BLANK_SKU_VARIANT_ID = 160000001
DEMO_UNTRACKED_SKU = "KTV"
DEMO_NEGATIVE_SKU = "TCN-TRANG"
DEMO_NEGATIVE_QUANTITY = -3
DEMO_OPTION_MISMATCH_SKUS = ("APP-DEN-M", "APP-DEN-L", "APP-TRANG-M", "APP-TRANG-L")
DEMO_OPTION_MISMATCH_POS_PRODUCT_ID = 3939100
DEMO_OPTION_MISMATCH_WEB_PRODUCT_ID = 51230003
DEMO_WEB_ONLY_SKUS = ("VTB", "BTN", "NTS-7", "NTS-8", "NTS-9", "KCT-DO", "KCT-DEN")
DEMO_POS_ONLY_SKUS = ("TLDN-110", "TLDN-120", "KMR", "DHN", "ABL-M", "ABL-L", "ABL-XL", "GVN")
DEMO_HIDDEN_WEB_SKUS = ("DNL-S", "DNL-M")
DEMO_POS_INACTIVE_SKUS = ("AKJ-M", "AKJ-L")
DEMO_WEB_PRICE_DIFFERS_SKUS = ("QJSF-29", "QJSF-30", "QJSF-31", "QJSF-32")
DEMO_PRESETUP_ORDER_IDS = (175000001, 175000002, 175000003, 175000004)
DEMO_PRESETUP_CUSTOMER_IDS = (43000001, 43000002, 43000003)
DEMO_CUSTOMER_PHONE_MATCH = "0901234567"
DEMO_CUSTOMER_EMAIL_MATCH = "minh.tran@example.com"


def parse_seed(seed: str) -> tuple[str, int]:
    """Split a seed name into its kind and size; raise ValueError on an unknown seed."""
    if seed in ("demo", "empty"):
        return seed, 0
    kind, _, size = seed.partition(":")
    if kind == "bench" and size.isdigit() and 0 <= int(size) <= BENCH_MAX:
        return kind, int(size)
    raise ValueError(f"unknown seed {seed!r}: use demo, empty or bench:N (N <= {BENCH_MAX})")


def load_seed(seed: str, now: datetime) -> tuple[PosData, WebData, IdGen]:
    """Fresh accounts for a seed; seed timestamps lie in the past relative to `now`."""
    kind, size = parse_seed(seed)
    ids = IdGen()
    pos, web = new_accounts(now, ids, pos_domain=POS_DOMAIN, web_domain=WEB_DOMAIN)
    if kind == "demo":
        build_demo(pos, web, ids, now)
    elif kind == "bench":
        build_bench(pos, web, ids, now, size)
    return pos, web, ids
