"""Errors named for what the caller does next."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class SyncError(Exception):
    """Base of every error the sync core raises on purpose."""


class RetryableError(SyncError):
    """A 429, a 5xx, a timeout or a dropped connection: try again later.

    ``outcome_unknown`` is true when a write may have been applied although no answer
    arrived (a POST whose connection dropped); the caller must look before retrying.
    """

    def __init__(
        self,
        message: str,
        *,
        retry_after: float | None = None,
        outcome_unknown: bool = False,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.outcome_unknown = outcome_unknown
        self.status = status


class FatalError(SyncError):
    """Authentication, permission or configuration is wrong: stop and tell a person."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class RecordError(SyncError):
    """One record is bad (a 422, a blank SKU): record it and go on with the rest."""

    def __init__(
        self,
        message: str,
        *,
        field_errors: dict[str, list[str]] | None = None,
        status: int | None = None,
    ) -> None:
        super().__init__(message)
        self.field_errors = field_errors or {}
        self.status = status


class UserError(SyncError):
    """Something a person asked for cannot be done; shown to them.

    The message is English (logs, CLI); ``said`` is the same sentence as a ``msg.*``
    fragment of ``sync.texts`` (``msg("no_linked_sku", sku=...)``): its key is the code,
    the rest its parameters, so the bot tells it in the reader's language.
    """

    def __init__(self, message: str, *, said: Mapping[str, Any] | None = None) -> None:
        super().__init__(message)
        self.said = said


def no_linked_product(sku: str) -> UserError:
    """The refusal of a link command or a compare naming a SKU that has no link."""
    said = {"key": "msg.no_linked_sku", "sku": sku}  # sync.texts.msg, spelled out: no import
    return UserError(f"no linked product has SKU {sku!r}", said=said)
