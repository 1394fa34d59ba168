"""The skeleton every seed starts from: tenant, branches, price lists, order sources, store."""

from __future__ import annotations

from datetime import datetime, timedelta

from sandbox.common import iso
from sandbox.models import IdGen, PosData, WebData

BRANCHES = (
    ("CN01", "Cửa hàng Hoàn Kiếm", "25 Hàng Bài", "Quận Hoàn Kiếm", "Hà Nội", "0243000001"),
    ("CN02", "Cửa hàng Cầu Giấy", "12 Trần Thái Tông", "Quận Cầu Giấy", "Hà Nội", "0243000002"),
    ("CN03", "Cửa hàng Quận 1", "88 Lê Lợi", "Quận 1", "Hồ Chí Minh", "0283000003"),
)

# Built-in price lists of every tenant (sheet §3.3): code, name, is_cost, status.
PRICE_LISTS = (
    ("BANLE", "Giá bán lẻ", False, "default"),
    ("BANBUON", "Giá bán buôn", False, "active"),
    ("GIANHAP", "Giá nhập", True, "default"),
)


def stamp(now: datetime, days: float) -> str:
    """A timestamp `days` before `now`."""
    return iso(now - timedelta(days=days))


def new_accounts(
    now: datetime, ids: IdGen, *, pos_domain: str, web_domain: str
) -> tuple[PosData, WebData]:
    """Both accounts with their fixed furniture and no catalogue."""
    born = stamp(now, 400)
    tenant_id = ids.next("pos_tenant")
    pos = PosData(
        tenant={
            "id": tenant_id,
            "name": "Thời trang Hà My",
            "alias": pos_domain.split(".", 1)[0],
            "domain": pos_domain,
            "currency": "VND",
            "country": "Vietnam",
            "timezone": "Asia/Ho_Chi_Minh",
            "phone_number": "0243000001",
            "email": "chu.cua.hang@example.com",
            "created_on": born,
            "modified_on": born,
        }
    )
    for code, name, address, district, city, phone in BRANCHES:
        location_id = ids.next("pos_location")
        pos.locations[location_id] = {
            "id": location_id,
            "tenant_id": tenant_id,
            "code": code,
            "name": name,
            "label": name,
            "address1": address,
            "address2": None,
            "district": district,
            "city": city,
            "country": "Vietnam",
            "phone_number": phone,
            "status": "active",
            "created_on": born,
            "modified_on": born,
        }
    for code, name, is_cost, status in PRICE_LISTS:
        list_id = ids.next("pos_price_list")
        pos.price_lists[list_id] = {
            "id": list_id,
            "tenant_id": tenant_id,
            "code": code,
            "name": name,
            "is_cost": is_cost,
            "currency_id": None,
            "status": status,
            "init": True,
            "created_on": born,
            "modified_on": born,
        }
    # The built-in `Web` channel (sheet §3.5); a counter channel is added for realism.
    for name, status in (("Web", "default"), ("Bán tại cửa hàng", "active")):
        source_id = ids.next("pos_source")
        pos.order_sources[source_id] = {
            "id": source_id,
            "tenant_id": tenant_id,
            "name": name,
            "status": status,
            "init": True,
            "created_on": born,
            "modified_on": born,
        }
    return pos, _new_web(born, ids, web_domain)


def _new_web(born: str, ids: IdGen, web_domain: str) -> WebData:
    store_id = ids.next("web_store")
    web = WebData(
        store={
            "id": store_id,
            "name": "Thời trang Hà My Online",
            "email": "chu.cua.hang@example.com",
            "customer_email": "cskh@example.com",
            "domain": web_domain,
            "bizweb_domain": web_domain,
            "address1": "25 Hàng Bài",
            "city": "Hà Nội",
            "province": "Hà Nội",
            "province_code": "HN",
            "country": "VN",
            "country_code": "VN",
            "country_name": "Vietnam",
            "zip": None,
            "phone": "0243000001",
            "currency": "VND",
            "money_format": "{{amount_no_decimals_with_comma_separator}}₫",
            "money_with_currency_format": "{{amount_no_decimals_with_comma_separator}} VND",
            "timezone": "(GMT+07:00) Asia/Ho_Chi_Minh",
            "store_owner": "Hà My",
            "plan_name": "pro",
            "plan_display_name": "Sapo Web Pro",
            "has_storefront": True,
            "has_discounts": True,
            "has_gift_cards": False,
            "created_on": born,
            "modified_on": born,
        }
    )
    location_id = ids.next("web_location")
    web.locations[location_id] = {
        "id": location_id,
        "name": "Kho online",
        "address1": "25 Hàng Bài",
        "address2": None,
        "city": "Hà Nội",
        "province": "Hà Nội",
        "country": "VN",
        "zip": None,
        "phone": "0243000001",
        "active": True,
        "created_on": born,
        "modified_on": born,
    }
    return web
