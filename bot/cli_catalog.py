"""``sapo-sync preflight`` and ``sapo-sync sync``: the catalog engine from a terminal."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from bot.settings import Settings, SettingsError
from storage import repo
from storage.engine import Database
from sync.clients import make_pos_client, make_web_client
from sync.clock import system_clock
from sync.context import SyncContext
from sync.cycle import catalog_pass
from sync.errors import SyncError, UserError
from sync.guard import Guard
from sync.order_view import order_lines, order_run_as_dict
from sync.orders import OrderRunResult, push_orders
from sync.planview import plan_lines, result_as_dict, summary_line
from sync.preflight import PreflightReport, run_preflight


def _secret(value: Any) -> str | None:
    return None if value is None else str(value.get_secret_value())


@contextmanager
def sync_context(settings: Settings, *, command: str) -> Iterator[SyncContext]:
    """Database and both clients from the settings; closed on exit."""
    for name in ("sapo_pos_url", "sapo_web_url"):
        if not getattr(settings, name):
            raise SettingsError(
                f"{name.upper()} is not set: point it at your Sapo store for "
                f"'sapo-sync {command}', or run 'sapo-sync demo' to try the sandbox"
            )
    pos_url, web_url = str(settings.sapo_pos_url), str(settings.sapo_web_url)
    db = Database(settings.database_url)
    db.upgrade()  # safe to repeat; a terminal user should not need a separate step
    pos = make_pos_client(
        pos_url,
        api_key=_secret(settings.sapo_pos_api_key),
        api_secret=_secret(settings.sapo_pos_api_secret),
        access_token=_secret(settings.sapo_pos_access_token),
    )
    web = make_web_client(
        web_url,
        api_key=_secret(settings.sapo_web_api_key),
        api_secret=_secret(settings.sapo_web_api_secret),
        access_token=_secret(settings.sapo_web_access_token),
    )
    try:
        with db.session() as session:
            connection = repo.ensure_connection(
                session,
                name=settings.connection_name,
                pos_url=pos_url,
                web_url=web_url,
                now=system_clock(),
            )
            session.commit()
            assert connection.id is not None
            connection_id = connection.id
        guard = Guard(share=settings.sync_guard_share, min_links=settings.sync_guard_min_links)
        yield SyncContext(
            db,
            connection_id,
            pos,
            web,
            system_clock,
            pos_url.rstrip("/"),
            web_url.rstrip("/"),
            guard,
        )
    finally:
        pos.close()
        web.close()
        db.dispose()


def preflight_lines(report: PreflightReport) -> list[str]:
    lines = [
        f"preflight: {len(report.blocking)} blocking problem(s), {len(report.warnings)} "
        f"warning(s) over {report.pos_variants} POS and {report.web_variants} web variants"
    ]
    for label, findings in (("BLOCKING", report.blocking), ("warning", report.warnings)):
        for finding in findings:
            lines.append(f"{label} {finding.code}: {finding.message}")
            for item in finding.items:
                side = "POS" if item.side == "pos" else "web"
                lines.append(
                    f"  {side} '{item.name}' product {item.product_id} variant "
                    f"{item.variant_id} SKU {item.sku!r}"
                )
    lines.append(
        "the first link may run"
        if report.ok
        else "the first link is blocked until the blocking problems are fixed"
    )
    return lines


def preflight(settings: Settings, *, as_json: bool) -> int:
    """Print the preflight report; the exit status is 0 when the first link may run (R1)."""
    with sync_context(settings, command="preflight") as ctx:
        report = run_preflight(ctx)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
    else:
        for line in preflight_lines(report):
            click.echo(line)
    return 0 if report.ok else 1


def sync(settings: Settings, *, dry_run: bool, as_json: bool, full: bool, force: bool) -> int:
    """One cycle (or its plan with ``dry_run``); exit 1 when blocked, stopped or failing.

    The blast-radius guard is the operator's (SYNC_GUARD_SHARE, SYNC_GUARD_MIN_LINKS).
    """
    with sync_context(settings, command="sync") as ctx:
        try:
            result = catalog_pass(ctx, dry_run=dry_run, full=full, force=force, actor="cli")
        except UserError as exc:
            click.echo(f"sapo-sync: {exc}", err=True)
            return 1
        try:  # the order push is part of a cycle (issue 6); its dry run lists the orders
            orders: OrderRunResult | None = push_orders(ctx, dry_run=dry_run, actor="cli")
        except SyncError as exc:
            click.echo(f"sapo-sync: orders: {exc}", err=True)
            orders = None
    if as_json:
        both = result_as_dict(result) | {"orders": orders and order_run_as_dict(orders)}
        click.echo(json.dumps(both, ensure_ascii=False, indent=2))
    else:
        if result.blocked is not None:
            for line in preflight_lines(result.blocked):
                click.echo(line)
        if dry_run:
            for line in plan_lines(result.plan):
                click.echo(line)
        for failure in result.failures:
            click.echo(f"failed {failure.code} {failure.subject}: {failure.message}")
        for line in order_lines(orders) if orders is not None else []:
            click.echo(line)
        click.echo(summary_line(result))
    return 0 if result.ok and not result.failures and orders is not None else 1
