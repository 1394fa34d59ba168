"""``sapo-sync sync`` includes the order push, and its ``--dry-run`` lists the orders (R5, R15)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from sync.links import disconnect
from tests.e2e.test_orders import Shop, demo_shop


@pytest.fixture
def shop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    monkeypatch.chdir(tmp_path)  # no stray .env file from the repository
    with demo_shop(f"sqlite:///{tmp_path}/cli.db") as shop:
        yield shop


def cli(shop: Shop, *args: str) -> tuple[int, str]:
    env = {
        "DATABASE_URL": shop.url,
        "SAPO_POS_URL": shop.sb.pos_url,
        "SAPO_POS_API_KEY": shop.sb.api_key,
        "SAPO_POS_API_SECRET": shop.sb.api_secret,
        "SAPO_WEB_URL": shop.sb.web_url,
        "SAPO_WEB_API_KEY": shop.sb.api_key,
        "SAPO_WEB_API_SECRET": shop.sb.api_secret,
    }
    result = CliRunner().invoke(main, ["sync", *args], env=env, catch_exceptions=False)
    return result.exit_code, result.output


def test_sync_dry_run_lists_the_orders_it_would_push_and_why_not(shop: Shop) -> None:
    """The dry run names each order, what would happen and why; nothing reaches POS."""
    disconnect(shop.ctx, "ASML-M", actor="U1")
    good = shop.place([("MBH", 1)])
    held = shop.place([("ASML-M", 1)])
    _, out = cli(shop, "--dry-run")
    assert f"order {good['name']} would push" in out
    assert f"order {held['name']} would skip: SKU ASML-M is disconnected" in out
    assert "orders (dry run): read=2 push=1 skip=1" in out
    _, out = cli(shop, "--dry-run", "--json")
    orders = json.loads(out)["orders"]
    assert [(o["name"], o["verdict"], o["skus"]) for o in orders["orders"]] == [
        (good["name"], "push", []),
        (held["name"], "skip", ["ASML-M"]),
    ]
    assert shop.pos_orders() == []
    assert "pos POST /admin/orders.json" not in shop.sb.stats()["requests"]


def test_sync_pushes_the_eligible_order_to_pos_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --dry-run the order push is real: POS then holds exactly the eligible order,
    the held one is not sent, and the output names the order it pushed (R5, R15)."""
    monkeypatch.chdir(tmp_path)
    with demo_shop(f"sqlite:///{tmp_path}/real.db", leak_rate=1000.0) as shop:
        disconnect(shop.ctx, "ASML-M", actor="U1")
        good = shop.place([("MBH", 1)])
        held = shop.place([("ASML-M", 1)])
        code, out = cli(shop)
        [pos] = shop.pos_orders()
        assert code == 0
        assert pos["reference_number"] == good["name"]
        assert f"order {good['name']} pushed as {pos['code']}" in out
        assert f"order {held['name']} skipped: SKU ASML-M is disconnected" in out
        assert "orders: read=2 push=1 skip=1" in out
        assert cli(shop)[0] == 0
        assert len(shop.pos_orders()) == 1  # a second run pushes nothing again
