"""Settings: malformed values stop a command with one line, .env is read, secrets stay hidden."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.settings import Settings, load_settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"

MALFORMED = [
    ("PORT", "abc"),
    ("TIMEZONE", "Mars/X"),
    ("BOT_LANGUAGE", "fr"),
    ("DATABASE_URL", "garbage"),
    ("DATABASE_URL", "mysql://sapo:hunter2@db/sapo"),
    ("SAPO_POS_URL", "not-a-url"),
    ("SAPO_POS_URL", "ftp://x"),
    ("SAPO_WEB_URL", "https://"),
    ("SYNC_GUARD_SHARE", "0"),
    ("SYNC_GUARD_SHARE", "1.5"),
    ("SYNC_GUARD_MIN_LINKS", "-1"),
]
COMMANDS = [["run"], ["sync"], ["preflight"], ["db", "upgrade"]]


@pytest.mark.parametrize(("name", "value"), MALFORMED)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_malformed_value_is_one_line_naming_variable_and_command(
    name: str, value: str, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad value stops the command with exit 2 and one stderr line, never a traceback."""
    monkeypatch.chdir(tmp_path)  # no .env from the repository
    env = {"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", name: value}
    result = CliRunner().invoke(main, command, env=env)
    assert result.exit_code == 2, (result.output, result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert name in lines[0] and f"'sapo-sync {' '.join(command)}'" in lines[0]
    assert "Traceback" not in result.output and "hunter2" not in result.output
    assert result.stdout == ""
    assert not (tmp_path / "x.db").exists()  # refused before anything was touched


def test_blank_store_urls_mean_unset() -> None:
    """`SAPO_POS_URL=` as copied from .env.example is "not set", not a malformed address."""
    settings = Settings(_env_file=None, sapo_pos_url="", sapo_web_url=" ", public_url="")
    assert (settings.sapo_pos_url, settings.sapo_web_url, settings.public_url) == (None,) * 3


def test_settings_read_the_env_file_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .env file where the command runs supplies values; the real environment wins."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "SAPO_POS_URL=https://shop.mysapo.vn\nPORT=3100\nSYNC_GUARD_SHARE=0.25\n"
        "SLACK_ADMIN_USERS=U1, U2\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("PORT", "3200")
    settings = load_settings(command="run")
    assert settings.sapo_pos_url == "https://shop.mysapo.vn"
    assert settings.port == 3200
    assert settings.sync_guard_share == 0.25
    assert settings.slack_admin_users == frozenset({"U1", "U2"})


def test_defaults_match_the_guard_the_engine_uses() -> None:
    """SYNC_GUARD_* default to exactly the engine's own blast-radius guard."""
    from sync.guard import DEFAULT_GUARD

    settings = Settings(_env_file=None)
    assert settings.sync_guard_share == DEFAULT_GUARD.share
    assert settings.sync_guard_min_links == DEFAULT_GUARD.min_links


def test_repr_and_str_never_show_a_secret() -> None:
    """Printing or logging the settings shows no token, secret or database password."""
    secrets = {
        name: f"s3cret-{name}"
        for name, field in Settings.model_fields.items()
        if "SecretStr" in str(field.annotation)
    }
    assert len(secrets) >= 10
    settings = Settings(
        _env_file=None, database_url="postgresql://sapo:pg-pass-77@db:5432/sapo", **secrets
    )
    for shown in (repr(settings), str(settings), f"{settings!r}"):
        assert "database_url" in shown and "sapo:***@db" in shown
        assert "pg-pass-77" not in shown
        for value in secrets.values():
            assert value not in shown
    assert settings.database_url.endswith("pg-pass-77@db:5432/sapo")  # the value itself stays


def test_every_setting_is_documented_in_env_example() -> None:
    """Each Settings field appears in .env.example with a comment line just above it."""
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    assigned = {
        match.group(1): index
        for index, line in enumerate(lines)
        if (match := re.match(r"([A-Z][A-Z0-9_]*)=", line))
    }
    for field in Settings.model_fields:
        name = field.upper()
        assert name in assigned, f"{name} is missing from .env.example"
        above = lines[assigned[name] - 1] if assigned[name] else ""
        assert above.startswith("#"), f"{name} has no comment line just above it"
