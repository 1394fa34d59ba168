"""Pagination helpers on plain data: pages stream, shifts are deduplicated, repeats are caught."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from sync.clients.paging import pos_pages, web_pages, web_pages_since
from sync.errors import RetryableError


def records(*ids: int) -> list[dict[str, Any]]:
    return [{"id": i} for i in ids]


class WebList:
    """A list served by page/limit or since_id, recording every query it gets."""

    def __init__(self, ids: list[int], *, ignore_page: bool = False) -> None:
        self.ids = ids
        self.ignore_page = ignore_page
        self.queries: list[dict[str, Any]] = []

    def __call__(self, query: Mapping[str, str | int]) -> dict[str, Any]:
        self.queries.append(dict(query))
        limit = int(query["limit"])
        since = int(query.get("since_id", 0))
        page = 1 if self.ignore_page else int(query.get("page", 1))
        chosen = [i for i in self.ids if i > since]
        return {"things": records(*chosen[(page - 1) * limit : page * limit])}


def test_web_pages_stream_until_a_short_page() -> None:
    """Seven records at limit 3 come in three pages and the fourth request is never made."""
    fetch = WebList(list(range(1, 8)))
    pages = list(web_pages(fetch, "things", {"status": "open"}, limit=3))
    assert [[r["id"] for r in p] for p in pages] == [[1, 2, 3], [4, 5, 6], [7]]
    assert [q["page"] for q in fetch.queries] == [1, 2, 3]
    assert all(q["status"] == "open" and q["limit"] == 3 for q in fetch.queries)


def test_web_pages_exact_multiple_reads_one_empty_page() -> None:
    """Six records at limit 3 end on an empty page 3."""
    fetch = WebList(list(range(1, 7)))
    assert sum(len(p) for p in web_pages(fetch, "things", {}, limit=3)) == 6
    assert len(fetch.queries) == 3


def test_web_page_that_repeats_is_an_error() -> None:
    """A server that ignores `page` would loop forever; the second identical page raises."""
    fetch = WebList(list(range(1, 10)), ignore_page=True)
    pages = web_pages(fetch, "things", {}, limit=3)
    assert [r["id"] for r in next(pages)] == [1, 2, 3]
    with pytest.raises(RetryableError, match="page 2 of things again"):
        next(pages)


def test_record_shifted_into_next_page_is_yielded_once() -> None:
    """A record added in front while paging pushes record 4 onto page 2 as well: yielded once."""
    fetch = WebList([2, 3, 4, 5, 6])
    pages = web_pages(fetch, "things", {}, limit=3)
    assert [r["id"] for r in next(pages)] == [2, 3, 4]
    fetch.ids.insert(0, 1)  # page 2 is now [4, 5, 6]
    assert [r["id"] for p in pages for r in p] == [5, 6]


def test_a_record_without_id_is_passed_on_not_the_end_of_the_list() -> None:
    """A record whose id cannot be read is handed on for the parser to report (issue 10):
    the records after it, on its page and on the next, still come, each once."""
    pages = [
        {"things": [{"id": 1}, {"name": "#1002"}, {"id": "abc"}]},
        {"things": [{"id": 1}, {"id": 4}]},
    ]
    fetch = iter(pages)
    read = list(web_pages(lambda _q: next(fetch), "things", {}, limit=3))
    assert read == [[{"id": 1}, {"name": "#1002"}, {"id": "abc"}], [{"id": 4}]]


def test_since_id_pages_by_the_largest_id() -> None:
    """since_id paging asks for ids above the last one seen and stops at a short page."""
    fetch = WebList([10, 11, 12, 20, 21])
    pages = list(web_pages_since(fetch, "things", {}, limit=2))
    assert [[r["id"] for r in p] for p in pages] == [[10, 11], [12, 20], [21]]
    assert [q.get("since_id") for q in fetch.queries] == [None, 11, 20]


def test_since_id_ignored_by_server_is_an_error() -> None:
    """A page that returns ids at or below the cursor means since_id is not honoured."""

    def fetch(query: Mapping[str, str | int]) -> dict[str, Any]:
        return {"things": records(1, 2)}

    pages = web_pages_since(fetch, "things", {}, limit=2)
    next(pages)
    with pytest.raises(RetryableError, match="ignored since_id=2"):
        next(pages)


class PosList:
    """A core-API list with a metadata block."""

    def __init__(self, total: int, *, stuck: bool = False) -> None:
        self.total = total
        self.stuck = stuck
        self.pages: list[int] = []

    def __call__(self, query: Mapping[str, str | int]) -> dict[str, Any]:
        page, limit = int(query["page"]), int(query["limit"])
        self.pages.append(page)
        shown = 1 if self.stuck else page
        ids = list(range(1, self.total + 1))[(shown - 1) * limit : shown * limit]
        return {
            "metadata": {"total": self.total, "page": shown, "limit": limit},
            "things": records(*ids),
        }


def test_pos_pages_stop_at_metadata_total() -> None:
    """Six records at limit 3: two requests, no third one for an empty page."""
    fetch = PosList(6)
    assert [r["id"] for p in pos_pages(fetch, "things", {}, limit=3) for r in p] == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert fetch.pages == [1, 2]


def test_pos_empty_list_is_one_request() -> None:
    """An empty account answers total 0 and paging stops after one call."""
    fetch = PosList(0)
    assert list(pos_pages(fetch, "things", {}, limit=3)) == []
    assert fetch.pages == [1]


def test_pos_page_that_repeats_is_an_error() -> None:
    """A core API that keeps answering page 1 raises instead of looping."""
    pages = pos_pages(PosList(9, stuck=True), "things", {}, limit=3)
    next(pages)
    with pytest.raises(RetryableError, match="again"):
        next(pages)
