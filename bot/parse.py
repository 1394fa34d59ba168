"""Parsing the text after ``/sapo`` into a subcommand and its arguments (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from sync.domain import normalize_sku

SUBCOMMANDS = (
    "help",
    "status",
    "preflight",
    "sync",
    "products",
    "compare",
    "disconnect",
    "reconnect",
    "unlink",
    "orders",
    "resync",
    "errors",
    "config",
)
PRODUCT_STATUSES = ("linked", "disconnected", "error", "pos_deleted")
ORDER_STATUSES = ("pushed", "failed", "skipped", "ineligible", "pending")
ERROR_KINDS = ("product", "order")
NEEDS_ARGUMENT = ("compare", "disconnect", "reconnect", "unlink", "resync")
DRY_RUN_WORDS = ("dry-run", "dry_run", "dryrun", "--dry-run")
MAX_SEARCH = 100


@dataclass(frozen=True, slots=True)
class Command:
    """``/sapo <name> ...`` understood: ``arg`` is the SKU/order, ``text`` the search words."""

    name: str
    arg: str = ""
    text: str = ""
    status: str | None = None
    dry_run: bool = False


class UsageError(Exception):
    """The text is not a valid command; ``topic`` names the help line to show (None: all)."""

    def __init__(self, topic: str | None, word: str = "") -> None:
        super().__init__(topic or word)
        self.topic = topic
        self.word = word


def printable(text: str) -> str:
    """``text`` without control or invisible characters: none belongs in a command, a SKU or
    an order number, and PostgreSQL refuses NUL in any query."""
    return "".join(ch for ch in text if ch.isprintable() or ch.isspace())


def parse(text: str) -> Command:
    words = printable(text).split()
    if not words:
        return Command("help")
    name, rest = words[0].lower(), words[1:]
    if name not in SUBCOMMANDS:
        raise UsageError(None, words[0])
    if name == "help":
        topic = rest[0].lower() if rest else ""
        return Command("help", arg=topic if topic in SUBCOMMANDS else "")
    if name in NEEDS_ARGUMENT:
        arg = " ".join(rest)
        if name != "resync":
            arg = normalize_sku(arg)
        if not arg:
            raise UsageError(name)
        return Command(name, arg=arg)
    if name == "sync":
        if not rest:
            return Command("sync")
        if len(rest) == 1 and rest[0].lower() in DRY_RUN_WORDS:
            return Command("sync", dry_run=True)
        raise UsageError("sync")
    if name in ("products", "orders"):
        return _list(name, rest, PRODUCT_STATUSES if name == "products" else ORDER_STATUSES)
    if name == "errors":
        if not rest:
            return Command("errors")
        if len(rest) == 1 and rest[0].lower() in ERROR_KINDS:
            return Command("errors", status=rest[0].lower())
        raise UsageError("errors")
    return Command(name)


def _list(name: str, words: list[str], statuses: tuple[str, ...]) -> Command:
    status: str | None = None
    search: list[str] = []
    for word in words:
        if word.lower().startswith("status:"):
            wanted = word.split(":", 1)[1].lower()
            if wanted not in statuses or status is not None:
                raise UsageError(name)
            status = wanted
        else:
            search.append(word)
    return Command(name, text=" ".join(search)[:MAX_SEARCH], status=status)
