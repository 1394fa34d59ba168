"""Unlinked variants whose SKU already has a link: rebind a side that came back, or report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sync import texts
from sync.domain import LinkStatus
from sync.matching import Ref
from sync.plan import LinkState, PosFacts, Problem, Rebind, WebFacts

GONE_CODES = frozenset({"web_deleted", "web_variant_deleted"})


@dataclass
class Claims:
    """What the claimed SKUs came to: candidates left for matching, rebinds and problems."""

    free_pos: list[Ref[PosFacts]]
    free_web: list[Ref[WebFacts]]
    rebinds: list[Rebind] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    evaluated: set[str] = field(default_factory=set)


def claims(
    by_sku: Mapping[str, LinkState],
    free_pos: list[Ref[PosFacts]],
    free_web: list[Ref[WebFacts]],
    pos_by_id: Mapping[int, PosFacts],
    web_by_id: Mapping[int, WebFacts],
    *,
    full: bool,
) -> Claims:
    """Split off candidates whose SKU is linked already.

    A tombstoned SKU (R16) is never linked or created again; a ``pos_deleted`` link whose SKU
    reappears on POS (or a link whose web product was deleted and comes back) is rebound;
    any other second carrier of a linked SKU is reported (``sku_already_linked``: told
    apart from ``duplicate_sku``, where no variant is linked yet).
    """
    out = Claims([r for r in free_pos if r.key not in by_sku], [])
    out.free_web = [w for w in free_web if w.key not in by_sku]
    claimed_pos: dict[str, list[Ref[PosFacts]]] = {}
    claimed_web: dict[str, list[Ref[WebFacts]]] = {}
    for r in free_pos:
        if r.key in by_sku:
            claimed_pos.setdefault(r.key, []).append(r)
    for w in free_web:
        if w.key in by_sku:
            claimed_web.setdefault(w.key, []).append(w)
    for key in sorted(claimed_pos.keys() | claimed_web.keys()):
        link = by_sku[key]
        out.evaluated.add(key)
        if link.status is LinkStatus.DELETED:
            continue
        pos_refs, web_refs = claimed_pos.get(key, []), claimed_web.get(key, [])
        pos = None if link.pos is None else pos_by_id.get(link.pos.variant_id)
        web = None if link.web is None else web_by_id.get(link.web.variant_id)
        if not full:  # unread is not gone: keep what was stored
            pos, web = pos or link.pos, web or link.web
        if link.status is LinkStatus.POS_DELETED and len(pos_refs) == 1 and not web_refs:
            pos = pos_refs[0].item
        elif link.reason_code in GONE_CODES and len(web_refs) == 1 and not pos_refs:
            web = web_refs[0].item
        else:
            names = [r.describe() for r in pos_refs] + [w.describe() for w in web_refs]
            message = f"SKU {key!r} is already linked; also carried by {'; '.join(names)}"
            carriers = texts.listed([r.part() for r in (*pos_refs, *web_refs)])
            params = {"sku": key, "variants": carriers}
            out.problems.append(Problem("sku_already_linked", key, message, params=params))
            continue
        if pos is not None and web is not None:
            out.rebinds.append(Rebind(key, pos, web, "the SKU reappeared on the missing side"))
    return out
