"""A small method-and-path router; templates such as `/admin/products/{id}.json` name stats."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sandbox.state import SandboxState


@dataclass(frozen=True)
class Call:
    """What a handler sees of a request."""

    state: SandboxState
    params: dict[str, int]
    query: Mapping[str, str]
    body: Any
    headers: Mapping[str, str]


@dataclass(frozen=True)
class Reply:
    """A handler's answer: a JSON body and a status."""

    body: Any
    status: int = 200


Handler = Callable[[Call], Reply]


@dataclass(frozen=True)
class Match:
    """The outcome of routing: the template and handler, or the methods the path allows."""

    template: str | None
    handler: Handler | None = None
    params: dict[str, int] = field(default_factory=dict)
    allowed: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler


def compile_template(template: str, *, optional_json: bool) -> re.Pattern[str]:
    """`/admin/x/{id}.json` -> a regex with a numeric `id` group; `.json` optional on POS."""
    suffix = ""
    body = template
    if optional_json and template.endswith(".json"):
        body, suffix = template[: -len(".json")], r"(?:\.json)?"
    parts = re.split(r"(\{\w+\})", body)
    pattern = "".join(
        f"(?P<{p[1:-1]}>[0-9]+)" if p.startswith("{") else re.escape(p) for p in parts
    )
    return re.compile(f"^{pattern}{suffix}$")


class Router:
    """Routes of one API, tried in order of registration."""

    def __init__(self, *, optional_json: bool) -> None:
        self._optional_json = optional_json
        self._routes: list[_Route] = []

    def add(self, method: str, template: str, handler: Handler) -> None:
        """Register a handler."""
        regex = compile_template(template, optional_json=self._optional_json)
        self._routes.append(_Route(method, template, regex, handler))

    def route(self, method: str, template: str) -> Callable[[Handler], Handler]:
        """Decorator form of `add`."""

        def register(handler: Handler) -> Handler:
            self.add(method, template, handler)
            return handler

        return register

    def resolve(self, method: str, path: str) -> Match:
        """Find the handler for a request; a known path with another method gives `allowed`."""
        allowed: list[str] = []
        template: str | None = None
        for route in self._routes:
            found = route.regex.match(path)
            if found is None:
                continue
            params = {k: int(v) for k, v in found.groupdict().items()}
            if route.method == method:
                return Match(route.template, route.handler, params)
            allowed.append(route.method)
            template = template or route.template
        return Match(template, None, {}, tuple(allowed))
