"""Dependencies point inward (STYLE.md): each package imports only what its layer may."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# package (path prefix) -> top-level modules it must never import
FORBIDDEN: dict[str, set[str]] = {
    "sync": {"bot", "slack_bolt", "slack_sdk", "sqlmodel", "sqlalchemy", "httpx", "starlette"},
    "sync/clients": {"bot", "slack_bolt", "slack_sdk", "sqlmodel", "sqlalchemy", "storage"},
    "storage": {"bot", "sync", "slack_bolt", "slack_sdk", "httpx", "starlette"},
    "sandbox": {"bot", "sync", "storage", "slack_bolt", "slack_sdk", "sqlmodel", "sqlalchemy"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def _rules_for(relative: str) -> set[str]:
    """The most specific rule wins: sync/clients may use httpx although sync may not."""
    best = ""
    for prefix in FORBIDDEN:
        if (relative == prefix or relative.startswith(prefix + "/")) and len(prefix) > len(best):
            best = prefix
    return FORBIDDEN.get(best, set())


FILES = sorted(
    p
    for package in ("sync", "storage", "sandbox")
    for p in (ROOT / package).rglob("*.py")
    if "migrations/versions" not in p.as_posix()
)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_module_respects_its_layer(path: Path) -> None:
    """No module imports a layer outside its own (e.g. sync never imports bot or httpx)."""
    relative = path.relative_to(ROOT).parent.as_posix()
    bad = _imports(path) & _rules_for(relative)
    assert not bad, f"{path.relative_to(ROOT)} imports {sorted(bad)}"
