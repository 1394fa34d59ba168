"""Reading ``/sapo`` text: subcommands, filters, and the help line a mistake deserves."""

from __future__ import annotations

import pytest

from bot.parse import Command, UsageError, parse


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("", Command("help")),
        ("help resync", Command("help", arg="resync")),
        ("STATUS", Command("status")),
        ("sync", Command("sync")),
        ("sync dry-run", Command("sync", dry_run=True)),
        ("products", Command("products")),
        ("products áo thun status:error", Command("products", text="áo thun", status="error")),
        ("orders status:failed #10", Command("orders", text="#10", status="failed")),
        ("errors order", Command("errors", status="order")),
        ("compare  APP-DEN-M ", Command("compare", arg="APP-DEN-M")),
        ("unlink KTV", Command("unlink", arg="KTV")),
        ("resync #1042", Command("resync", arg="#1042")),
        ("config", Command("config")),
    ],
)
def test_commands_are_understood(text: str, command: Command) -> None:
    """Each subcommand of the issue parses with its arguments (R13, R14, R17)."""
    assert parse(text) == command


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("frobnicate", None),
        ("compare", "compare"),
        ("disconnect   ", "disconnect"),
        ("reconnect", "reconnect"),
        ("unlink", "unlink"),
        ("resync", "resync"),
        ("sync now please", "sync"),
        ("products status:gone", "products"),
        ("orders status:pushed status:failed", "orders"),
        ("errors everything", "errors"),
    ],
)
def test_mistakes_name_the_help_line_to_show(text: str, topic: str | None) -> None:
    """An unknown subcommand shows all help; a missing argument shows that command's line."""
    with pytest.raises(UsageError) as caught:
        parse(text)
    assert caught.value.topic == topic
