"""Settings read once from the environment and a ``.env`` file (pydantic-settings)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///sapo-sync.db"


class Settings(BaseSettings):
    """Everything sapo-sync reads from its environment; built once in the entry point."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = DEFAULT_DATABASE_URL

    sapo_pos_url: str | None = None
    sapo_pos_api_key: SecretStr | None = None
    sapo_pos_api_secret: SecretStr | None = None
    sapo_pos_access_token: SecretStr | None = None

    sapo_web_url: str | None = None
    sapo_web_api_key: SecretStr | None = None
    sapo_web_api_secret: SecretStr | None = None
    sapo_web_access_token: SecretStr | None = None

    # Calls per second Sapo's bucket leaks (sheet §4.2: 2/s); the clients pace themselves by it.
    sapo_leak_rate: float = Field(default=2.0, gt=0, le=1000)
    sapo_webhook_secret: SecretStr | None = None
    # Days a webhook delivery (or Slack request) id is kept to refuse replays; longer than
    # any sender's retry period (Sapo's is reported as up to 48 h, sheet §2.10).
    delivery_retention_days: int = Field(default=7, ge=3, le=365)
    public_url: str | None = None

    # Blast-radius guard (R7, issue 5): the share of live links one catalog cycle may zero or
    # change before it halts, and the number of links below which the guard does not apply.
    # Defaults match sync.guard.DEFAULT_GUARD.
    sync_guard_share: float = Field(default=0.5, gt=0, le=1)
    sync_guard_min_links: int = Field(default=10, ge=0)

    slack_bot_token: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_alert_channel: str | None = None
    slack_admin_users: Annotated[frozenset[str], NoDecode] = frozenset()
    slack_api_url: str = "https://slack.com/api/"

    port: int = Field(default=3000, ge=1, le=65535)
    bot_language: Literal["en", "vi"] = "en"
    timezone: str = "Asia/Ho_Chi_Minh"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    connection_name: str = "default"

    @field_validator("slack_admin_users", mode="before")
    @classmethod
    def _split_users(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        from storage.engine import check_url

        return check_url(value)

    @field_validator("sapo_pos_url", "sapo_web_url", "public_url", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # .env.example leaves these as `NAME=`: an empty value means "not set".
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("sapo_pos_url", "sapo_web_url", "public_url", "slack_api_url")
    @classmethod
    def _web_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// address with a host name")
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    def __repr_args__(self) -> Iterator[tuple[str | None, Any]]:
        # SecretStr fields already print as '**********'; the database URL may hold a password.
        from storage.engine import hide_password

        for name, value in super().__repr_args__():
            yield name, hide_password(value) if name == "database_url" else value


class SettingsError(Exception):
    """A missing or malformed setting, worded as one readable line."""


def load_settings(*, command: str, env_file: str | None = ".env") -> Settings:
    """Build the settings or raise ``SettingsError`` naming the variable and the command."""
    try:
        return Settings(_env_file=env_file)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first["loc"] else "?"
        reason = first["msg"].removeprefix("Value error, ")  # pydantic's wording for ours
        raise SettingsError(f"{name} is invalid for 'sapo-sync {command}': {reason}") from None


def require(settings: Settings, *names: str, command: str) -> None:
    """Fail with one line when a variable ``command`` needs is not set."""
    for name in names:
        if getattr(settings, name.lower()) in (None, ""):
            raise SettingsError(f"{name.upper()} must be set for 'sapo-sync {command}'")
