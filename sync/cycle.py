"""One catalog pass as every caller runs it: the scheduler, the CLI and the bot."""

from __future__ import annotations

from storage import repo
from sync.context import SyncContext
from sync.engine import CycleResult, run_cycle
from sync.guard import Guard
from sync.orders import ingest_orders
from sync.reading import NO_FOCUS, Focus


def is_set_up(ctx: SyncContext) -> bool:
    """Whether the first link has completed (its time is the R5 cut-over)."""
    with ctx.db.session() as session:
        return repo.get_setup(session, connection_id=ctx.connection_id) is not None


def catalog_pass(
    ctx: SyncContext,
    *,
    actor: str,
    dry_run: bool = False,
    full: bool = False,
    force: bool = False,
    guard: Guard | None = None,
    focus: Focus = NO_FOCUS,
) -> CycleResult:
    """``run_cycle``, after storing the web orders placed since the last read.

    Once set up, new web orders join the in-flight ledger first, so the stock this pass
    pushes subtracts them (R8): an order placed between two order runs never has its stock
    raised back. A dry run stores nothing.
    """
    if not dry_run and is_set_up(ctx):
        ingest_orders(ctx)
    return run_cycle(
        ctx, dry_run=dry_run, full=full, force=force, actor=actor, guard=guard, focus=focus
    )
