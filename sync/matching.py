"""SKU matching (R2): exact SKU after trim + NFC; blanks never match; ambiguity never links."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Literal, NamedTuple, TypeVar

from sync import texts
from sync.domain import normalize_sku

Side = Literal["pos", "web"]
T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
P = TypeVar("P")
W = TypeVar("W")


class Ref(NamedTuple, Generic[T_co]):
    """One variant offered for matching, with what a person needs to find it."""

    side: Side
    product_id: int
    variant_id: int
    sku: str | None  # raw, as the side spells it
    name: str
    item: T_co
    key: str  # normalize_sku(sku), computed once: matching looks at it many times

    def describe(self) -> str:
        """``POS 'Áo thun / Đỏ' (product 12, variant 34, SKU 'AT-1 ')``."""
        label = "POS" if self.side == "pos" else "web"
        return (
            f"{label} '{self.name}' (product {self.product_id}, variant {self.variant_id},"
            f" SKU {self.sku!r})"
        )

    def part(self) -> dict[str, texts.Param]:
        """What ``describe`` says, as a fragment the bot words in the reader's language."""
        return texts.variant(self.side, self.name, self.product_id, self.variant_id, self.sku)


def sku_key(raw: str | None) -> str:
    """``normalize_sku`` with a fast path: an ASCII string is already in NFC."""
    if raw is not None and raw.isascii():
        key = raw.strip()
        return key if key.isprintable() else ""
    return normalize_sku(raw)


def make_ref(
    side: Side, product_id: int, variant_id: int, sku: str | None, name: str, item: T
) -> Ref[T]:
    """A Ref with its matching key."""
    return Ref(side, product_id, variant_id, sku, name, item, sku_key(sku))


@dataclass(frozen=True, slots=True)
class Ambiguity(Generic[P, W]):
    """A SKU carried by more than one variant on a side: never linked, every candidate named."""

    key: str
    pos: tuple[Ref[P], ...]
    web: tuple[Ref[W], ...]

    def describe(self) -> str:
        names = "; ".join([r.describe() for r in self.pos] + [r.describe() for r in self.web])
        return f"SKU {self.key!r} is carried by {len(self.pos) + len(self.web)} variants: {names}"

    def params(self) -> texts.Params:
        refs = (*self.pos, *self.web)
        variants = texts.listed([r.part() for r in refs])
        return {"sku": self.key, "count": len(refs), "variants": variants}


@dataclass(frozen=True, slots=True)
class NearMatch(Generic[P, W]):
    """Two unpaired SKUs that differ only in letter case: creating either would duplicate."""

    pos: Ref[P]
    web: Ref[W]

    def describe(self) -> str:
        return (
            f"SKUs differ only in letter case, so they are not linked: "
            f"{self.pos.describe()} and {self.web.describe()}"
        )

    def params(self) -> texts.Params:
        return {"pos": self.pos.part(), "web": self.web.part()}


@dataclass(frozen=True, slots=True)
class Matching(Generic[P, W]):
    """The outcome of matching two sides' unlinked variants."""

    pairs: tuple[tuple[Ref[P], Ref[W]], ...]  # exactly one variant on each side
    pos_only: tuple[Ref[P], ...]
    web_only: tuple[Ref[W], ...]
    ambiguous: tuple[Ambiguity[P, W], ...]
    blank: tuple[Ref[P] | Ref[W], ...]
    near: tuple[NearMatch[P, W], ...]


def group_by_key(refs: Iterable[Ref[T]]) -> tuple[dict[str, list[Ref[T]]], list[Ref[T]]]:
    """Refs grouped by matching key, and the refs whose SKU is blank."""
    groups: dict[str, list[Ref[T]]] = defaultdict(list)
    blank: list[Ref[T]] = []
    for ref in refs:
        key = ref.key
        if key:
            groups[key].append(ref)
        else:
            blank.append(ref)
    return groups, blank


def _index(
    refs: Iterable[Ref[T]],
) -> tuple[dict[str, Ref[T]], dict[str, list[Ref[T]]], list[Ref[T]]]:
    """Refs by key (first seen), every ref of a key seen twice, and the blank ones.

    Only duplicates get a list: a 100 000-variant catalogue should not allocate 100 000 lists.
    """
    single: dict[str, Ref[T]] = {}
    multi: dict[str, list[Ref[T]]] = {}
    blank: list[Ref[T]] = []
    for ref in refs:
        key = ref.key
        if not key:
            blank.append(ref)
        elif key not in single:
            single[key] = ref
        elif key in multi:
            multi[key].append(ref)
        else:
            multi[key] = [single[key], ref]
    return single, multi, blank


def match(pos: Iterable[Ref[P]], web: Iterable[Ref[W]]) -> Matching[P, W]:
    """Pair variants whose SKU keys are equal; report blanks, duplicates and case-only twins."""
    pos_single, pos_multi, pos_blank = _index(pos)
    web_single, web_multi, web_blank = _index(web)
    pairs: list[tuple[Ref[P], Ref[W]]] = []
    pos_only: list[Ref[P]] = []
    ambiguous: list[Ambiguity[P, W]] = []
    for key, pref in pos_single.items():
        wref = web_single.get(key)
        if key in pos_multi or key in web_multi:
            many_pos = tuple(pos_multi.get(key, (pref,)))
            many_web = tuple(web_multi.get(key, () if wref is None else (wref,)))
            ambiguous.append(Ambiguity(key, many_pos, many_web))
        elif wref is not None:
            pairs.append((pref, wref))
        else:
            pos_only.append(pref)
    web_only: list[Ref[W]] = []
    for key, wref in web_single.items():
        if key in pos_single:
            continue
        if key in web_multi:
            ambiguous.append(Ambiguity(key, (), tuple(web_multi[key])))
        else:
            web_only.append(wref)
    near = near_matches(pos_only, web_only)
    if near:
        twins = {id(n.pos) for n in near} | {id(n.web) for n in near}
        pos_only = [r for r in pos_only if id(r) not in twins]
        web_only = [r for r in web_only if id(r) not in twins]
    return Matching(
        pairs=tuple(pairs),
        pos_only=tuple(pos_only),
        web_only=tuple(web_only),
        ambiguous=tuple(ambiguous),
        blank=(*pos_blank, *web_blank),
        near=tuple(near),
    )


def near_matches(pos: Iterable[Ref[P]], web: Iterable[Ref[W]]) -> list[NearMatch[P, W]]:
    """Unpaired POS and web SKUs equal after casefolding (prior art: never auto-create these)."""
    by_fold: dict[str, list[Ref[W]]] = defaultdict(list)
    for wref in web:
        by_fold[wref.key.casefold()].append(wref)
    if not by_fold:
        return []
    found: list[NearMatch[P, W]] = []
    for pref in pos:
        found.extend(NearMatch(pref, twin) for twin in by_fold.get(pref.key.casefold(), ()))
    return found


def spelling_warnings(refs: Iterable[Ref[T]]) -> list[tuple[str, Ref[T]]]:
    """SKUs that only match after trimming or Unicode NFC: (code, ref) for preflight warnings."""
    found: list[tuple[str, Ref[T]]] = []
    for ref in refs:
        raw = ref.sku
        if not raw:
            continue
        if raw != raw.strip():
            found.append(("sku_spaces", ref))
        elif normalize_sku(raw) != raw:
            found.append(("sku_unicode_form", ref))
    return found


def case_twins(refs: Iterable[Ref[T]]) -> list[tuple[Ref[T], ...]]:
    """Groups of refs whose keys differ only in letter case (all sides together)."""
    by_fold: dict[str, dict[str, Ref[T]]] = defaultdict(dict)
    for ref in refs:
        key = ref.key
        if key:
            by_fold[key.casefold()].setdefault(f"{ref.side}:{key}", ref)
    groups: list[tuple[Ref[T], ...]] = []
    for members in by_fold.values():
        if len({k.split(":", 1)[1] for k in members}) > 1:
            groups.append(tuple(members.values()))
    return groups
