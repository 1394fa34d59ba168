"""Every problem code the sync can report, with the parameters its sentence is built from.

A problem (and a preflight finding) carries a stable code, an English message for logs, the
CLI and the database, and the parameters of that message: SKUs, names, counts, values. The
bot tells it in the configured language with the template ``problem.<code>`` filled from the
parameters (R19, and the spec's language requirement); it falls back to the English message
for a code or a row it has no template for. This table is the one list of codes: the bot's
catalogue test holds the English and Vietnamese templates to it.

A parameter is plain JSON (it is stored with the error row). A nested fragment that must be
worded in the reader's language (a variant's description, "no options") is a dict with a
``key`` naming its template, ``part.<name>`` from ``PARTS``; a list is read as its items
joined with "; ".

Sentences that are not problems but reach a person all the same (an order's reason in the
order list, what a resync did, why a request was refused, why a dry run would act) are
whole fragments, ``msg.<name>`` from ``MESSAGES``: one dict names its template and carries
its parameters, so it is stored or passed as it is (``msg("order_cancelled")``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

Param = Any  # str | int | None | a part (dict) | a list of them: whatever JSON can hold
Params = Mapping[str, Param]
NO_PARAMS: Params = MappingProxyType({})
KEY = "key"  # the template of a nested fragment
# Lists in parameters (the variants sharing a SKU) keep this many items: the message shown
# is cut to a few hundred characters anyway, and the row is rewritten every cycle.
LIST_CAP = 20

_VARIANT = frozenset({"name", "product_id", "variant_id", "sku"})
_LINES = frozenset({"order", "lines"})


def _codes(table: Mapping[str, tuple[str, ...]]) -> Mapping[str, frozenset[str]]:
    return MappingProxyType({code: frozenset(names) for code, names in table.items()})


# code -> the parameters of its sentence
PROBLEMS: Mapping[str, frozenset[str]] = _codes(
    {
        # preflight (R1)
        "web_blank_sku": (),
        "pos_blank_sku": (),
        "web_duplicate_sku": ("count", "sku"),
        "pos_duplicate_sku": ("count", "sku"),
        "web_untracked": (),
        "web_negative_stock": ("quantity",),
        "sku_spaces": (),
        "sku_unicode_form": (),
        "sku_case_only": ("skus",),
        "pair_structure_options": ("sku", "pos", "web"),
        "pair_structure_values": ("sku", "pos", "web"),
        # matching and creation (R2, R3, R7)
        "blank_sku": ("variant",),
        "duplicate_sku": ("sku", "count", "variants"),
        "sku_already_linked": ("sku", "variants"),
        "sku_case_mismatch": ("pos", "web"),
        "sku_case_of_linked": ("variant", "linked_sku"),
        "no_price": ("price_list_id",),
        "no_price_new": ("variant", "price_list_id"),
        "ambiguous_product": ("variant", "products"),
        "new_variant_options": ("variant", "side"),
        # a linked pair (R10, R11)
        "structure_options": ("pos", "web"),
        "structure_values": ("pos", "web"),
        "sku_changed": ("side", "new_sku", "sku"),
        "web_deleted": (),
        "web_variant_deleted": (),
        "pos_product_deleted": (),
        "pos_variant_deleted": (),
        "disconnected_by": ("actor",),
        "deleted_by": ("actor",),
        # the cycle (guard, first link, writes)
        "short_read": ("side", "got", "expected"),
        "empty_read": ("side", "live"),
        "blast_radius": ("changed", "live", "share"),
        "first_link_blocked": ("count", "codes"),
        "stock_write_failed": ("error",),
        "price_write_failed": ("error",),
        "create_failed": ("error",),
        "create_incomplete": (),
        "sync_interrupted": ("error",),
        "job_failed": ("job", "error"),
        # orders (R5, R15, R17, R20)
        "sku_blank": tuple(_LINES),
        "sku_not_linked": tuple(_LINES),
        "product_disconnected": tuple(_LINES),
        "link_deleted": tuple(_LINES),
        "pos_deleted": tuple(_LINES),
        "link_error": tuple(_LINES),
        "no_lines": ("order",),
        "total_mismatch": ("order", "reason"),
        "pos_rejected": ("order", "error"),
        "customer_rejected": ("order", "error"),
        "invalid_record": ("order", "error"),
        "unreadable_no_id": ("order", "error"),
        "unreadable_change": ("order", "pos_order", "error"),
        "cancelled_after_push": ("pos_order",),
    }
)

# fragments nested in parameters: "part.<name>" -> its parameters
PARTS: Mapping[str, frozenset[str]] = _codes(
    {
        "part.variant_pos": tuple(_VARIANT),
        "part.variant_web": tuple(_VARIANT),
        "part.options": ("count", "names"),
        "part.no_options": (),
        "part.no_values": (),
        "part.line_sku_blank": ("title",),
        "part.line_sku_not_linked": ("sku",),
        "part.line_product_disconnected": ("sku",),
        "part.line_link_deleted": ("sku",),
        "part.line_pos_deleted": ("sku",),
        "part.line_link_error": ("sku",),
        "part.web_total_off": ("total", "lines", "discounts", "shipping"),
        "part.pos_total_off": ("pos_total", "web_total"),
        "part.pos_order_total_off": ("pos_order", "pos_total", "web_total"),
        # the scheduler intervals a config change names (sync.config.INTERVALS)
        "part.order_interval_s": (),
        "part.stock_interval_s": (),
        "part.catalog_interval_s": (),
        "part.full_interval_s": (),
    }
)

# whole sentences that are not problems: "msg.<name>" -> its parameters
MESSAGES: Mapping[str, frozenset[str]] = _codes(
    {
        # the reason on an order row (R5, R15, R17): shown in the order list
        "msg.order_before_cutover": ("created", "cutover"),
        "msg.order_cancelled": (),
        "msg.order_deleted_on_web": (),
        "msg.order_no_lines": (),
        "msg.order_lines": ("lines",),
        "msg.order_customer_rejected": ("error",),
        "msg.order_pos_rejected": ("error",),
        "msg.order_unreadable": ("error",),
        "msg.order_cancelled_after_push": ("pos_order",),
        "msg.order_will_retry": ("error",),
        "msg.order_no_answer": ("error",),
        "msg.order_in_progress": (),
        "msg.order_unknown": (),
        # what a resync did (R17)
        "msg.resync_web_silent": ("error",),
        "msg.resync_unknown_order": ("order",),
        "msg.resync_already_pushed": ("order", "pos_order"),
        "msg.resync_on_pos": ("order", "pos_order"),
        "msg.resync_never": ("order", "reason"),
        "msg.resync_not_pushed": ("order", "lines"),
        "msg.resync_said": ("order", "reason"),
        # a request refused (UserError): links (R14-R16), config (R18), errors (R19), setup
        "msg.no_linked_sku": ("sku",),
        "msg.link_deleted_for_good": ("sku",),
        "msg.link_pos_deleted": ("sku",),
        "msg.link_disconnected_meanwhile": ("sku",),
        "msg.link_pos_gone": ("sku",),
        "msg.link_web_gone": ("sku",),
        "msg.unknown_price_list": ("price_list_id",),
        "msg.unknown_branch": ("branch_id",),
        "msg.no_stock_branch": (),
        "msg.interval_too_short": ("name", "seconds"),
        "msg.no_such_error": ("error_id",),
        "msg.first_link_done": (),
        "msg.first_link_blocked": ("count",),
        "msg.first_link_running": ("minutes", "by"),
        "msg.sync_running": ("by",),
        # why a dry run would act (R2, R3, R7, R10)
        "msg.plan_same_sku": (),
        "msg.plan_same_sku_but": ("problem",),
        "msg.plan_matches_again": (),
        "msg.plan_create_web": (),
        "msg.plan_create_web_variant": ("web_product_id",),
        "msg.plan_create_pos": (),
        "msg.plan_create_pos_variant": ("pos_product_id",),
    }
)

TEXTS: Mapping[str, frozenset[str]] = MappingProxyType({**PROBLEMS, **PARTS, **MESSAGES})


def part(which: str, /, **params: Param) -> dict[str, Param]:
    """A nested fragment: ``part("no_options")`` -> ``{"key": "part.no_options"}``."""
    return {KEY: f"part.{which}", **params}


def msg(which: str, /, **params: Param) -> dict[str, Param]:
    """A whole sentence: ``msg("order_cancelled")`` -> ``{"key": "msg.order_cancelled"}``."""
    return {KEY: f"msg.{which}", **params}


def problem(code: str, params: Params) -> dict[str, Param]:
    """A problem as a fragment nested in another sentence (``{"key": code, **params}``)."""
    return {KEY: code, **params}


def fits(said: Params | None) -> bool:
    """``said`` is a fragment the bot can word: a known key and exactly its parameters."""
    key = None if said is None else said.get(KEY)
    return isinstance(key, str) and not mismatches(key, said or {})


def variant(
    side: str, name: str, product_id: int, variant_id: int, sku: str | None
) -> dict[str, Param]:
    """The fragment naming one variant the way ``matching.Ref.describe`` does in English."""
    return part(f"variant_{side}", name=name, product_id=product_id, variant_id=variant_id, sku=sku)


def listed(items: Sequence[Param]) -> list[Param]:
    """A list parameter, at most ``LIST_CAP`` items long."""
    return list(items[:LIST_CAP])


def option_names(names: Sequence[str]) -> dict[str, Param]:
    """``2 option(s) (Màu, Size)``, or ``no options``."""
    if not names:
        return part("no_options")
    return part("options", count=len(names), names=", ".join(names))


def option_values(values: Sequence[str | None]) -> Param:
    """``Đỏ / M`` (language-neutral), or the ``(none)`` fragment."""
    shown = [v for v in values if v is not None]
    return " / ".join(shown) if shown else part("no_values")


def mismatches(code: str, params: Params) -> list[str]:
    """What is wrong with ``params`` for ``code`` (unknown code, missing or extra names,
    a nested fragment that is unknown or mis-filled); empty when the bot can render it."""
    expected = TEXTS.get(code)
    if expected is None:
        return [f"unknown code {code!r}"]
    given = frozenset(params) - {KEY}
    found = []
    if given != expected:
        found.append(f"{code}: takes {sorted(expected)}, given {sorted(given)}")
    for value in params.values():
        found.extend(_nested(value))
    return found


def _nested(value: Param) -> list[str]:
    if isinstance(value, list):
        return [wrong for item in value for wrong in _nested(item)]
    if isinstance(value, dict):
        key = value.get(KEY)
        return mismatches(key, value) if isinstance(key, str) else [f"part without key: {value}"]
    if value is None or isinstance(value, str | int):
        return []
    return [f"not a JSON scalar: {value!r}"]
