"""The `demo` seed: a small Vietnamese fashion shop on POS and web, with R1/R5/R10 traps planted."""

from __future__ import annotations

import random
from datetime import datetime
from itertools import product as cartesian

from sandbox.common import Json, slugify
from sandbox.models import IdGen, PosData, WebData
from sandbox.pos_catalog import create_product as create_pos_product
from sandbox.pos_orders import new_customer as new_pos_customer
from sandbox.seed_base import stamp
from sandbox.web_catalog import create_product as create_web_product
from sandbox.web_customers import new_customer as new_web_customer
from sandbox.web_orders import new_order, set_status

Options = tuple[tuple[str, tuple[str, ...]], ...]
Spec = tuple[str, str, str, int, Options]

COLOUR, SIZE = "Màu sắc", "Kích thước"
VENDOR = "Hà My Studio"


def opts(colours: tuple[str, ...] = (), sizes: tuple[str, ...] = ()) -> Options:
    """Colour and/or size options, in that order."""
    pairs = ((COLOUR, colours), (SIZE, sizes))
    return tuple((name, values) for name, values in pairs if values)


# Code, name, category, retail price (BANLE, VND), options. SKU = code + value codes.
APP: Spec = (
    "APP",
    "Áo polo pique",
    "Áo thun",
    259000,
    opts(("Đen", "Trắng"), ("M", "L")),
)
BOTH: tuple[Spec, ...] = (
    ("ATCB", "Áo thun cotton basic", "Áo thun", 149000, opts(("Trắng", "Đen"), ("S", "M", "L"))),
    ("ATOS", "Áo thun oversize in chữ", "Áo", 189000, opts(("Trắng", "Xám"), ("M", "L", "XL"))),
    ("ASML", "Áo sơ mi linen tay dài", "Áo sơ mi", 329000, opts(sizes=("S", "M", "L", "XL"))),
    ("ASMK", "Áo sơ mi kẻ sọc", "Áo sơ mi", 289000, opts(sizes=("M", "L"))),
    ("AKG", "Áo khoác gió hai lớp", "Áo khoác", 459000, opts(("Đen", "Navy"), ("M", "L", "XL"))),
    ("AKJ", "Áo khoác jean", "Áo khoác", 529000, opts(sizes=("M", "L"))),
    ("ANL", "Áo len cổ lọ", "Áo len", 349000, opts(("Kem", "Xám"), ("M", "L"))),
    ("ACD", "Áo cardigan dệt kim", "Áo len", 389000, opts(sizes=("M", "L"))),
    ("SMN", "Áo sơ mi nữ cổ sen", "Áo sơ mi", 269000, opts(sizes=("S", "M", "L"))),
    ("QJSF", "Quần jean slim fit", "Quần", 429000, opts(sizes=("29", "30", "31", "32"))),
    ("QKK", "Quần kaki ống đứng", "Quần", 359000, opts(("Be", "Đen"), ("30", "31", "32"))),
    ("QSG", "Quần short gió", "Quần", 199000, opts(sizes=("M", "L", "XL"))),
    ("QJG", "Quần jogger nỉ", "Quần", 279000, opts(sizes=("M", "L"))),
    ("QLN", "Quần legging nữ", "Quần", 169000, opts(sizes=("S", "M", "L"))),
    ("VLHN", "Váy liền hoa nhí", "Váy", 399000, opts(sizes=("S", "M"))),
    ("VCA", "Chân váy chữ A", "Váy", 249000, opts(sizes=("S", "M", "L"))),
    ("VMX", "Váy maxi đi biển", "Váy", 459000, opts(("Trắng", "Vàng"), ("S", "M"))),
    ("DNL", "Đầm nhung dự tiệc", "Váy", 689000, opts(sizes=("S", "M"))),
    ("BDT", "Bộ đồ thể thao", "Đồ thể thao", 499000, opts(("Đen", "Xám"), ("M", "L"))),
    ("MLT", "Mũ lưỡi trai thêu logo", "Phụ kiện", 129000, opts(("Đen", "Trắng", "Be"))),
    ("MBH", "Mũ bucket", "Phụ kiện", 149000, ()),
    ("TCN", "Tất cổ ngắn (set 3 đôi)", "Phụ kiện", 59000, opts(("Trắng", "Đen"))),
    ("KTV", "Khẩu trang vải kháng khuẩn", "Phụ kiện", 39000, ()),
    ("KLV", "Khăn lụa vuông", "Phụ kiện", 179000, (("Họa tiết", ("Hoa", "Trơn")),)),
    ("TDC", "Túi đeo chéo mini", "Túi", 219000, opts(("Đen", "Hồng"))),
    ("BLV", "Balo laptop vải", "Túi", 459000, ()),
    ("VDN", "Ví da nam", "Túi", 299000, ()),
    ("DLD", "Dép lê da", "Giày dép", 259000, opts(sizes=("38", "39", "40", "41"))),
    ("GTT", "Giày thể thao trắng", "Giày dép", 690000, opts(sizes=("38", "39", "40", "41", "42"))),
)  # fmt: skip
POS_ONLY: tuple[Spec, ...] = (
    ("TLDN", "Thắt lưng da nam", "Phụ kiện", 329000, opts(sizes=("110", "120"))),
    ("KMR", "Kính mát râm", "Phụ kiện", 249000, ()),
    ("DHN", "Đồng hồ nam dây da", "Phụ kiện", 990000, ()),
    ("ABL", "Áo ba lỗ nam", "Áo thun", 99000, opts(sizes=("M", "L", "XL"))),
    ("GVN", "Găng tay len", "Phụ kiện", 49000, ()),
)  # fmt: skip
WEB_ONLY: tuple[Spec, ...] = (
    ("VTB", "Vòng tay bạc", "Trang sức", 259000, ()),
    ("BTN", "Bông tai ngọc trai", "Trang sức", 199000, ()),
    ("NTS", "Nhẫn titan", "Trang sức", 159000, opts(sizes=("7", "8", "9"))),
    ("KCT", "Kẹp tóc vải", "Phụ kiện", 29000, opts(("Đỏ", "Đen"))),
)  # fmt: skip

# Planted problems (pinned by tests/sandbox/test_demo_seed.py); see sandbox.seeds for the list.
UNTRACKED_SKU = "KTV"
NEGATIVE_SKU, NEGATIVE_QUANTITY = "TCN-TRANG", -3
DUPLICATE_SKU = "MLT-DEN"
HIDDEN_CODE, INACTIVE_CODE, PRICE_DRIFT_CODE = "DNL", "AKJ", "QJSF"
PRICE_DRIFT = 20000


def variant_rows(spec: Spec) -> list[tuple[str, tuple[str, ...]]]:
    """(SKU, option values) of every variant of a catalogue entry."""
    code, _, _, _, options = spec
    combos = list(cartesian(*(values for _, values in options))) if options else [()]
    return [
        ("-".join([code, *(slugify(v).replace("-", "").upper() for v in combo)]), combo)
        for combo in combos
    ]


def _barcode(sku: str) -> str:
    return "893" + str(8_000_000_000 + random.Random(sku).randrange(1_000_000_000))


def _pos_body(spec: Spec, rng: random.Random, pos: PosData) -> Json:
    _, name, category, price, options = spec
    variants = []
    for sku, combo in variant_rows(spec):
        stock = [
            {"location_id": lid, "on_hand": rng.randint(0, 30 if i == 0 else 12)}
            for i, lid in enumerate(pos.locations)
        ]
        variants.append(
            {
                "sku": sku,
                "barcode": _barcode(sku),
                "unit": "cái",
                **{f"opt{i}": v for i, v in enumerate(combo, start=1)},
                "variant_retail_price": price,
                "variant_whole_price": round(price * 0.85, -3),
                "variant_import_price": round(price * 0.55, -3),
                "inventories": stock,
            }
        )
    return {
        "name": name,
        "brand": VENDOR,
        "category": category,
        "description": f"<p>{name} - hàng chính hãng {VENDOR}.</p>",
        "options": [{"name": n} for n, _ in options],
        "variants": variants,
    }


def _web_body(spec: Spec, rng: random.Random) -> Json:
    code, name, category, price, options = spec
    if code == PRICE_DRIFT_CODE:
        price += PRICE_DRIFT
    variants = [
        {
            "sku": sku,
            "barcode": _barcode(sku),
            "price": price,
            "compare_at_price": round(price * 1.2, -3),
            "grams": 300,
            "inventory_quantity": rng.randint(0, 25),
            **{f"option{i}": v for i, v in enumerate(combo, start=1)},
        }
        for sku, combo in variant_rows(spec)
    ]
    return {
        "name": name,
        "vendor": VENDOR,
        "product_type": category,
        "tags": f"{category.lower()}, {VENDOR.lower()}",
        "content": f"<p>{name} chính hãng, đổi trả trong 7 ngày.</p>",
        "options": [{"name": n} for n, _ in options],
        "variants": variants,
    }


def _planted_web(web: WebData, ids: IdGen, made: str) -> None:
    tote = {"name": "Túi tote canvas", "product_type": "Túi", "vendor": VENDOR}
    create_web_product(
        web, ids, tote | {"variants": [{"sku": "", "price": 99000, "inventory_quantity": 8}]}, made
    )
    old_cap = {
        "name": "Mũ lưỡi trai thêu logo (mẫu cũ)",
        "product_type": "Phụ kiện",
        "vendor": VENDOR,
    }
    variant = {"sku": DUPLICATE_SKU, "price": 119000, "inventory_quantity": 2}
    create_web_product(web, ids, old_cap | {"variants": [variant]}, made)
    polo = {
        "name": APP[1],
        "product_type": APP[2],
        "vendor": VENDOR,
        "options": [{"name": "Phân loại"}],
    }
    rows = [
        {"sku": sku, "price": APP[3], "option1": " - ".join(combo), "inventory_quantity": 5}
        for sku, combo in variant_rows(APP)
    ]
    create_web_product(web, ids, polo | {"variants": rows}, made)


def build_demo(pos: PosData, web: WebData, ids: IdGen, now: datetime) -> None:
    """Fill both accounts with the demo catalogue, customers and pre-setup web orders."""
    rng = random.Random(20260301)
    made = stamp(now, 120)
    for index, spec in enumerate((APP, *BOTH, *POS_ONLY)):
        product = create_pos_product(
            pos, ids, _pos_body(spec, rng, pos), stamp(now, 120 - index), pos.default_location_id()
        )
        if spec[0] == INACTIVE_CODE:
            product.status = "inactive"
            for vid in product.variant_ids:
                pos.variants[vid].status = "inactive"
    _planted_web(web, ids, made)
    for index, spec in enumerate((*BOTH, *WEB_ONLY)):
        web_product = create_web_product(web, ids, _web_body(spec, rng), stamp(now, 110 - index))
        web_product.published_on = None if spec[0] == HIDDEN_CODE else stamp(now, 100)
    for variant in web.variants.values():
        if variant.sku == UNTRACKED_SKU:
            variant.inventory_management = ""
        if variant.sku == NEGATIVE_SKU:
            variant.levels[web.first_location_id()].on_hand = NEGATIVE_QUANTITY
    _customers_and_orders(pos, web, ids, now)


def _customers_and_orders(pos: PosData, web: WebData, ids: IdGen, now: datetime) -> None:
    for name, phone, email in (
        ("Nguyễn Thị Lan", "0901234567", None),
        ("Trần Văn Minh", "0977000111", "minh.tran@example.com"),
        ("Phạm Quốc Bảo", "0933222111", None),
    ):
        new_pos_customer(
            pos, ids, {"name": name, "phone_number": phone, "email": email}, stamp(now, 200)
        )
    people = (
        ("Lan", "Nguyễn Thị", "0901234567", "lan.nguyen@example.com"),
        ("Minh", "Trần Văn", "0912345678", "minh.tran@example.com"),
        ("Anh", "Lê Hoàng", "0987654321", "anh.le@example.com"),
    )
    customers = [
        new_web_customer(
            web, ids, {"first_name": f, "last_name": g, "phone": p, "email": e}, stamp(now, 60 - i)
        )
        for i, (f, g, p, e) in enumerate(people)
    ]
    by_sku = {v.sku: v.id for v in web.variants.values() if v.sku}
    orders = (
        (0, [("ATCB-TRANG-M", 2), ("QSG-L", 1)], "paid", 10, None),
        (1, [("VLHN-S", 1)], "paid", 8, "close"),
        (2, [("MBH", 1), ("KLV-HOA", 1)], "paid", 6, "cancel"),
        (0, [("GTT-40", 1)], "pending", 2, None),
    )
    for who, lines, financial, days, action in orders:
        customer = customers[who]
        when = stamp(now, days)
        body = {
            "customer": {"id": customer["id"]},
            "email": customer["email"],
            "phone": customer["phone"],
            "financial_status": financial,
            "gateway": "COD" if financial == "pending" else "VNPAY",
            "inventory_behaviour": "decrement_ignoring_policy",
            "line_items": [{"variant_id": by_sku[s], "quantity": q} for s, q in lines],
            "shipping_lines": [
                {"title": "Giao tiêu chuẩn", "code": "STD", "price": 30000.0, "source": "web"}
            ],
            "shipping_address": {
                "name": f"{customer['last_name']} {customer['first_name']}",
                "phone": customer["phone"],
                "address1": "5 Lý Thường Kiệt",
                "district": "Quận Hoàn Kiếm",
                "province": "Hà Nội",
                "country": "Vietnam",
                "country_code": "VN",
            },
        }
        order = new_order(web, ids, body, when, source_name="web")
        if action:
            set_status(web, order, action, stamp(now, days - 1), "customer")
