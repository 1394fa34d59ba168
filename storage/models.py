"""Every table sapo-sync keeps, keyed by connection (one POS account + one web store)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Index, MetaData, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from storage.types import DecimalText, JSONText, UTCDateTime

# Stable constraint names, so migrations can refer to them on every database.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def _ts(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Connection(SQLModel, table=True):
    __tablename__ = "connections"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    pos_url: str = Field(max_length=500)
    web_url: str = Field(max_length=500)
    created_at: datetime = _ts()


class Link(SQLModel, table=True):
    """One linked variant pair (R2). One row per SKU per connection, ever (R16)."""

    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("connection_id", "sku", name="uq_links_connection_sku"),)

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connections.id", index=True)
    sku: str = Field(max_length=255)  # normalized matching key
    pos_sku: str | None = Field(default=None, max_length=255)  # as POS spells it
    web_sku: str | None = Field(default=None, max_length=255)  # as the web spells it
    name: str = Field(default="", max_length=500)
    pos_product_id: int | None = Field(default=None)
    pos_variant_id: int | None = Field(default=None, index=True)
    web_product_id: int | None = Field(default=None)
    web_variant_id: int | None = Field(default=None, index=True)
    web_inventory_item_id: int | None = Field(default=None)
    status: str = Field(max_length=20, index=True)
    reason_code: str | None = Field(default=None, max_length=60)
    reason: str | None = Field(default=None, max_length=2000)
    # what ``reason`` is built from, so it can be told in the bot's language (sync.texts)
    reason_params: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSONText(), nullable=True)
    )
    last_stock_written: Decimal | None = Field(
        default=None, sa_column=Column(DecimalText(), nullable=True)
    )
    last_price_written: int | None = Field(default=None)
    last_pos_values: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSONText(), nullable=True)
    )
    last_web_values: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSONText(), nullable=True)
    )
    cost_review: bool = Field(default=False)  # R6
    origin: str = Field(default="matched", max_length=20)  # matched | pos_created | web_created
    search_text: str = Field(default="", max_length=1000)  # casefolded SKU + name, see below
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    last_synced_at: datetime | None = _ts(nullable=True)


class Order(SQLModel, table=True):
    """A web order and what became of it on POS (R5, R17)."""

    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("connection_id", "web_order_id", name="uq_orders_connection_web_order"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connections.id", index=True)
    web_order_id: int
    web_order_name: str = Field(max_length=60, index=True)
    web_created_on: datetime = _ts()
    customer_name: str | None = Field(default=None, max_length=300)
    search_text: str = Field(default="", max_length=1000)  # casefolded name + customer + POS code
    total: int = Field(default=0)
    lines: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONText(), nullable=False)
    )
    config_version: int | None = Field(default=None)
    pos_order_id: int | None = Field(default=None)
    pos_order_code: str | None = Field(default=None, max_length=60)
    status: str = Field(max_length=20, index=True)
    attempts: int = Field(default=0)
    reason_code: str | None = Field(default=None, max_length=60)
    reason: str | None = Field(default=None, max_length=2000)
    # ``reason`` as a sentence of sync.texts (its "key" names the template, the rest fill
    # it), so the order list tells it in the bot's language; None on rows written before
    reason_params: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSONText(), nullable=True)
    )
    claimed_at: datetime | None = _ts(nullable=True)
    pushed_at: datetime | None = _ts(nullable=True)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class SyncErrorRow(SQLModel, table=True):
    """One sync problem (R19), keyed by its fingerprint: kind + subject + reason code."""

    __tablename__ = "errors"
    __table_args__ = (
        UniqueConstraint("connection_id", "fingerprint", name="uq_errors_connection_fingerprint"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connections.id", index=True)
    fingerprint: str = Field(max_length=400)
    kind: str = Field(max_length=20)  # product | order
    subject: str = Field(max_length=255)  # SKU or order name
    code: str = Field(max_length=60)
    message: str = Field(max_length=4000)  # in English
    # what ``message`` is built from, to tell it in the bot's language (sync.texts);
    # None on rows written before there were parameters: those show ``message``
    params: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONText(), nullable=True))
    first_seen: datetime = _ts()
    last_seen: datetime = _ts()
    count: int = Field(default=1)
    resolved_at: datetime | None = _ts(nullable=True)
    dismissed_at: datetime | None = _ts(nullable=True)
    dismissed_by: str | None = Field(default=None, max_length=100)


class ConfigVersion(SQLModel, table=True):
    """A saved configuration (R18); never updated in place, a change is a new version."""

    __tablename__ = "config_versions"
    __table_args__ = (
        UniqueConstraint("connection_id", "version", name="uq_config_versions_connection_version"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connections.id", index=True)
    version: int
    price_list_id: int
    order_location_id: int
    stock_location_ids: list[int] = Field(sa_column=Column(JSONText(), nullable=False))
    order_interval_s: int = Field(default=60)
    stock_interval_s: int = Field(default=120)
    catalog_interval_s: int = Field(default=600)
    full_interval_s: int = Field(default=3600)
    saved_by: str = Field(max_length=100)
    effective_from: datetime = _ts()
    created_at: datetime = _ts()


class AuditEvent(SQLModel, table=True):
    """Who did what, to what, when, and how it ended."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connections.id", index=True)
    actor: str = Field(max_length=100)  # a Slack user id, "scheduler", "cli"
    action: str = Field(max_length=60)
    subject: str = Field(default="", max_length=255)
    result: str = Field(max_length=60)
    detail: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONText()))
    at: datetime = _ts(index=True)


class Cursor(SQLModel, table=True):
    """How far an incremental read of one resource has come."""

    __tablename__ = "cursors"

    connection_id: int = Field(foreign_key="connections.id", primary_key=True)
    resource: str = Field(max_length=60, primary_key=True)
    value: str = Field(max_length=100)
    updated_at: datetime = _ts()


class Setup(SQLModel, table=True):
    """The first link's completion; its time is the cut-over of R5."""

    __tablename__ = "setup"

    connection_id: int = Field(foreign_key="connections.id", primary_key=True)
    cutover_at: datetime = _ts()
    completed_by: str = Field(max_length=100)


class AlertMessage(SQLModel, table=True):
    """The Slack message that shows one error fingerprint, so it is updated in place."""

    __tablename__ = "alert_messages"
    __table_args__ = (
        UniqueConstraint(
            "connection_id", "fingerprint", name="uq_alert_messages_connection_fingerprint"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connections.id", index=True)
    fingerprint: str = Field(max_length=400)
    channel: str = Field(max_length=40)
    ts: str = Field(max_length=40)
    posted_count: int = Field(default=1)
    updated_at: datetime = _ts()
    # Part of a digest message (one message for many errors) rather than its own message.
    in_digest: bool = Field(default=False)
    # When the message was last rewritten to say resolved/dismissed; None while it is open.
    closed_at: datetime | None = _ts(nullable=True)
    # The last repeat note in the message's thread (repeats are batched, not one per cycle).
    replied_at: datetime | None = _ts(nullable=True)


class Lease(SQLModel, table=True):
    """A named lease (the scheduler's), so two processes never sync the same database."""

    __tablename__ = "leases"

    name: str = Field(max_length=100, primary_key=True)
    holder: str = Field(max_length=200)
    expires_at: datetime = _ts()


class Delivery(SQLModel, table=True):
    """A webhook delivery or Slack request already handled (idempotency key)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("connection_id", "key", name="uq_deliveries_connection_key"),
        Index("ix_deliveries_received_at", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    connection_id: int = Field(foreign_key="connections.id")
    key: str = Field(max_length=300)
    received_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


def search_key(*parts: str | None) -> str:
    """Casefolded text to search with LIKE: SQLite's lower() folds ASCII only (Vietnamese!)."""
    return " ".join(p for p in parts if p).casefold()[:1000]


@event.listens_for(Link, "before_insert")
@event.listens_for(Link, "before_update")
def _link_search_text(_mapper: Any, _conn: Any, link: Link) -> None:
    link.search_text = search_key(link.sku, link.name)


@event.listens_for(Order, "before_insert")
@event.listens_for(Order, "before_update")
def _order_search_text(_mapper: Any, _conn: Any, order: Order) -> None:
    order.search_text = search_key(order.web_order_name, order.customer_name, order.pos_order_code)
