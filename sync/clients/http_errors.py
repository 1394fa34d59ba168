"""The one mapping from a Sapo HTTP answer to the error that says what the caller does next."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from sync.errors import FatalError, RecordError, RetryableError, SyncError

DEFAULT_RETRY_AFTER = 2.0  # seconds; Sapo's Retry-After was never seen live (sheet §4.2)

# Which group of the private-app permission screen a path needs (sheet §1.1), so a 403 can
# say what to tick instead of just "forbidden".
_PERMISSIONS = {
    "products": "products",
    "variants": "products",
    "inventory_levels": "inventory (Kho)",
    "inventory_items": "inventory (Kho)",
    "locations": "inventory (Kho) / branches",
    "orders": "orders",
    "order_sources": "orders",
    "customers": "customers",
    "price_lists": "price lists (chính sách giá)",
    "webhooks": "webhooks",
}


@dataclass(frozen=True, slots=True)
class ApiIdentity:
    """How to name one API and its settings in messages a person will act on."""

    label: str  # "Sapo POS"
    url_setting: str  # "SAPO_POS_URL"
    credential: str  # "SAPO_POS_API_KEY/SAPO_POS_API_SECRET" or "SAPO_POS_ACCESS_TOKEN"


def field_errors(body: Any) -> dict[str, list[str]]:
    """Sapo's error messages by field, whatever shape they came in.

    Web sends ``{"errors": {field: [msg]}}``, a string or a list; the core API sends
    ``{"data_error": {"errors": {label: msg}}}`` or ``{"error": {"message": msg}}``.
    """
    if not isinstance(body, dict):
        return {"base": [str(body)]} if isinstance(body, str) and body.strip() else {}
    if isinstance(body.get("data_error"), dict):
        body = body["data_error"]
    raw = body.get("errors", body.get("error", body.get("message")))
    if isinstance(raw, dict) and set(raw) <= {"message", "code"} and "message" in raw:
        raw = raw["message"]
    if isinstance(raw, str):
        return {"base": [raw]} if raw.strip() else {}
    if isinstance(raw, list):
        return {"base": [str(m) for m in raw if str(m).strip()]}
    if isinstance(raw, dict):
        out: dict[str, list[str]] = {}
        for key, value in raw.items():
            messages = value if isinstance(value, list) else [value]
            out[str(key)] = [str(m) for m in messages if m is not None and str(m).strip()]
        return {k: v for k, v in out.items() if v}
    return {}


def describe(errors: dict[str, list[str]]) -> str:
    """One readable line: ``sku: has already been taken; name: can't be blank``."""
    parts = []
    for key, messages in errors.items():
        for message in messages:
            parts.append(message if key == "base" else f"{key}: {message}")
    return "; ".join(parts)


def retry_after(response: httpx.Response) -> float:
    """Seconds from ``Retry-After``, or the fallback when it is absent or unreadable."""
    raw = response.headers.get("Retry-After")
    try:
        value = float(raw) if raw is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        value = DEFAULT_RETRY_AFTER
    return max(0.0, value)


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text[:300]


def _resource(path: str) -> str:
    segments = [s.removesuffix(".json") for s in path.split("/") if s and s != "admin"]
    names = [s for s in segments if not s.isdigit()]
    return names[0] if names else path


def _targets_one_record(method: str, path: str) -> bool:
    has_id = any(s.removesuffix(".json").isdigit() for s in path.split("/"))
    return has_id or method != "GET"


def error_for(response: httpx.Response, *, api: ApiIdentity) -> SyncError | None:
    """The error an answer means, or None when it succeeded."""
    status = response.status_code
    if status < 300:
        return None
    method = response.request.method
    path = response.request.url.path
    call = f"{method} {path}"
    if status < 400:
        # Sapo's API does not redirect; a redirect is the login page of a wrong address.
        target = response.headers.get("Location", "?")
        return FatalError(
            f"{api.label} redirected {call} to {target} ({status}): check {api.url_setting}",
            status=status,
        )
    detail = describe(field_errors(_body(response)))
    suffix = f": {detail}" if detail else ""
    if status == 429:
        return RetryableError(
            f"{api.label} rate limit hit on {call} (429)",
            retry_after=retry_after(response),
            status=status,
        )
    if status >= 500:
        return RetryableError(f"{api.label} failed on {call} ({status}){suffix}", status=status)
    if status == 401:
        return FatalError(f"{api.credential} rejected ({status}) by {api.label}", status=status)
    if status == 403:
        access = "read" if method == "GET" else "write"
        permission = _PERMISSIONS.get(_resource(path), _resource(path))
        return FatalError(
            f"{api.label} refused {call} ({status}): the app behind {api.credential} lacks "
            f"{access} access to {permission}; grant it in Sapo admin > Apps > Private apps",
            status=status,
        )
    if status == 404 and not _targets_one_record(method, path):
        return FatalError(
            f"{api.label} has no {path} (404): check {api.url_setting}", status=status
        )
    if status in (400, 404, 409, 422):
        what = "not found" if status == 404 else "rejected"
        return RecordError(
            f"{api.label} {what} {call} ({status}){suffix}",
            field_errors=field_errors(_body(response)),
            status=status,
        )
    return FatalError(f"{api.label} refused {call} ({status}){suffix}", status=status)
