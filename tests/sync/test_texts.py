"""Every problem the sync reports carries the parameters its code's sentence is built from."""

from __future__ import annotations

import pytest

from sync import order_store, relink, scheduler_jobs, texts
from tests.sync.message_samples import message_samples
from tests.sync.problem_samples import Sample, all_samples, gone_again

# Codes made where plain data is not enough (a database, an order, a person's click): their
# parameters are checked by the tests of that code, and the bot tests render them.
ELSEWHERE = frozenset(
    {
        "create_incomplete",
        "job_failed",
        "disconnected_by",
        "deleted_by",
        "pos_rejected",
        "customer_rejected",
        "invalid_record",
        "unreadable_no_id",
        "unreadable_change",
        "cancelled_after_push",
    }
)


def test_every_problem_made_carries_the_parameters_of_its_code() -> None:
    """A problem, finding or link reason fills exactly the parameters ``sync.texts`` lists
    for its code, nested fragments included, so the bot can word it in any language."""
    wrong = [(s.code, bad) for s in all_samples() for bad in texts.mismatches(s.code, s.params)]
    assert wrong == []


def test_the_samples_reach_every_code_of_the_catalogue_and_the_preflight() -> None:
    """Each registered code is made by the sync (else the registry is stale or a code lost)."""
    made = {s.code for s in all_samples()}
    assert sorted(set(texts.PROBLEMS) - made - ELSEWHERE) == []
    assert made <= set(texts.PROBLEMS)


def test_every_code_the_sync_names_is_in_the_registry() -> None:
    """The codes sync modules name as constants (order errors, job failures, link reasons a
    later cycle reports again) have an entry, so none can reach a person untranslated."""
    named = {
        *order_store.ORDER_ERROR_CODES,
        *order_store.RECURRING,
        order_store.CANCELLED_AFTER_PUSH,
        *relink.GONE_CODES,
        scheduler_jobs.JOB_FAILED,
    }
    assert sorted(named - set(texts.PROBLEMS)) == []


def test_parameters_are_plain_json_and_values_are_raw() -> None:
    """Parameters hold the raw values (the bot escapes them), in types JSON keeps."""
    by_code: dict[str, Sample] = {}
    for sample in all_samples():
        by_code.setdefault(sample.code, sample)
    variant = by_code["no_price_new"].params["variant"]
    assert variant == {
        "key": "part.variant_pos",
        "name": "pos NOPRICE",
        "product_id": 2,
        "variant_id": 21,
        "sku": "NOPRICE",
    }
    assert by_code["web_negative_stock"].params == {"quantity": "-3"}
    assert by_code["stock_write_failed"].params == {"error": "422 quantity <is> invalid"}
    assert by_code["structure_options"].params["web"] == {
        "key": "part.options",
        "count": 1,
        "names": "Màu",
    }


def test_a_link_in_error_is_reported_again_with_its_stored_parameters() -> None:
    """A web deletion found in an earlier cycle is reported each cycle with what was stored."""
    (problem,) = gone_again("web_deleted", "the web product was deleted; it is not recreated", {})
    assert (problem.code, problem.params) == ("web_deleted", {})


@pytest.mark.parametrize(
    ("code", "params", "complaint"),
    [
        pytest.param("nope", {}, "unknown code", id="unknown-code"),
        pytest.param("no_price", {}, "takes ['price_list_id']", id="missing"),
        pytest.param("web_untracked", {"sku": "X"}, "given ['sku']", id="extra"),
        pytest.param("blank_sku", {"variant": {"name": "x"}}, "part without key", id="no-key"),
        pytest.param(
            "blank_sku", {"variant": {"key": "part.variant_pos"}}, "part.variant_pos", id="part"
        ),
        pytest.param("no_price", {"price_list_id": 1.5}, "not a JSON scalar", id="float"),
    ],
)
def test_mismatches_names_what_is_wrong(code: str, params: texts.Params, complaint: str) -> None:
    """The registry check says which code or fragment is mis-filled."""
    found = texts.mismatches(code, params)
    assert found and complaint in " ".join(found)


def test_every_sentence_that_is_not_a_problem_carries_a_registered_fragment() -> None:
    """Order reasons, resync outcomes, refusals and dry-run reasons each carry a ``msg.*``
    (or ``part.*``) fragment filling exactly its parameters, so none reaches a person in
    English only (R17, R19, language)."""
    samples = message_samples()
    wrong = [(s.code, bad) for s in samples for bad in texts.mismatches(s.code, s.params)]
    assert wrong == []
    assert {s.code for s in samples} <= set(texts.MESSAGES) | set(texts.PARTS)
