"""The config modal (R18): price list, order branch, stock branches, intervals; its parsing."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.i18n import Translator
from bot.text import esc, plain
from bot.views.kit import (
    PRIVATE_METADATA,
    SELECT_OPTIONS,
    VIEW_TITLE,
    Block,
    Message,
    context,
    message,
    option,
    pt,
    section,
    view_blocks,
)
from bot.views.people import mention
from sync.config import INTERVALS, MIN_INTERVAL_S, ConfigChange
from sync.domain import ConfigSnapshot, Location, PriceList

CALLBACK = "sapo.config.submit"
PRICE_LIST = "price_list"
ORDER_LOCATION = "order_location"
STOCK_LOCATIONS = "stock_locations"
VALUE = "value"
FIELD_KEYS = {
    "price_list_id": "config.field.price_list_id",
    "order_location_id": "config.field.order_location_id",
    "stock_location_ids": "config.field.stock_location_ids",
    "order_interval_s": "config.field.order_interval_s",
    "stock_interval_s": "config.field.stock_interval_s",
    "catalog_interval_s": "config.field.catalog_interval_s",
    "full_interval_s": "config.field.full_interval_s",
}


@dataclass(frozen=True, slots=True)
class ConfigMeta:
    """What the submission needs, carried in ``private_metadata`` (no API call at submit)."""

    channel: str
    price_lists: tuple[PriceList, ...]
    locations: tuple[Location, ...]

    def encode(self) -> str:
        data: dict[str, Any] = {
            "c": self.channel,
            "p": [[p.id, p.code, p.name[:40]] for p in self.price_lists],
            "l": [[loc.id, loc.name[:40]] for loc in self.locations],
        }
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if len(text) > PRIVATE_METADATA:  # a huge account: keep the ids, drop the names
            data["p"] = [[p.id, p.code, ""] for p in self.price_lists]
            data["l"] = [[loc.id, ""] for loc in self.locations]
            text = json.dumps(data, separators=(",", ":"))
        return text[:PRIVATE_METADATA]

    @classmethod
    def decode(cls, text: str) -> ConfigMeta:
        data = json.loads(text or "{}")
        return cls(
            channel=str(data.get("c") or ""),
            price_lists=tuple(PriceList(int(i), str(c), str(n)) for i, c, n in data.get("p", [])),
            locations=tuple(Location(int(i), str(n)) for i, n in data.get("l", [])),
        )


def _modal(t: Translator, blocks: Sequence[Block], **extra: Any) -> Block:
    view: Block = {
        "type": "modal",
        "title": pt(t("config.title"), VIEW_TITLE),
        "close": pt(t("btn.cancel"), VIEW_TITLE),
        "blocks": view_blocks(blocks),
    }
    view.update(extra)
    return view


def loading_view(t: Translator) -> Block:
    """Opened at once with the trigger (valid 3 s), then replaced when the options arrive."""
    return _modal(t, [section(t("config.loading"))], callback_id=CALLBACK + ".loading")


def config_view(
    t: Translator,
    current: ConfigSnapshot,
    price_lists: Sequence[PriceList],
    locations: Sequence[Location],
    *,
    channel: str,
) -> Block:
    lists = [p for p in price_lists if not p.is_cost][:SELECT_OPTIONS]
    branches = list(locations)[:SELECT_OPTIONS]
    list_options = [option(f"{p.name} ({p.code})", str(p.id)) for p in lists]
    branch_options = [option(loc.name, str(loc.id)) for loc in branches]
    by_id = {o["value"]: o for o in branch_options}
    price = next((o for o in list_options if o["value"] == str(current.price_list_id)), None)
    order_branch = by_id.get(str(current.order_location_id))
    stock = [by_id[str(i)] for i in sorted(current.stock_location_ids) if str(i) in by_id]
    blocks: list[Block] = [
        _input(t, PRICE_LIST, "static_select", list_options, price, "config.hint.price_list"),
        _input(
            t,
            ORDER_LOCATION,
            "static_select",
            branch_options,
            order_branch,
            "config.hint.order_location",
        ),
        _input(
            t,
            STOCK_LOCATIONS,
            "multi_static_select",
            branch_options,
            stock,
            "config.hint.stock_locations",
            optional=True,
        ),
    ]
    for name in INTERVALS:
        blocks.append(
            {
                "type": "input",
                "block_id": name,
                "label": pt(t(FIELD_KEYS[name]), 2000),
                "hint": pt(t("config.hint.interval", min=MIN_INTERVAL_S), 2000),
                "element": {
                    "type": "number_input",
                    "action_id": VALUE,
                    "is_decimal_allowed": False,
                    "min_value": str(MIN_INTERVAL_S),
                    "initial_value": str(getattr(current, name)),
                },
            }
        )
    blocks.append(context(t("config.footer", version=current.version)))
    meta = ConfigMeta(channel, tuple(lists), tuple(branches))
    return _modal(
        t,
        blocks,
        callback_id=CALLBACK,
        submit=pt(t("btn.save"), VIEW_TITLE),
        private_metadata=meta.encode(),
    )


def _input(
    t: Translator,
    block_id: str,
    kind: str,
    options: list[Block],
    initial: Block | list[Block] | None,
    hint: str,
    *,
    optional: bool = False,
) -> Block:
    element: Block = {"type": kind, "action_id": VALUE, "options": options or [option("—", "0")]}
    if initial:
        element["initial_options" if kind.startswith("multi") else "initial_option"] = initial
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": pt(t(FIELD_KEYS[_FIELD_OF[block_id]]), 2000),
        "hint": pt(t(hint), 2000),
        "element": element,
    }


_FIELD_OF = {
    PRICE_LIST: "price_list_id",
    ORDER_LOCATION: "order_location_id",
    STOCK_LOCATIONS: "stock_location_ids",
}


def parse_submission(
    t: Translator, values: Mapping[str, Mapping[str, Any]]
) -> tuple[ConfigChange | None, dict[str, str]]:
    """The change a person asked for, or errors keyed by input ``block_id`` (R18)."""
    errors: dict[str, str] = {}

    def picked(block: str) -> Any:
        return (values.get(block) or {}).get(VALUE) or {}

    price = (picked(PRICE_LIST).get("selected_option") or {}).get("value")
    branch = (picked(ORDER_LOCATION).get("selected_option") or {}).get("value")
    stock = frozenset(
        int(o["value"]) for o in picked(STOCK_LOCATIONS).get("selected_options") or []
    )
    if not stock:
        errors[STOCK_LOCATIONS] = t("config.error.no_branch")
    intervals: dict[str, int] = {}
    for name in INTERVALS:
        raw = picked(name).get("value")
        try:
            intervals[name] = int(str(raw))
        except ValueError:
            errors[name] = t("config.error.interval", min=MIN_INTERVAL_S)
            continue
        if intervals[name] < MIN_INTERVAL_S:
            errors[name] = t("config.error.interval", min=MIN_INTERVAL_S)
    if errors:
        return None, errors
    change = ConfigChange(
        price_list_id=int(price) if price else None,
        order_location_id=int(branch) if branch else None,
        stock_location_ids=stock,
        **intervals,
    )
    return change, {}


def change_message(
    t: Translator, user: str, diff: Mapping[str, Sequence[object]], meta: ConfigMeta, version: int
) -> Message:
    """Who changed what, from → to, for the channel (R18)."""
    lists = {p.id: p.name or p.code or str(p.id) for p in meta.price_lists}
    branches = {loc.id: loc.name or str(loc.id) for loc in meta.locations}

    def show(name: str, value: object) -> str:
        if name == "price_list_id":
            return esc(lists.get(_int(value), value), 80)
        if name == "order_location_id":
            return esc(branches.get(_int(value), value), 80)
        if name == "stock_location_ids" and isinstance(value, list | tuple | frozenset):
            return ", ".join(esc(branches.get(_int(v), v), 60) for v in value) or "—"
        return t("config.seconds", n=value)

    who = mention(user)
    if not diff:
        text = t("config.unchanged", user=who)
        return message(plain(text, 200), [section(text)])
    lines = [
        t("config.change_line", field=t(FIELD_KEYS[name]), old=show(name, old), new=show(name, new))
        for name, (old, new) in diff.items()
        if name in FIELD_KEYS
    ]
    title = t("config.changed", user=who, version=version)
    return message(title, [section(title + "\n" + "\n".join(lines))])


def _int(value: object) -> int:
    try:
        return int(str(value))
    except ValueError:
        return -1
