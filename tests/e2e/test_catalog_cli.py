"""``sapo-sync preflight`` and ``sapo-sync sync`` against the sandbox (R1, R2, R3, R8)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from sandbox import Sandbox
from sandbox.seeds import DEMO_POS_DEFAULT_LOCATION_ID, DEMO_POS_ONLY_SKUS
from tests.e2e.catalog_shop import Shop, sandbox, shop
from tests.support.sapo import place_web_order

__all__ = ["sandbox", "shop"]  # fixtures


@pytest.fixture
def env(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The variables a shop sets, pointing at the sandbox and a fresh SQLite file."""
    monkeypatch.chdir(tmp_path)  # no stray .env file from the repository
    return {
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "SAPO_POS_URL": sandbox.pos_url,
        "SAPO_POS_API_KEY": sandbox.api_key,
        "SAPO_POS_API_SECRET": sandbox.api_secret,
        "SAPO_WEB_URL": sandbox.web_url,
        "SAPO_WEB_API_KEY": sandbox.api_key,
        "SAPO_WEB_API_SECRET": sandbox.api_secret,
    }


def cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_preflight_exit_status_follows_blocking_problems(env: dict[str, str], shop: Shop) -> None:
    """R1: exit 1 with every planted problem listed; exit 0 once the shop fixed them."""
    code, out = cli(env, "preflight")
    assert code == 1
    for problem in ("web_blank_sku", "web_duplicate_sku", "web_untracked", "web_negative_stock"):
        assert f"BLOCKING {problem}" in out
    code, out = cli(env, "preflight", "--json")
    assert code == 1 and json.loads(out)["ok"] is False
    shop.fix_planted_problems()
    code, out = cli(env, "preflight")
    assert code == 0 and out.strip().endswith("the first link may run")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sync_dry_run_prints_the_plan_then_sync_applies_it_once(
    env: dict[str, str], shop: Shop
) -> None:
    """R2, R3, R8: --dry-run lists reasoned actions and writes nothing; sync applies the first
    link; the next sync changes nothing; SYNC_GUARD_SHARE sets the guard (issue 5)."""
    code, out = cli(env, "sync", "--dry-run")
    assert code == 1 and "blocked by 4 preflight problem(s)" in out
    shop.fix_planted_problems()
    shop.sb.reset_stats()
    code, out = cli(env, "sync", "--dry-run", "--json")
    plan = json.loads(out)
    assert code == 0 and plan["dry_run"] and not plan["applied"] and plan["first_link"]
    assert plan["plan"]["counts"]["link"] > 80 and shop.writes() == {}
    assert all(a["reason"] for a in plan["plan"]["stock"] + plan["plan"]["creations"])
    code, out = cli(env, "sync", "--dry-run")
    assert code == 0 and "create on web 'Thắt lưng da nam' (TLDN-110, TLDN-120)" in out
    code, out = cli(env, "sync")
    assert code == 0 and out.splitlines()[-1].startswith("sync (first link): link ")
    shop.sb.reset_stats()
    code, out = cli(env, "sync")
    assert code == 0 and "no change; 0 write(s)" in out and shop.writes() == {}
    _, variant_id, _ = shop.web_variant("GTT-41")
    place_web_order(shop.sb, [(variant_id, 2)])  # a shopper buys 2; POS does not know yet
    shop.sb.set_pos_inventory("GTT-41", DEMO_POS_DEFAULT_LOCATION_ID, 30)
    code, out = cli(env, "sync")
    assert code == 0 and shop.web_stock("GTT-41") == 28  # R8: minus the order in flight
    _guard_share_is_the_operators(env, shop)


def _guard_share_is_the_operators(env: dict[str, str], shop: Shop) -> None:
    """Issue 5: a cycle that changes the stock of every link halts under the default share,
    writing nothing; with SYNC_GUARD_SHARE=1.0 the same change goes through. (Part of the
    test above, to reuse its first link: CI time.)"""
    with shop.sb.state.lock:
        skus = [v.sku for v in shop.sb.state.pos.variants.values() if v.sku]
    for sku in skus:  # a stock count at the default branch moves every linked item
        shop.sb.set_pos_inventory(sku, DEMO_POS_DEFAULT_LOCATION_ID, 77)
    shop.sb.reset_stats()
    code, out = cli(env, "sync")
    assert code == 1 and "stopped by the guard" in out and "would change or break" in out
    assert shop.writes() == {} and shop.web_stock(DEMO_POS_ONLY_SKUS[0]) != 77
    code, out = cli({**env, "SYNC_GUARD_SHARE": "1.0"}, "sync")
    assert code == 0, out
    assert shop.web_stock(DEMO_POS_ONLY_SKUS[0]) == 77


def test_without_a_store_url_the_cli_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A missing SAPO_POS_URL is one readable line pointing at the variable and the demo."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        main, ["sync"], env={"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "SAPO_POS_URL": ""}
    )
    assert result.exit_code == 2
    assert "SAPO_POS_URL is not set" in result.output and "sapo-sync demo" in result.output
