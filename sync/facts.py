"""Facts from snapshots, and the option-structure comparison behind R10."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from decimal import Decimal
from typing import NamedTuple

from sync import texts
from sync.domain import PosProduct, PosVariant, WebProduct, WebVariant
from sync.plan import Options, PosFacts, WebFacts

DEFAULT_OPTION = "Title"
DEFAULT_VALUE = "Default Title"


def pos_facts(product: PosProduct, variant: PosVariant) -> PosFacts:
    available = {inv.location_id: inv.available for inv in variant.inventories}
    return PosFacts(
        product.id,
        variant.id,
        variant.sku,
        variant.name or product.name,
        variant.options,
        product.option_names,
        variant.prices,
        available,
        variant.barcode,
    )


def web_facts(product: WebProduct, variant: WebVariant) -> WebFacts:
    title = variant.title
    name = product.name if not title or title == DEFAULT_VALUE else f"{product.name} / {title}"
    return WebFacts(
        product.id,
        variant.id,
        variant.inventory_item_id,
        variant.sku,
        name,
        variant.price,
        variant.options,
        product.option_names,
        bool(variant.inventory_management),
        product.published_on is not None,
        variant.barcode,
    )


def effective_option_names(names: Sequence[str]) -> tuple[str, ...]:
    """The real options of a product; Sapo's lone ``Title`` option means "no options"."""
    if tuple(names) == (DEFAULT_OPTION,):
        return ()
    return tuple(names)


def effective_values(names: Sequence[str], values: Options) -> tuple[str, ...]:
    """The option values of a variant, folded for comparison (NFC, trimmed, casefolded)."""
    count = len(effective_option_names(names))
    if count == 0 and not names:
        count = sum(v is not None for v in values)
    picked = [v for v in values[:count] if v is not None]
    if picked == [DEFAULT_VALUE] and tuple(names) in ((DEFAULT_OPTION,), ()):
        return ()
    return tuple(unicodedata.normalize("NFC", v).strip().casefold() for v in picked)


class Drift(NamedTuple):
    """Why a pair does not match: a code, the English reason and its parameters."""

    code: str
    reason: str
    params: texts.Params


def structure_problem(pos: PosFacts, web: WebFacts) -> Drift | None:
    """Why a pair's options no longer match (R10), or None when they do."""
    if pos.options == web.options and len(pos.option_names) == len(web.option_names):
        return None  # the common case, decided without folding a single string
    pos_names = effective_option_names(pos.option_names)
    web_names = effective_option_names(web.option_names)
    if len(pos_names) != len(web_names):
        return Drift(
            "structure_options",
            f"option structure differs: POS has {_names(pos_names)}, web has {_names(web_names)}",
            {"pos": texts.option_names(pos_names), "web": texts.option_names(web_names)},
        )
    if pos.options == web.options:
        return None
    pos_values = effective_values(pos.option_names, pos.options)
    web_values = effective_values(web.option_names, web.options)
    if pos_values != web_values:
        return Drift(
            "structure_values",
            f"variant options differ: POS {_values(pos.options)}, web {_values(web.options)}",
            {"pos": texts.option_values(pos.options), "web": texts.option_values(web.options)},
        )
    return None


def same_option_count(pos_names: Sequence[str], web_names: Sequence[str]) -> bool:
    """Whether a new variant may be added to the partner product (R7)."""
    return len(effective_option_names(pos_names)) == len(effective_option_names(web_names))


def display_options(values: Options) -> str:
    return _values(values)


def floor_zero(value: Decimal) -> Decimal:
    return value if value > 0 else Decimal(0)


def _names(names: Sequence[str]) -> str:
    return f"{len(names)} option(s) ({', '.join(names)})" if names else "no options"


def _values(values: Options) -> str:
    shown = [v for v in values if v is not None]
    return " / ".join(shown) if shown else "(none)"
