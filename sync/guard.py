"""The blast-radius guard: a cycle that looks like a bad read or a mass change writes nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sync.domain import LinkStatus
from sync.plan import LinkState, Problem
from sync.snapshot import Snapshot

CATALOG = "catalog"  # the subject of cycle-wide problems
LINKED = LinkStatus.LINKED


@dataclass(frozen=True, slots=True)
class Guard:
    """How much one cycle may change or break: a share of the linked items."""

    share: float = 0.5
    min_links: int = 10  # below this, one change is a large share and not a blast


DEFAULT_GUARD = Guard()


def check(
    snapshot: Snapshot,
    links: Sequence[LinkState],
    destructive: int,
    guard: Guard,
    *,
    first_link: bool,
    force: bool,
) -> Problem | None:
    """Why the cycle must stop (a short or empty full read, too many changes), or None.

    ``destructive`` counts linked items whose web stock would change or whose link would
    break. The first link changes everything on purpose; ``force`` is a person's override.
    """
    live = sum(lk.status is LINKED for lk in links)
    if snapshot.full:
        for side, got, said in (
            ("POS", len(snapshot.pos_products), snapshot.pos_count),
            ("web", len(snapshot.web_products), snapshot.web_count),
        ):
            if said is not None and got < said:
                return Problem(
                    "short_read",
                    CATALOG,
                    f"the {side} read returned {got} products but the API counts {said}; "
                    "nothing was written",
                    params={"side": side, "got": got, "expected": said},
                )
            if got == 0 and live > 0:
                return Problem(
                    "empty_read",
                    CATALOG,
                    f"the {side} read returned no products while {live} links are live; "
                    "nothing was written",
                    params={"side": side, "live": live},
                )
    if first_link or force or live < guard.min_links:
        return None
    if destructive > guard.share * live:
        share = f"{guard.share:.0%}"
        return Problem(
            "blast_radius",
            CATALOG,
            f"this cycle would change or break {destructive} of {live} linked items "
            f"(more than {share}); nothing was written. Check both stores, then "
            "run the sync with force to apply it",
            params={"changed": destructive, "live": live, "share": share},
        )
    return None
