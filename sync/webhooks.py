"""Webhook deliveries: verified, handled once, and turned into targeted scheduler work.

Framework-free: the HTTP route in ``bot/`` passes the raw body and headers and answers with
``WebhookOutcome.status_code``. Nothing slow happens here; the work runs as a scheduler job,
and polling stays on as the safety net for deliveries that never come.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, Protocol

from storage import repo
from sync.context import SyncContext
from sync.domain import Webhook
from sync.reading import NO_SUBJECTS, Subjects
from sync.scheduler_jobs import JOB_CATALOG, JOB_ORDERS, JOB_STOCK
from sync.signing import SIGNATURE_HEADER, TOPIC_HEADER, header, verify_signature

log = logging.getLogger(__name__)

Source = Literal["pos", "web"]

# What each subscribed topic sets off. Web orders go to POS (R5); POS stock changes go to the
# web (R8); a product change on either side is a catalog matter (R7, R10, R11).
TOPIC_JOBS: dict[Source, dict[str, str]] = {
    "web": {
        "orders/create": JOB_ORDERS,
        "orders/updated": JOB_ORDERS,
        "orders/update": JOB_ORDERS,  # the core API's spelling; Web's is unknown (sheet §2.10)
        "orders/cancelled": JOB_ORDERS,
        "orders/delete": JOB_ORDERS,
        "products/create": JOB_CATALOG,
        "products/update": JOB_CATALOG,
        "products/delete": JOB_CATALOG,
    },
    "pos": {
        "inventories/update": JOB_STOCK,
        "products/create": JOB_CATALOG,
        "products/update": JOB_CATALOG,
        "products/delete": JOB_CATALOG,
    },
}
# Registered per side; "orders/update" is left out because Sapo delivers one of the two.
SUBSCRIPTIONS: dict[Source, tuple[str, ...]] = {
    source: tuple(t for t in topics if t != "orders/update")
    for source, topics in TOPIC_JOBS.items()
}
ID_HEADERS = ("X-Sapo-Webhook-Id", "X-Sapo-Event-Id", "X-Event-Version")


class Trigger(Protocol):
    """What a delivery needs from the scheduler (``SyncScheduler.trigger``)."""

    def trigger(self, name: str, subjects: Subjects = NO_SUBJECTS) -> bool: ...


@dataclass(frozen=True, slots=True)
class WebhookOutcome:
    """How a delivery was handled; ``status_code`` is what the HTTP route answers.

    ``result``: ``accepted`` (work triggered), ``duplicate`` (seen before, nothing done),
    ``ignored`` (a topic we do not act on), ``rejected`` (bad signature: 401, not processed),
    ``malformed`` (signed, but not a JSON object: 400).
    """

    result: str
    status_code: int
    topic: str
    job: str | None = None
    key: str | None = None
    triggered: bool = False


def delivery_key(source: str, topic: str, raw_body: bytes, headers: Mapping[str, str]) -> str:
    """The idempotency key: the delivery's own id when Sapo sends one, else a body digest.

    A redelivery carries the same body, so the digest dedupes it; two different events about
    one object differ in their bodies (``modified_on``), so both are handled.
    """
    for name in ID_HEADERS:
        value = header(headers, name)
        if value:
            return f"{source}:{topic}:{name.lower()}:{value.strip()}"
    object_id = (header(headers, "X-Sapo-Object-Id") or "").strip()
    digest = hashlib.sha256(raw_body).hexdigest()[:32]
    return f"{source}:{topic}:{object_id}:{digest}"


def subjects_of(source: Source, topic: str, body: Mapping[str, object]) -> Subjects:
    """The products a delivery is about, for the triggered run to re-read by id.

    POS ``inventories/update`` carries a variant ([UNKNOWN] shape, sheet §3.6: the bare
    variant, ``id`` and ``product_id``); product topics carry the product. Orders need none:
    the order run reads every order placed since its cursor.
    """

    def ids(*names: str) -> frozenset[int]:
        found = (body.get(n) for n in names)
        return frozenset(v for v in found if isinstance(v, int) and not isinstance(v, bool))

    if topic == "inventories/update":
        return Subjects(pos_product_ids=ids("product_id"), pos_variant_ids=ids("variant_id", "id"))
    if topic.startswith("products/"):
        if source == "pos":
            return Subjects(pos_product_ids=ids("id"))
        return Subjects(web_product_ids=ids("id"))
    return NO_SUBJECTS


def handle_delivery(
    ctx: SyncContext,
    *,
    source: Source,
    topic: str | None,
    raw_body: bytes,
    headers: Mapping[str, str],
    secret: str,
    scheduler: Trigger,
) -> WebhookOutcome:
    """Verify on the raw bytes, record the delivery once, trigger the job it calls for."""
    topic = (topic or header(headers, TOPIC_HEADER) or "").strip()
    if not verify_signature(raw_body, header(headers, SIGNATURE_HEADER), secret):
        log.warning("webhook rejected source=%s topic=%s reason=bad_signature", source, topic)
        return WebhookOutcome("rejected", 401, topic)
    try:
        body = json.loads(raw_body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict):
        log.warning("webhook malformed source=%s topic=%s", source, topic)
        return WebhookOutcome("malformed", 400, topic)
    job = TOPIC_JOBS.get(source, {}).get(topic)
    if job is None:
        return WebhookOutcome("ignored", 200, topic)
    key = delivery_key(source, topic, raw_body, headers)
    with ctx.db.session() as s:
        first = repo.claim_delivery(s, connection_id=ctx.connection_id, key=key, now=ctx.clock())
        s.commit()
    if not first:
        log.info("webhook duplicate source=%s topic=%s key=%s", source, topic, key)
        return WebhookOutcome("duplicate", 200, topic, job, key)
    subjects = subjects_of(source, topic, body)
    triggered = scheduler.trigger(job, subjects) if subjects else scheduler.trigger(job)
    log.info(
        "webhook accepted source=%s topic=%s job=%s triggered=%s object=%s",
        source,
        topic,
        job,
        triggered,
        body.get("id"),
    )
    return WebhookOutcome("accepted", 200, topic, job, key, triggered)


class _Subscriptions(Protocol):
    def webhooks(self) -> list[Webhook]: ...

    def register_webhook(self, topic: str, address: str) -> Webhook: ...


def webhook_address(public_url: str, source: Source) -> str:
    """Where Sapo posts: ``POST /webhooks/pos`` and ``/webhooks/web`` on the public URL."""
    return f"{public_url.rstrip('/')}/webhooks/{source}"


def register_webhooks(ctx: SyncContext, public_url: str) -> list[Webhook]:
    """Subscribe both sides to the topics we act on; already-present ones are left alone."""
    made: list[Webhook] = []
    apis: dict[Source, _Subscriptions] = {"pos": ctx.pos, "web": ctx.web}
    sources: tuple[Source, ...] = ("pos", "web")
    for source in sources:
        api = apis[source]
        address = webhook_address(public_url, source)
        existing = {(w.topic, w.address) for w in api.webhooks()}
        for topic in SUBSCRIPTIONS[source]:
            if (topic, address) not in existing:
                made.append(api.register_webhook(topic, address))
    log.info("webhooks registered created=%d public_url=%s", len(made), public_url)
    return made
