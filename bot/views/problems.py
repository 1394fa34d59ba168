"""A sync problem told in the bot's language: ``problem.<code>`` filled from its parameters.

The sync stores each problem with an English message and the parameters it is built from
(``sync.texts``). Here the template of its code in the configured language is filled with
those parameters, each escaped the way the English message is; nested fragments (a
variant's description, "no options") are worded by their own ``problem.part.*`` templates.
A row without parameters (written before they existed), a code with no template, or
parameters that do not fit the template show the stored English message instead.

Sentences that are not problems (an order's reason, a resync's outcome, a refusal, a dry
run's reason) come as one ``msg.*`` fragment whose key is their code (``said_text``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.i18n import Translator, placeholders
from bot.text import cut, esc, escape, plain
from sync.errors import SyncError, UserError
from sync.plan import Problem
from sync.texts import KEY

Quote = Callable[[str], str]


class _Unfit(Exception):
    """The parameters cannot fill a template: the English message is shown instead."""


def problem_text(
    t: Translator,
    code: str | None,
    params: Mapping[str, Any] | None,
    message: str,
    limit: int = 300,
) -> str:
    """The problem as mrkdwn, every parameter escaped, cut to ``limit``."""
    told = told_in(t, code, params, escape)
    return esc(message, limit) if told is None else cut(told, limit)


def said(t: Translator, problem: Problem, limit: int = 300) -> str:
    """A sync ``Problem`` as mrkdwn (``problem_text`` of its code, parameters, message)."""
    return problem_text(t, problem.code, problem.params, problem.message, limit)


def problem_plain(
    t: Translator,
    code: str | None,
    params: Mapping[str, Any] | None,
    message: str,
    limit: int = 300,
) -> str:
    """The problem unescaped, for ``plain_text`` or text the caller escapes as a whole."""
    told = told_in(t, code, params, str)
    return plain(message if told is None else told, limit)


def said_text(t: Translator, said: Mapping[str, Any] | None, message: str, limit: int) -> str:
    """A ``msg.*`` (or ``part.*``) sentence as mrkdwn, or the English ``message`` escaped."""
    return problem_text(t, _key(said), said, message, limit)


def said_plain(t: Translator, said: Mapping[str, Any] | None, message: str, limit: int) -> str:
    """``said_text`` unescaped, for text the caller escapes as a whole."""
    return problem_plain(t, _key(said), said, message, limit)


def refusal(t: Translator, error: SyncError, limit: int = 500) -> str:
    """Why a request was refused, unescaped: a ``UserError`` in the reader's language,
    anything else (Sapo down, a bad record) as it says."""
    said = error.said if isinstance(error, UserError) else None
    return said_plain(t, said, str(error), limit)


def _key(said: Mapping[str, Any] | None) -> str | None:
    key = None if said is None else said.get(KEY)
    return key if isinstance(key, str) else None


def told_in(
    t: Translator, code: str | None, params: Mapping[str, Any] | None, quote: Quote
) -> str | None:
    """``problem.<code>`` filled from ``params`` (strings passed through ``quote``), or None
    when there are no parameters, no template, or parameters that do not fit it."""
    if code is None or params is None:
        return None
    try:
        return _fill(t, code, params, quote)
    except (_Unfit, KeyError, IndexError, ValueError, TypeError, AttributeError):
        return None


def _fill(t: Translator, key: object, params: Mapping[str, Any], quote: Quote) -> str:
    template = t.template(f"problem.{key}") if isinstance(key, str) else None
    if template is None:
        raise _Unfit(key)
    values = {name: _value(t, value, quote) for name, value in params.items() if name != KEY}
    if not placeholders(template) <= values.keys():
        raise _Unfit(key)
    return template.format(**values)


def _value(t: Translator, value: Any, quote: Quote) -> Any:
    """A parameter as the template receives it: numbers and None as they are (``!r`` and
    format specs keep working), text quoted, fragments worded, lists joined."""
    if isinstance(value, Mapping):
        return _fill(t, value.get(KEY), value, quote)
    if isinstance(value, list):
        return "; ".join(str(_value(t, item, quote)) for item in value)
    if isinstance(value, str):
        return quote(value)
    if value is None or isinstance(value, int | float):
        return value
    raise _Unfit(value)
