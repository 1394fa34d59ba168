"""The English and Vietnamese catalogues are complete and agree with the code."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import bot
from bot.i18n import LANGUAGES, Translator, catalog, placeholders
from bot.views.problems import told_in
from sync.texts import TEXTS
from tests.sync.message_samples import message_samples
from tests.sync.problem_samples import all_samples

BOT = Path(bot.__file__).resolve().parent
KEY = re.compile(r"^[a-z_]+(\.[a-z0-9_]+)+$")


def _namespaces() -> set[str]:
    return {key.split(".")[0] for key in catalog("en")}


def _keys_in_code() -> set[str]:
    """String literals that look like catalogue keys, plus every ``*_KEYS`` mapping's values."""
    found: set[str] = set()
    spaces = _namespaces()
    for path in BOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and KEY.match(node.value)
                and node.value.split(".")[0] in spaces
            ):
                found.add(node.value)
    for info in pkgutil.walk_packages([str(BOT)], prefix="bot."):
        if info.name.endswith("__main__"):  # importing it would run the CLI
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if name.endswith("_KEYS") and isinstance(value, dict):
                found.update(v for v in value.values() if isinstance(v, str))
    return found


def test_both_catalogues_have_the_same_keys() -> None:
    """A key missing from English or Vietnamese fails here, not in front of a user."""
    en, vi = set(catalog("en")), set(catalog("vi"))
    assert sorted(en - vi) == [], "missing in vi.json"
    assert sorted(vi - en) == [], "missing in en.json"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_key_used_in_code_is_in_the_catalogue(lang: str) -> None:
    """Every key the builders ask for exists (a typo in code fails here)."""
    missing = sorted(_keys_in_code() - set(catalog(lang)))
    assert missing == []


def test_translations_take_the_same_placeholders() -> None:
    """A Vietnamese template fills the same ``{fields}`` as its English one."""
    en, vi = catalog("en"), catalog("vi")
    wrong = [k for k in en if placeholders(en[k]) != placeholders(vi.get(k, ""))]
    assert wrong == []


def test_vietnamese_is_written_with_diacritics() -> None:
    """The Vietnamese catalogue is real Vietnamese, not ASCII transliteration."""
    vi = catalog("vi")
    assert "Đã liên kết" in vi["status.link.linked"]
    assert Translator("vi")("btn.unlink") == "Xóa liên kết"


def test_translator_fills_placeholders() -> None:
    """Templates are filled with the given values in the chosen language."""
    assert Translator("en")("list.range", first=1, last=10, total=42) == "Showing 1\u201310 of 42"
    assert "trên tổng 42" in Translator("vi")("list.range", first=1, last=10, total=42)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_problem_code_has_a_template_taking_its_parameters(lang: str) -> None:
    """Each code (and nested fragment) the sync can produce, as listed once in
    ``sync.texts``, has a template in both languages filling exactly its parameters."""
    found = catalog(lang)
    missing = sorted(code for code in TEXTS if f"problem.{code}" not in found)
    wrong = sorted(
        code
        for code, names in TEXTS.items()
        if f"problem.{code}" in found and placeholders(found[f"problem.{code}"]) != names
    )
    assert (missing, wrong) == ([], [])


def test_no_problem_template_without_a_code_in_sync() -> None:
    """A ``problem.*`` key the sync never produces is a stale template (the list lives in sync)."""
    stale = sorted(k for k in catalog("en") if k.startswith("problem.") and k[8:] not in TEXTS)
    assert stale == []


def test_english_templates_say_what_the_sync_says() -> None:
    """Rendered in English, every problem the sync makes reads exactly as its stored message:
    English users see what they saw before the templates."""
    en = Translator("en")
    differ = [
        (s.code, told, s.message)
        for s in all_samples()
        if (told := told_in(en, s.code, s.params, str)) != s.message
    ]
    assert differ == []


def test_vietnamese_tells_every_problem_the_sync_makes() -> None:
    """In Vietnamese, every problem is told by its template, never its English message."""
    vi = Translator("vi")
    untold = [
        s.code for s in all_samples() if told_in(vi, s.code, s.params, str) in (None, s.message)
    ]
    assert untold == []


def test_english_says_every_other_sentence_as_the_sync_does() -> None:
    """Order reasons, resync outcomes, refusals and dry-run reasons read in English exactly
    as the sync's English text: English users see what they saw before."""
    en = Translator("en")
    differ = [
        (s.code, told, s.message)
        for s in message_samples()
        if (told := told_in(en, s.code, s.params, str)) != s.message
    ]
    assert differ == []


def test_vietnamese_tells_every_other_sentence_without_its_english() -> None:
    """In Vietnamese those sentences are told by their templates, with no English left."""
    vi = Translator("vi")
    english = ("not linked", "the order", "is on POS", "was not pushed", "same SKU", "created")
    untold = [
        (s.code, told)
        for s in message_samples()
        if (told := told_in(vi, s.code, s.params, str)) in (None, s.message)
        or any(word in told for word in english)
    ]
    assert untold == []
