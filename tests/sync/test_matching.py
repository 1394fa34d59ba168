"""SKU matching on plain data (R2): exact after trim + NFC, blanks and ambiguity never link."""

from __future__ import annotations

import unicodedata

import pytest

from sync.matching import Ref, make_ref, match

NFD_AO = unicodedata.normalize("NFD", "ÁO-1")  # what a CSV import from macOS may produce
NFC_AO = unicodedata.normalize("NFC", "ÁO-1")


def pos(vid: int, sku: str | None) -> Ref[None]:
    return make_ref("pos", vid // 10, vid, sku, f"pos {vid}", None)


def web(vid: int, sku: str | None) -> Ref[None]:
    return make_ref("web", vid // 10, vid, sku, f"web {vid}", None)


@pytest.mark.parametrize(
    ("pos_skus", "web_skus", "pairs"),
    [
        pytest.param(["A-1"], ["A-1"], [("A-1", "A-1")], id="exact"),
        pytest.param(["A-1 "], ["  A-1"], [("A-1 ", "  A-1")], id="surrounding-spaces"),
        pytest.param(["A-1\t"], ["A-1\n"], [("A-1\t", "A-1\n")], id="tabs-and-newlines"),
        pytest.param([NFD_AO], [NFC_AO], [(NFD_AO, NFC_AO)], id="nfc-vs-nfd"),
        pytest.param(["a-1"], ["A-1"], [], id="case-differs"),
        pytest.param(["A 1"], ["A1"], [], id="inner-space-differs"),
        pytest.param([""], [""], [], id="both-blank"),
        pytest.param([None], [None], [], id="both-none"),
        pytest.param(["  "], [" "], [], id="whitespace-only"),
        pytest.param(["A-1", "A-1"], ["A-1"], [], id="duplicate-on-pos"),
        pytest.param(["A-1"], ["A-1", "A-1 "], [], id="duplicate-on-web-after-trim"),
    ],
)
def test_pairs_only_on_one_exact_normalized_sku_each_side(
    pos_skus: list[str | None], web_skus: list[str | None], pairs: list[tuple[str, str]]
) -> None:
    """R2: a pair needs exactly one variant per side with equal trimmed NFC SKUs; case counts."""
    result = match(
        [pos(10 + i, s) for i, s in enumerate(pos_skus)],
        [web(20 + i, s) for i, s in enumerate(web_skus)],
    )
    assert [(p.sku, w.sku) for p, w in result.pairs] == pairs


def test_raw_skus_are_kept_on_both_sides_of_a_pair() -> None:
    """R2: matching normalizes for comparison only; each side keeps its own spelling."""
    result = match([pos(11, " ÁO-1 ")], [web(21, NFD_AO)])
    ((p, w),) = result.pairs
    assert (p.sku, w.sku) == (" ÁO-1 ", NFD_AO) and p.key == w.key == NFC_AO


@pytest.mark.parametrize("blank", ["", "   ", None, "\u00a0"])
def test_blank_skus_never_match_and_are_reported(blank: str | None) -> None:
    """R1/R2: a blank SKU (empty, spaces, none, NBSP) matches nothing, not even another blank."""
    result = match([pos(11, blank)], [web(21, blank), web(22, "X")])
    assert result.pairs == ()
    assert {r.variant_id for r in result.blank} == {11, 21}
    assert [r.sku for r in result.web_only] == ["X"] and result.pos_only == ()


def test_ambiguity_names_every_candidate_and_links_none() -> None:
    """R2: two web candidates for one POS SKU is an error naming both, never an auto-link."""
    result = match([pos(11, "A-1")], [web(21, "A-1"), web(31, " A-1")])
    assert result.pairs == () and result.pos_only == () and result.web_only == ()
    (amb,) = result.ambiguous
    assert amb.key == "A-1" and [r.variant_id for r in amb.web] == [21, 31]
    text = amb.describe()
    assert "variant 11" in text and "variant 21" in text and "variant 31" in text


def test_duplicates_on_one_side_only_are_ambiguous_not_created() -> None:
    """R2/R3: a SKU shared by two POS variants with no web partner is reported, not created."""
    result = match([pos(11, "B"), pos(12, "B")], [])
    assert result.pos_only == () and len(result.ambiguous) == 1
    assert {r.variant_id for r in result.ambiguous[0].pos} == {11, 12}


def test_case_only_twins_are_neither_linked_nor_left_for_creation() -> None:
    """Prior art: SKUs differing only in case are flagged, so neither side creates a duplicate."""
    result = match([pos(11, "abc"), pos(12, "ONLY-POS")], [web(21, "ABC")])
    assert result.pairs == ()
    (near,) = result.near
    assert (near.pos.sku, near.web.sku) == ("abc", "ABC")
    assert [r.sku for r in result.pos_only] == ["ONLY-POS"] and result.web_only == ()


def test_one_sided_skus_are_left_for_creation() -> None:
    """R3: a SKU without a partner is one-sided, ready to be created on the other side."""
    result = match([pos(11, "P"), pos(12, "BOTH")], [web(21, "BOTH"), web(22, "W")])
    assert [r.sku for r in result.pos_only] == ["P"]
    assert [r.sku for r in result.web_only] == ["W"]
    assert [(p.variant_id, w.variant_id) for p, w in result.pairs] == [(12, 21)]
