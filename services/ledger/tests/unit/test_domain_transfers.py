"""Transfer requests: what can never be posted, and transfer-id idempotency (no I/O)."""
import pytest

from ledger.contracts.kinds import EXISTS, PENDING, POST_PENDING, REVERSE
from ledger.domain.crediting import service_credit, service_credit_id
from ledger.domain.transfers import (
    Transfer,
    TransferRequest,
    check_repeat,
    derived_id,
    validate_request,
)
from timebank_common.errors import BadInput, Conflict


def request(**changes) -> TransferRequest:
    base = dict(transfer_id="t-1", kind="service_credit", debit_account_id="a",
                credit_account_id="b", amount_minutes=90, memo="companionship",
                reference={"record_id": "r-1", "demand_id": "d-1"})
    return TransferRequest(**{**base, **changes})


def stored(**changes) -> Transfer:
    base = dict(transfer_id="t-1", kind="service_credit", debit_account_id="a",
                credit_account_id="b", amount_minutes=90, memo="companionship",
                reference={"record_id": "r-1", "demand_id": "d-1"})
    return Transfer(**{**base, **changes})


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, None])
def test_amount_must_be_a_positive_whole_number(amount):
    with pytest.raises(BadInput) as err:
        validate_request(request(amount_minutes=amount))
    assert err.value.code == "amount_not_positive"


@pytest.mark.parametrize("changes, code", [
    ({"kind": "sale_for_money"}, "transfer_kind_unknown"),
    ({"kind": "reversal"}, "transfer_kind_unknown"),  # only reverse() makes reversals
    ({"credit_account_id": "a"}, "same_account"),
    ({"debit_account_id": None}, "account_missing"),
    ({"transfer_id": ""}, "transfer_id_invalid"),
    ({"transfer_id": "x" * 201}, "transfer_id_invalid"),
    ({"action": "delete"}, "transfer_action_unknown"),
    ({"action": PENDING}, "timeout_invalid"),
    ({"action": PENDING, "timeout_seconds": 0}, "timeout_invalid"),
    ({"action": POST_PENDING}, "pending_id_missing"),
    ({"action": REVERSE, "reverses_id": "t-0", "reason": "dispute"},
     "reversal_needs_reason_and_approver"),
    ({"action": REVERSE, "reason": "dispute", "approver": "adm"}, "reverses_id_missing"),
])
def test_requests_that_could_never_succeed_are_refused(changes, code):
    validate_request(request())
    with pytest.raises(BadInput) as err:
        validate_request(request(**changes))
    assert err.value.code == code


def test_same_id_and_same_content_is_an_existing_transfer():
    assert check_repeat(stored(), request()) == EXISTS


def test_same_id_with_different_content_is_refused():
    with pytest.raises(Conflict) as err:
        check_repeat(stored(), request(amount_minutes=60, reference={"record_id": "r-2"}))
    assert err.value.code == "transfer_id_reused"
    assert err.value.details["different_fields"] == ["amount_minutes", "reference"]


def test_a_repeated_post_of_a_reservation_may_leave_open_what_was_resolved_the_first_time():
    post = stored(transfer_id="p-1", phase="post_pending", pending_id="r-1", memo=None,
                  reference={}, amount_minutes=60)
    repeat = TransferRequest("p-1", POST_PENDING, pending_id="r-1")
    assert check_repeat(post, repeat) == EXISTS
    with pytest.raises(Conflict) as err:
        check_repeat(post, TransferRequest("p-1", POST_PENDING, pending_id="r-1",
                                           amount_minutes=30))
    assert err.value.details["different_fields"] == ["amount_minutes"]
    with pytest.raises(Conflict) as err:  # the same id as a plain post is something else
        check_repeat(post, TransferRequest("p-1", "void_pending", pending_id="r-1"))
    assert "action" in err.value.details["different_fields"]


def test_a_service_record_fixes_the_transfer_id_and_reference():
    transfer = service_credit("r-9", "d-3", 45, "companionship", "issuance-acc", "personal-acc")
    assert transfer.transfer_id == service_credit_id("r-9") == "service_record:r-9"
    assert transfer.debit_account_id == "issuance-acc"
    assert transfer.credit_account_id == "personal-acc"
    assert transfer.reference == {"record_id": "r-9", "demand_id": "d-3"}
    assert transfer.kind == "service_credit"
    validate_request(transfer)


def test_ids_derived_from_another_transfer_are_fixed_and_never_too_long():
    assert derived_id("expire", "res-1") == "expire:res-1"
    long = derived_id("reversal", "x" * 200)
    assert long == derived_id("reversal", "x" * 200) and len(long) <= 200
    assert long != derived_id("reversal", "x" * 199 + "y")
