"""Housekeeping the scheduler runs: forget webhook and Slack idempotency keys past retention.

The ``deliveries`` table gets one row per webhook delivery and per Slack request, so without
this it grows forever. A key is only needed while its sender may still send the same
delivery again: Sapo's retries are unverified but reported to last up to 48 hours (sheet
§2.10, Shopify's policy), Slack's a few minutes. The retention window is kept well beyond
that, so a replay inside the window is still refused as a duplicate.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from storage import repo
from sync.context import SyncContext

log = logging.getLogger(__name__)

DEFAULT_RETENTION = timedelta(days=7)
# Smallest window allowed: longer than the longest retry period heard of (48 h).
MIN_RETENTION = timedelta(days=3)
BATCH = 1000  # rows per transaction: a few milliseconds of lock, even on SQLite
MAX_BATCHES = 50  # per run: a huge backlog drains over several runs, never in one long run


@dataclass(frozen=True, slots=True)
class PruneResult:
    """What one maintenance run removed; ``more`` when it stopped at its batch budget."""

    deleted: int
    batches: int
    more: bool
    ok: bool = True


def prune_deliveries(
    ctx: SyncContext,
    *,
    retention: timedelta = DEFAULT_RETENTION,
    batch: int = BATCH,
    max_batches: int = MAX_BATCHES,
) -> PruneResult:
    """Delete delivery keys received more than ``retention`` ago, ``batch`` rows per
    transaction and at most ``max_batches`` transactions; the rest waits for the next run."""
    if retention < MIN_RETENTION:
        raise ValueError(f"delivery retention {retention} is shorter than {MIN_RETENTION}")
    started = ctx.clock()
    cutoff = started - retention
    deleted = batches = 0
    more = True
    while more and batches < max_batches:
        with ctx.db.session() as s:
            n = repo.prune_deliveries(
                s, connection_id=ctx.connection_id, received_before=cutoff, limit=batch
            )
            s.commit()
        batches += 1
        deleted += n
        more = n == batch
    log.info(
        "maintenance pruned deliveries deleted=%d batches=%d more=%s cutoff=%s duration_s=%.2f",
        deleted,
        batches,
        more,
        cutoff.isoformat(),
        (ctx.clock() - started).total_seconds(),
    )
    return PruneResult(deleted, batches, more)
