"""Preflight on plain data (R1): what blocks the first link, and what is only a warning."""

from __future__ import annotations

import unicodedata

import pytest

from sync.preflight import check
from tests.sync.catalog_data import pos_product, pv, web_product, wv


def codes(report_part: tuple[object, ...]) -> list[str]:
    return sorted(f.code for f in report_part)  # type: ignore[attr-defined]


def test_a_clean_catalogue_passes() -> None:
    """R1: unique, non-blank, tracked, non-negative SKUs on both sides: the first link may run."""
    report = check([pos_product(1, [pv(11, "A")])], [web_product(5, [wv(51, "A")])])
    assert report.ok and report.blocking == () and report.warnings == ()
    assert report.as_dict()["ok"] is True


@pytest.mark.parametrize(
    ("web_variants", "code", "variant_ids"),
    [
        pytest.param([wv(51, "")], "web_blank_sku", {51}, id="blank"),
        pytest.param([wv(51, None)], "web_blank_sku", {51}, id="none"),
        pytest.param([wv(51, "D"), wv(52, " D")], "web_duplicate_sku", {51, 52}, id="duplicate"),
        pytest.param([wv(51, "U", tracked=False)], "web_untracked", {51}, id="untracked"),
        pytest.param([wv(51, "N", qty=-3)], "web_negative_stock", {51}, id="negative"),
    ],
)
def test_every_web_offender_blocks_and_is_named(
    web_variants: list[object], code: str, variant_ids: set[int]
) -> None:
    """R1: each kind of bad web variant blocks, and the report names every offending variant."""
    report = check([], [web_product(5, web_variants)])  # type: ignore[arg-type]
    assert not report.ok and codes(report.blocking) == [code]
    (finding,) = report.blocking
    assert {i.variant_id for i in finding.items} == variant_ids
    assert all(i.side == "web" and i.product_id == 5 for i in finding.items)


def test_pos_sku_problems_block_too() -> None:
    """R1, R2: a blank or shared SKU on POS could never link cleanly, so it also blocks."""
    pos = [pos_product(1, [pv(11, "S"), pv(12, "S")]), pos_product(2, [pv(21, " ")])]
    report = check(pos, [])
    assert codes(report.blocking) == ["pos_blank_sku", "pos_duplicate_sku"]


def test_web_levels_decide_negative_stock_over_the_variant_total() -> None:
    """R1: the stock at the web location (read in bulk) is what must not be negative."""
    web = [web_product(5, [wv(51, "N", qty=4)])]
    assert not check([], web, {1051: -1}).ok
    assert check([], [web_product(5, [wv(51, "N", qty=-4)])], {1051: 0}).ok


def test_spelling_and_case_and_structure_are_warnings_only() -> None:
    """R1, R2, R10: spaces and Unicode form still match (warned); case-only twins and pairs
    with different options are warned; none of them blocks."""
    nfd = unicodedata.normalize("NFD", "ÁO-1")
    pos = [
        pos_product(1, [pv(11, "SP ")]),
        pos_product(2, [pv(21, "case")]),
        pos_product(3, [pv(31, "OPT", opts=("Đỏ", "M", None))], names=("Màu", "Size")),
    ]
    web = [
        web_product(5, [wv(51, "SP"), wv(52, nfd), wv(53, "CASE")]),
        web_product(6, [wv(61, "OPT", opts=("Đỏ", None, None))], names=("Màu",)),
    ]
    report = check(pos, web)
    assert report.ok
    assert codes(report.warnings) == [
        "pair_structure_options",
        "sku_case_only",
        "sku_spaces",
        "sku_unicode_form",
    ]
    case = next(f for f in report.warnings if f.code == "sku_case_only")
    assert {i.variant_id for i in case.items} == {21, 53}
