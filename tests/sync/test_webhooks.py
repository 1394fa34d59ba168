"""Webhook deliveries: signature first, one handling per delivery, the right job triggered."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import cast

import pytest

from sandbox import Sandbox
from storage import repo
from storage.engine import Database
from sync.context import SyncContext
from sync.ports import PosApi, WebApi
from sync.reading import NO_SUBJECTS, Subjects
from sync.signing import sign
from sync.webhooks import (
    SUBSCRIPTIONS,
    TOPIC_JOBS,
    delivery_key,
    handle_delivery,
    register_webhooks,
    webhook_address,
)
from tests.support.sapo import clients_for

SECRET = "whsec-test"
BODY = json.dumps({"id": 175000009, "name": "#1009", "line_items": []}).encode()


class Recorder:
    """Stands in for the scheduler: remembers which jobs were triggered."""

    def __init__(self) -> None:
        self.triggered: list[str] = []
        self.subjects: list[Subjects] = []

    def trigger(self, name: str, subjects: Subjects = NO_SUBJECTS) -> bool:
        self.triggered.append(name)
        self.subjects.append(subjects)
        return True


@pytest.fixture
def ctx(database_url: str) -> Iterator[SyncContext]:
    db = Database(database_url)
    db.upgrade()
    now = datetime.now(UTC)
    with db.session() as s:
        cid = repo.ensure_connection(s, name="shop", pos_url="p", web_url="w", now=now).id
        s.commit()
    assert cid is not None
    no_api = object()
    yield SyncContext(db, cid, cast(PosApi, no_api), cast(WebApi, no_api), lambda: now)
    db.dispose()


def headers(body: bytes, *, topic: str = "orders/create", secret: str = SECRET) -> dict[str, str]:
    return {
        "X-Sapo-Topic": topic,
        "X-Sapo-Hmac-Sha256": sign(body, secret),
        "X-Sapo-Object-Id": "175000009",
        "content-type": "application/json",
    }


def test_a_signed_delivery_triggers_its_job_once_however_often_it_comes(
    ctx: SyncContext,
) -> None:
    """The same delivery received three times does the work once (prior-art §2.1)."""
    scheduler = Recorder()
    outcomes = [
        handle_delivery(
            ctx,
            source="web",
            topic=None,
            raw_body=BODY,
            headers=headers(BODY),
            secret=SECRET,
            scheduler=scheduler,
        )
        for _ in range(3)
    ]
    assert [(o.result, o.status_code) for o in outcomes] == [
        ("accepted", 200),
        ("duplicate", 200),
        ("duplicate", 200),
    ]
    assert scheduler.triggered == ["orders"]
    changed = BODY.replace(b"#1009", b"#1009 ")  # a later event about the same order
    again = handle_delivery(
        ctx,
        source="web",
        topic="orders/updated",
        raw_body=changed,
        headers=headers(changed, topic="orders/updated"),
        secret=SECRET,
        scheduler=scheduler,
    )
    assert again.result == "accepted" and scheduler.triggered == ["orders", "orders"]


@pytest.mark.parametrize(
    ("body", "signed_with", "drop_header"),
    [
        (BODY + b" ", SECRET, False),  # the body was changed after signing
        (BODY, "another-secret", False),
        (BODY, SECRET, True),
    ],
)
def test_a_bad_signature_is_refused_and_not_processed(
    ctx: SyncContext, body: bytes, signed_with: str, drop_header: bool
) -> None:
    """401 and nothing recorded or triggered: a forged delivery cannot even use up a key."""
    scheduler = Recorder()
    sent = headers(BODY, secret=signed_with)
    if drop_header:
        del sent["X-Sapo-Hmac-Sha256"]
    outcome = handle_delivery(
        ctx,
        source="web",
        topic="orders/create",
        raw_body=body,
        headers=sent,
        secret=SECRET,
        scheduler=scheduler,
    )
    assert (outcome.result, outcome.status_code) == ("rejected", 401)
    assert scheduler.triggered == []
    good = handle_delivery(
        ctx,
        source="web",
        topic="orders/create",
        raw_body=BODY,
        headers=headers(BODY),
        secret=SECRET,
        scheduler=scheduler,
    )
    assert good.result == "accepted"


def test_an_empty_secret_verifies_nothing(ctx: SyncContext) -> None:
    """A missing SAPO_WEBHOOK_SECRET cannot switch verification off."""
    outcome = handle_delivery(
        ctx,
        source="web",
        topic="orders/create",
        raw_body=BODY,
        headers=headers(BODY, secret=""),
        secret="",
        scheduler=Recorder(),
    )
    assert outcome.status_code == 401


def test_unknown_topics_are_ignored_and_unparsable_bodies_refused(ctx: SyncContext) -> None:
    """A topic we do not act on is answered 200 without work; a signed non-object is a 400."""
    scheduler = Recorder()
    ignored = handle_delivery(
        ctx,
        source="web",
        topic="customers/create",
        raw_body=BODY,
        headers=headers(BODY, topic="customers/create"),
        secret=SECRET,
        scheduler=scheduler,
    )
    junk = b"[1, 2"
    malformed = handle_delivery(
        ctx,
        source="pos",
        topic="inventories/update",
        raw_body=junk,
        headers=headers(junk),
        secret=SECRET,
        scheduler=scheduler,
    )
    assert (ignored.result, ignored.status_code) == ("ignored", 200)
    assert (malformed.result, malformed.status_code) == ("malformed", 400)
    assert scheduler.triggered == []


@pytest.mark.parametrize(
    ("source", "topic", "job"),
    [
        ("web", "orders/create", "orders"),
        ("web", "orders/cancelled", "orders"),
        ("web", "products/update", "catalog"),
        ("pos", "inventories/update", "stock"),
        ("pos", "products/delete", "catalog"),
    ],
)
def test_each_topic_sets_off_its_targeted_job(source: str, topic: str, job: str) -> None:
    """New web orders push orders (R5), POS stock pushes stock (R8), products sync products."""
    assert TOPIC_JOBS[source][topic] == job  # type: ignore[index]


@pytest.mark.parametrize(
    ("source", "topic", "body", "subjects"),
    [
        (
            "pos",
            "inventories/update",
            {"id": 31, "product_id": 30, "sku": "MBH", "inventories": []},
            Subjects(pos_product_ids=frozenset({30}), pos_variant_ids=frozenset({31})),
        ),
        ("pos", "products/update", {"id": 30}, Subjects(pos_product_ids=frozenset({30}))),
        ("web", "products/create", {"id": 70}, Subjects(web_product_ids=frozenset({70}))),
        ("web", "orders/create", {"id": 175000009}, NO_SUBJECTS),
    ],
)
def test_a_delivery_hands_its_product_to_the_job_it_triggers(
    ctx: SyncContext, source: str, topic: str, body: dict[str, int], subjects: Subjects
) -> None:
    """A stock or product delivery names its product for the triggered run to re-read, so
    the change is synced even when Sapo did not move the product's modified_on."""
    scheduler = Recorder()
    raw = json.dumps(body).encode()
    outcome = handle_delivery(
        ctx,
        source=source,  # type: ignore[arg-type]
        topic=topic,
        raw_body=raw,
        headers=headers(raw, topic=topic),
        secret=SECRET,
        scheduler=scheduler,
    )
    assert outcome.result == "accepted"
    assert scheduler.triggered == [TOPIC_JOBS[source][topic]]  # type: ignore[index]
    assert scheduler.subjects == [subjects]


def test_the_delivery_id_header_wins_over_the_body_digest() -> None:
    """Sapo's own delivery id, when sent, is the key; otherwise a digest of the exact body."""
    with_id = delivery_key("pos", "orders/update", BODY, {"x-event-version": "123"})
    assert with_id == "pos:orders/update:x-event-version:123"
    assert delivery_key("web", "orders/create", BODY, {}) != delivery_key(
        "web", "orders/create", BODY + b" ", {}
    )


def test_register_webhooks_subscribes_both_sides_once(tmp_path: object) -> None:
    """`sapo-sync run` with a public URL subscribes each side to its topics; running it again
    creates nothing (it lists first)."""
    with Sandbox("empty") as sb:
        pos, web = clients_for(sb)
        with pos, web:
            ctx = SyncContext(cast(Database, None), 1, pos, web, lambda: datetime.now(UTC))
            made = register_webhooks(ctx, "https://sync.example/")
            assert register_webhooks(ctx, "https://sync.example") == []
            with sb.state.lock:
                pos_hooks = {(h["topic"], h["address"]) for h in sb.state.pos.webhooks.values()}
                web_hooks = {(h["topic"], h["address"]) for h in sb.state.web.webhooks.values()}
    assert len(made) == len(SUBSCRIPTIONS["pos"]) + len(SUBSCRIPTIONS["web"])
    assert pos_hooks == {(t, "https://sync.example/webhooks/pos") for t in SUBSCRIPTIONS["pos"]}
    assert web_hooks == {
        (t, webhook_address("https://sync.example", "web")) for t in SUBSCRIPTIONS["web"]
    }
