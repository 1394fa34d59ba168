"""The one mapping from a Sapo answer to RetryableError / FatalError / RecordError / None."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync.clients.http_errors import ApiIdentity, describe, error_for, field_errors
from sync.errors import FatalError, RecordError, RetryableError

PAYLOADS = Path(__file__).parent / "payloads"
ERRORS = json.loads((PAYLOADS / "errors.json").read_text(encoding="utf-8"))
POS = ApiIdentity("Sapo POS", "SAPO_POS_URL", "SAPO_POS_API_KEY/SAPO_POS_API_SECRET")
WEB = ApiIdentity("Sapo Web", "SAPO_WEB_URL", "SAPO_WEB_ACCESS_TOKEN")


def answer(
    status: int, body: Any = None, *, method: str = "GET", path: str = "/admin/products.json"
) -> httpx.Response:
    request = httpx.Request(method, f"https://shop.mysapo.net{path}")
    headers = {"Retry-After": "3.5"} if status == 429 else {}
    return httpx.Response(status, json=body, request=request, headers=headers)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("web_422_fields", {"source_name": ["cannot be set to a protected value"]}),
        (
            "web_422_two_fields",
            {"topic": ["can't be blank"], "address": ["can't be blank", "is invalid"]},
        ),
        ("web_422_list", {"base": ["Tên sản phẩm không được để trống", "SKU bị trùng"]}),
        ("web_403_string", {"base": ["Forbidden"]}),
        ("pos_422_data_error", {"Mã SKU": ["Mã SKU ATB-M đã tồn tại"]}),
        ("pos_404", {"base": ["Không tìm thấy đối tượng"]}),
    ],
)
def test_field_errors_from_every_shape(case: str, expected: dict[str, list[str]]) -> None:
    """`errors` as object, list or string and the core API's data_error all become field lists."""
    assert field_errors(ERRORS[case]) == expected


def test_422_is_a_record_error_readable_in_slack() -> None:
    """A 422 is one bad record: RecordError with Sapo's messages in one readable line (R19)."""
    error = error_for(answer(422, ERRORS["web_422_two_fields"], method="POST"), api=WEB)
    assert isinstance(error, RecordError)
    assert error.field_errors == {
        "topic": ["can't be blank"],
        "address": ["can't be blank", "is invalid"],
    }
    assert str(error).endswith(
        "topic: can't be blank; address: can't be blank; address: is invalid"
    )
    pos = error_for(answer(422, ERRORS["pos_422_data_error"], method="POST"), api=POS)
    assert isinstance(pos, RecordError) and "Mã SKU: Mã SKU ATB-M đã tồn tại" in str(pos)


def test_401_names_the_credential() -> None:
    """401 is a FatalError naming the settings to fix, never their values."""
    error = error_for(answer(401, ERRORS["web_401_string"]), api=POS)
    assert isinstance(error, FatalError)
    assert str(error).startswith("SAPO_POS_API_KEY/SAPO_POS_API_SECRET rejected (401)")
    token = error_for(answer(401, ERRORS["web_401_string"]), api=WEB)
    assert str(token).startswith("SAPO_WEB_ACCESS_TOKEN rejected (401)")


def test_403_names_the_permission_to_grant() -> None:
    """403 says which permission group (read or write) the private app lacks."""
    error = error_for(answer(403, ERRORS["web_403_string"], path="/admin/orders.json"), api=WEB)
    assert isinstance(error, FatalError)
    assert "read access to orders" in str(error) and "SAPO_WEB_ACCESS_TOKEN" in str(error)
    write = error_for(
        answer(403, None, method="PUT", path="/admin/inventory_levels/set.json"), api=WEB
    )
    assert "write access to inventory (Kho)" in str(write)


def test_429_and_5xx_are_retryable_with_retry_after() -> None:
    """429 carries Retry-After; 5xx is retryable; success maps to None."""
    throttled = error_for(answer(429, ERRORS["web_429"]), api=WEB)
    assert isinstance(throttled, RetryableError) and throttled.retry_after == 3.5
    failed = error_for(answer(503, {"errors": "Service Unavailable"}), api=WEB)
    assert isinstance(failed, RetryableError) and failed.status == 503
    assert error_for(answer(200, {"products": []}), api=WEB) is None
    assert error_for(answer(201, {"product": {}}, method="POST"), api=WEB) is None


def test_404_on_a_list_is_config_and_on_a_record_is_the_record() -> None:
    """A missing list means a wrong base URL (Fatal); a missing record is a RecordError."""
    listing = error_for(answer(404, {"errors": "Not Found"}), api=WEB)
    assert isinstance(listing, FatalError) and "check SAPO_WEB_URL" in str(listing)
    record = error_for(
        answer(404, {"errors": "Not Found"}, method="PUT", path="/admin/variants/5.json"), api=WEB
    )
    assert isinstance(record, RecordError) and record.status == 404


def test_describe_keeps_base_messages_bare() -> None:
    """Messages without a field read as they are."""
    assert describe({"base": ["SKU bị trùng"], "name": ["can't be blank"]}) == (
        "SKU bị trùng; name: can't be blank"
    )
