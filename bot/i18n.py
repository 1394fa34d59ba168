"""Message catalogues (English, Vietnamese) and the translator the builders take."""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from functools import cache
from importlib import resources

LANGUAGES = ("en", "vi")
FALLBACK = "en"


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """The flat ``key -> template`` catalogue of ``lang`` (read once, on first use)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    raw = resources.files("bot").joinpath("locales", f"{lang}.json").read_text(encoding="utf-8")
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError(f"bot/locales/{lang}.json must hold one JSON object")
    return {str(k): str(v) for k, v in data.items()}


def placeholders(template: str) -> frozenset[str]:
    """The ``{name}`` fields a template expects."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(template) if name)


class Translator:
    """``t("key", name=value)``: the template of ``key`` in one language, filled in.

    Values are inserted as given: callers escape untrusted ones first (``bot.text.esc``).
    A key missing from the language falls back to English, then to the key itself, so a
    gap shows up as an odd word rather than an error in front of a user; the catalogue test
    catches gaps before that.
    """

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._own = catalog(lang)
        self._fallback = catalog(FALLBACK)

    def __call__(self, key: str, **params: object) -> str:
        template = self._own.get(key) or self._fallback.get(key)
        if template is None:
            return key
        return template.format(**params) if params else template

    def has(self, key: str) -> bool:
        return key in self._own

    def template(self, key: str) -> str | None:
        """The raw template of ``key`` (English when this language lacks it), or None."""
        return self._own.get(key) or self._fallback.get(key)
