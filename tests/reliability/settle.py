"""Running the engine to quiescence once the faults stop, as the scheduler would."""

from __future__ import annotations

from storage import repo
from sync.orders import resync_order
from tests.reliability import oracle
from tests.reliability.model import Model
from tests.reliability.truth import read_truth
from tests.reliability.world import Faults, World

MAX_ROUNDS = 12


def run_and_check(
    world: World, model: Model, faults: Faults | None = None, *, full: bool = False
) -> list[str]:
    """One scheduler round (catalog, then orders) and the promises no round may break.

    A cycle the blast-radius guard stopped is what a person then forces, after looking.
    """
    pos_mark, web_mark = world.clients.pos_log.mark(), world.clients.web_log.mark()
    cycle, _ = world.run_jobs(faults, full=full)
    found = _step(world, model, pos_mark, web_mark)
    if cycle is not None and cycle.halted is not None and cycle.halted.code == "blast_radius":
        model.note(f"guard stopped a cycle ({cycle.halted.message}); a person forces it")
        pos_mark, web_mark = world.clients.pos_log.mark(), world.clients.web_log.mark()
        world.run_jobs(faults, full=full, force=True)
        found += _step(world, model, pos_mark, web_mark)
    return found


def _step(world: World, model: Model, pos_mark: int, web_mark: int) -> list[str]:
    pos_sent = world.clients.pos_log.since(pos_mark)
    web_sent = world.clients.web_log.since(web_mark)
    found = oracle.step(world, model, pos_sent, web_sent)
    return found + model.observe_stock(read_truth(world.sb))


def quiesce(world: World, model: Model) -> list[str]:
    """Pairs of rounds (incremental, then full) until the full one changes nothing."""
    found: list[str] = []
    for _ in range(MAX_ROUNDS // 2):
        found += run_and_check(world, model)
        pos_mark, web_mark = world.clients.pos_log.mark(), world.clients.web_log.mark()
        found += run_and_check(world, model, full=True)
        if not world.clients.pos_log.since(pos_mark) + world.clients.web_log.since(web_mark):
            return found
    return [*found, f"the engine still wrote after {MAX_ROUNDS} rounds without faults"]


def settle(world: World, model: Model) -> list[str]:
    """Quiesce, resync every order whose products are all live (R17), quiesce again."""
    found = quiesce(world, model)
    truth = read_truth(world.sb)
    with world.db.session() as s:
        status = {
            row.sku: row.status for row in repo.all_links(s, connection_id=world.ctx.connection_id)
        }
    resynced = False
    for placed in model.orders.values():
        if truth.pos_orders_for(placed.name):
            continue
        if all(status.get(sku) == "linked" for sku in placed.skus):
            outcome = resync_order(world.ctx, placed.name, actor="U-settle")
            model.note(f"resync {placed.name}: {outcome.result} {outcome.message}")
            resynced = True
    return found + quiesce(world, model) if resynced else found
