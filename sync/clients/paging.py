"""Streaming pagination over Sapo lists, with guards against pages that repeat forever."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from sync.clients.parse_common import Json, items, opt_id, req_id
from sync.clients.parse_pos import metadata
from sync.errors import RetryableError

PAGE_LIMIT = 250  # the largest page both APIs allow (sheet §4)
MAX_PAGES = 10_000  # 2.5 million records: far past any shop; stops a server that never ends

Fetch = Callable[[Mapping[str, str | int]], Any]


def _ids(batch: list[Json], key: str) -> list[int]:
    return [req_id(item, "id", key.rstrip("s")) for item in batch]


def _ids_or_none(batch: list[Json]) -> list[int | None]:
    """Ids where readable: a record without one is the parser's to report (issue 10), not a
    reason to drop the whole page."""
    return [opt_id(item, "id") for item in batch]


def _repeated(what: str, page: int) -> RetryableError:
    return RetryableError(f"Sapo sent page {page} of {what} again; the list cannot be trusted")


def web_pages(
    fetch: Fetch, key: str, params: Mapping[str, str | int], *, limit: int = PAGE_LIMIT
) -> Iterator[list[Json]]:
    """Pages of a Sapo Web list by ``page``/``limit``, ending at the first short page.

    A record already yielded (the list shifted under us while a record was added) is not
    yielded twice; a page identical to the one before means the server ignores ``page``.
    A record without a readable id is passed on as it is, for the parser to report.
    """
    seen: set[int] = set()
    previous: list[int | None] | None = None
    for page in range(1, MAX_PAGES + 1):
        batch = items(fetch({**params, "limit": limit, "page": page}), key)
        ids = _ids_or_none(batch)
        if ids and ids == previous:
            raise _repeated(key, page)
        previous = ids
        pairs = zip(batch, ids, strict=True)
        fresh = [item for item, ident in pairs if ident is None or ident not in seen]
        seen.update(ident for ident in ids if ident is not None)
        if fresh:
            yield fresh
        if len(batch) < limit:
            return
    raise _repeated(key, MAX_PAGES)


def web_pages_since(
    fetch: Fetch,
    key: str,
    params: Mapping[str, str | int],
    *,
    since_id: int = 0,
    limit: int = PAGE_LIMIT,
) -> Iterator[list[Json]]:
    """Pages of a Sapo Web list by ``since_id`` (records with a larger id, ascending).

    Robust against records added while paging. Every id must exceed the cursor, else the
    server ignored ``since_id`` and paging by it would loop.
    """
    cursor = since_id
    for _ in range(MAX_PAGES):
        query: dict[str, str | int] = {**params, "limit": limit}
        if cursor:
            query["since_id"] = cursor
        batch = items(fetch(query), key)
        ids = _ids(batch, key)
        if any(ident <= cursor for ident in ids):
            raise RetryableError(f"Sapo ignored since_id={cursor} on {key}; paging stopped")
        if batch:
            yield batch
        if len(batch) < limit:
            return
        cursor = max(ids)
    raise _repeated(key, MAX_PAGES)


def pos_pages(
    fetch: Fetch, key: str, params: Mapping[str, str | int], *, limit: int = PAGE_LIMIT
) -> Iterator[list[Json]]:
    """Pages of a Sapo POS list, driven by the answer's ``metadata {total, page, limit}``.

    Without a metadata block it falls back to "stop at the first short page".
    """
    seen: set[int] = set()
    previous: list[int] | None = None
    for page in range(1, MAX_PAGES + 1):
        payload = fetch({**params, "limit": limit, "page": page})
        batch = items(payload, key)
        ids = _ids(batch, key)
        meta = metadata(payload)
        if (ids and ids == previous) or (meta is not None and page > 1 and meta[1] != page):
            raise _repeated(key, page)
        previous = ids
        fresh = [item for item, ident in zip(batch, ids, strict=True) if ident not in seen]
        seen.update(ids)
        if fresh:
            yield fresh
        if meta is not None:
            total, _, size = meta
            if not batch or page >= math.ceil(total / (size or limit)):
                return
        elif len(batch) < limit:
            return
    raise _repeated(key, MAX_PAGES)
