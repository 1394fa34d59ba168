"""Sapo answering badly (issue 10): truncated, not JSON, wrongly typed or missing fields, and
Sapo down or refusing a credential. Each ends in an error that says what is wrong, nothing
is half-written, and the next good answer works again."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import Sandbox
from sandbox.tour import ShopStaff
from storage import repo
from storage.engine import Database
from sync.clock import system_clock
from sync.context import SyncContext
from sync.engine import first_link, run_cycle
from sync.errors import RecordError, RetryableError
from tests.bot.harness import mrkdwn
from tests.reliability.conftest import bot_settings, running_bot
from tests.reliability.proxy import Spoil, SpoilingProxy, edited, login_page, truncated
from tests.reliability.support import RecordedClients, recorded_clients
from tests.reliability.truth import read_truth
from tests.support.fake_slack import FakeSlack


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox("demo", leak_rate=1000.0) as sb:
        yield sb


@pytest.fixture
def proxy(sandbox: Sandbox) -> Iterator[SpoilingProxy]:
    sandbox.reset("demo")
    with ShopStaff(sandbox.base_url, sandbox.api_key, sandbox.api_secret) as staff:
        staff.fix_demo_preflight_problems()
    sandbox.reset_stats()
    with SpoilingProxy(sandbox.base_url) as spoiling:
        yield spoiling


@pytest.fixture
def shop(sandbox: Sandbox, proxy: SpoilingProxy, tmp_path: Path) -> Iterator[SyncContext]:
    """The engine reading the sandbox through the proxy; waits skipped, real HTTP."""
    db = Database(f"sqlite:///{tmp_path}/shop.db")
    db.upgrade()
    with db.session() as s:
        conn = repo.ensure_connection(
            s, name="shop", pos_url=proxy.url, web_url=proxy.url, now=system_clock()
        )
        s.commit()
        assert conn.id is not None
    clients: RecordedClients = recorded_clients(sandbox, via=proxy.url)
    try:
        yield SyncContext(db, conn.id, clients.pos, clients.web, system_clock)
    finally:
        clients.close()
        db.dispose()


def _writes(sb: Sandbox) -> int:
    requests: dict[str, int] = sb.stats()["requests"]
    return sum(n for key, n in requests.items() if key.split()[1] != "GET")


def _stored(ctx: SyncContext) -> tuple[int, bool, list[str | None]]:
    with ctx.db.session() as s:
        links = len(repo.all_links(s, connection_id=ctx.connection_id))
        setup = repo.get_setup(s, connection_id=ctx.connection_id) is not None
        cursors = [
            repo.get_cursor(s, connection_id=ctx.connection_id, resource=r)
            for r in ("catalog.pos_modified", "catalog.web_modified", "catalog.full_at")
        ]
    return links, setup, cursors


def _first_variant(data: Any, key: str, field: str, value: Any) -> None:
    data["products"][0]["variants"][0][field] = value


def _drop_first_variant_field(data: Any, field: str) -> None:
    del data["products"][0]["variants"][0][field]


BAD_READS: dict[str, tuple[str, str, Spoil, type[Exception], str]] = {
    "truncated POS page": ("GET", r"^/pos/admin/products", truncated, RetryableError, "not JSON"),
    "web login page": (
        "GET",
        r"^/web/admin/products\.json",
        login_page,
        RetryableError,
        "not JSON",
    ),
    "truncated stock levels": (
        "GET",
        r"^/web/admin/inventory_levels",
        truncated,
        RetryableError,
        "not JSON",
    ),
    "price that is not a number": (
        "GET",
        r"^/web/admin/products\.json",
        edited(lambda d: _first_variant(d, "products", "price", "mười nghìn")),
        RecordError,
        "not a number",
    ),
    "variant without id": (
        "GET",
        r"^/pos/admin/products",
        edited(lambda d: _drop_first_variant_field(d, "id")),
        RecordError,
        "without id",
    ),
    "stock in words": (
        "GET",
        r"^/pos/admin/products",
        edited(lambda d: d["products"][0]["variants"][0]["inventories"][0].update(on_hand="nhiều")),
        RecordError,
        "not a number",
    ),
    "stock as a list": (
        "GET",
        r"^/pos/admin/products",
        edited(lambda d: _first_variant(d, "products", "inventories", "all of it")),
        RecordError,
        "POS",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_READS))
def test_a_bad_read_stops_the_first_link_before_any_write_and_a_good_one_resumes(
    case: str, sandbox: Sandbox, proxy: SpoilingProxy, shop: SyncContext
) -> None:
    """A read Sapo spoils (truncated, an HTML login page, a price in words, a variant without
    id) fails the first link with an error naming the problem; nothing is written to either
    store or the database; once Sapo answers properly the same first link completes (R1-R3)."""
    method, path, spoil, error, words = BAD_READS[case]
    proxy.spoil(method, path, spoil)
    with pytest.raises(error, match=words):
        first_link(shop, actor="U-setup")
    assert proxy.spoiled >= 1
    assert _writes(sandbox) == 0
    assert _stored(shop) == (0, False, [None, None, None])
    proxy.clear()
    assert first_link(shop, actor="U-setup").ok
    assert run_cycle(shop, actor="scheduler").writes == 0


def test_a_garbled_answer_to_a_create_is_linked_next_time_never_created_twice(
    sandbox: Sandbox, proxy: SpoilingProxy, shop: SyncContext
) -> None:
    """Sapo stores a new product but its answer arrives cut in half: the cycle stops (outcome
    unknown), and the next one finds the product by its SKU and links it; every SKU is on
    each side once (R3, R7)."""
    proxy.spoil("POST", r"^/web/admin/products\.json$", truncated, times=1)
    proxy.spoil("POST", r"^/pos/admin/products\.json$", truncated, times=1)
    first = first_link(shop, actor="U-setup")
    assert first.interrupted is not None and "not JSON" in first.interrupted.message
    # the second garbled create stops the second attempt; the third completes
    outcomes = [first_link(shop, actor="U-setup").ok for _ in range(2)]
    assert outcomes == [False, True]
    assert run_cycle(shop, actor="scheduler").writes == 0
    truth = read_truth(sandbox)
    for side in (truth.pos, truth.web):
        skus = [v.sku for v in side.values() if v.sku]
        assert len(skus) == len(set(skus))


def test_sapo_down_or_a_rejected_credential_is_told_to_the_person_not_as_an_incident(
    tmp_path: Path, slack: FakeSlack, sandbox: Sandbox
) -> None:
    """``/sapo sync`` while Sapo answers 503, and ``/sapo preflight`` with a secret Sapo
    rejects, each answer with what is wrong (Sapo failed; which credential to check), not
    "something went wrong on our side" (R19)."""
    sandbox.reset("demo")
    good = bot_settings(f"sqlite:///{tmp_path}/a.db", slack, sandbox)
    with running_bot(good, slack) as bot:
        sandbox.set_faults("both", error_rate=1.0, status=503)
        try:
            text = mrkdwn(bot.answers(bot.command("sync"), 2, timeout=60)[1].body)
        finally:
            sandbox.set_faults("both")
        assert "503" in text and "incident" not in text.lower(), text
    wrong = bot_settings(
        f"sqlite:///{tmp_path}/b.db", slack, sandbox, sapo_pos_api_secret="rejected-secret-x"
    )
    with running_bot(wrong, slack) as bot:
        text = mrkdwn(bot.answers(bot.command("preflight"), 2, timeout=60)[1].body)
        assert "SAPO_POS_API_KEY/SAPO_POS_API_SECRET rejected" in text, text
        assert "incident" not in text.lower() and "rejected-secret-x" not in text
