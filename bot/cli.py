"""The ``sapo-sync`` command line: one entry point per job the product does."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

import click

from bot.settings import Settings, SettingsError, load_settings

P = ParamSpec("P")
R = TypeVar("R")


def friendly_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn configuration errors into one readable line and exit status 2."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except SettingsError as exc:
            click.echo(f"sapo-sync: {exc}", err=True)
            sys.exit(2)

    return wrapper


def settings_for(command: str) -> Settings:
    return load_settings(command=command)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="sapo-sync")
def main() -> None:
    """Keep a shop's Sapo POS and Sapo Web store in sync, operated from Slack."""


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
@friendly_errors
def db_upgrade() -> None:
    """Bring the database to the latest schema (safe to run twice)."""
    from storage.engine import make_engine
    from storage.migrate import current_revision, upgrade

    settings = settings_for("db upgrade")
    engine = make_engine(settings.database_url)
    try:
        upgrade(engine)
        click.echo(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()


@db.command("current")
@friendly_errors
def db_current() -> None:
    """Print the database's schema revision and the latest one."""
    from storage.engine import make_engine
    from storage.migrate import current_revision, head_revision

    settings = settings_for("db current")
    engine = make_engine(settings.database_url)
    try:
        click.echo(f"current {current_revision(engine)} head {head_revision()}")
    finally:
        engine.dispose()


@main.command()
@click.option(
    "--host", default="0.0.0.0", show_default=True, help="HTTP mode only; PORT sets the port."
)
@friendly_errors
def run(host: str) -> None:
    """Run the Slack bot and the sync scheduler (Socket Mode if SLACK_APP_TOKEN is set)."""
    from bot.run import run as run_bot

    run_bot(settings_for("run"), host=host)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@friendly_errors
def preflight(as_json: bool) -> None:
    """Check both catalogues before the first link; exit 1 while problems block it (R1)."""
    from bot import cli_catalog

    sys.exit(cli_catalog.preflight(settings_for("preflight"), as_json=as_json))


@main.command()
@click.option("--dry-run", is_flag=True, help="Print the plan; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the plan and outcome as JSON.")
@click.option("--full", is_flag=True, help="Read both catalogues in full, not by cursors.")
@click.option("--force", is_flag=True, help="Apply a cycle the blast-radius guard stopped.")
@friendly_errors
def sync(dry_run: bool, as_json: bool, full: bool, force: bool) -> None:
    """Run one sync cycle (the first one is the first link) and print a summary."""
    from bot import cli_catalog

    settings = settings_for("sync")
    sys.exit(cli_catalog.sync(settings, dry_run=dry_run, as_json=as_json, full=full, force=force))


def _known_seed(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    """Refuse an unknown seed as a usage error before anything starts."""
    from sandbox.seeds import parse_seed

    try:
        parse_seed(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    return value


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8787, show_default=True, type=int)
@click.option(
    "--seed",
    default="demo",
    show_default=True,
    callback=_known_seed,
    help="demo, empty or bench:N",
)
@click.option("--bucket", default=40, show_default=True, type=int)
@click.option("--leak-rate", default=2.0, show_default=True, type=float)
@click.option("--api-key", default="sandbox", show_default=True)
@click.option("--api-secret", default="sandbox-secret", show_default=True)
def sandbox(
    host: str, port: int, seed: str, bucket: int, leak_rate: float, api_key: str, api_secret: str
) -> None:
    """Serve a local stand-in for the Sapo POS and Sapo Web APIs."""
    from sandbox.server import serve

    serve(
        host=host,
        port=port,
        seed=seed,
        bucket=bucket,
        leak_rate=leak_rate,
        api_key=api_key,
        api_secret=api_secret,
    )


@main.command()
@click.option("--script", is_flag=True, help="Run the tour without the console; exit 1 on a miss.")
@click.option(
    "--language",
    type=click.Choice(["en", "vi"]),
    default=None,
    help="Language of the tour and the bot (default: BOT_LANGUAGE, else en).",
)
@friendly_errors
def demo(script: bool, language: str | None) -> None:
    """Try the whole product on a local sandbox shop: no Slack or Sapo account needed."""
    from bot.demo import run_demo

    lang = language or settings_for("demo").bot_language
    sys.exit(run_demo(script=script, language=lang))


@main.command()
@friendly_errors
def console() -> None:
    """The /sapo command and its buttons in this terminal, against the configured stores."""
    from bot.console.launch import run_console

    sys.exit(run_console(settings_for("console")))
