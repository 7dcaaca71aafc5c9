"""The double-entry rule and transfer-id idempotency, without I/O."""
import pytest

from ledger.domain.crediting import service_credit, service_credit_id
from ledger.domain.kinds import GRANT, ISSUANCE, PERSONAL
from ledger.domain.transfers import (
    EXISTS,
    EntryLine,
    Transfer,
    apply_transfer,
    check_repeat,
    validate_transfer,
)
from timebank_common.errors import BadInput, Conflict, RuleViolation


def make(**changes) -> Transfer:
    base = dict(transfer_id="t-1", kind="service_credit", debit_account_id="a",
                credit_account_id="b", amount_minutes=90, memo="companionship",
                reference={"record_id": "r-1", "demand_id": "d-1"})
    return Transfer(**{**base, **changes})


def test_issuance_may_go_negative_and_both_entries_sum_to_zero():
    posting = apply_transfer(0, 30, 90, ISSUANCE, PERSONAL)
    assert posting.debit == EntryLine(-90, -90)
    assert posting.credit == EntryLine(90, 120)
    assert posting.debit.amount_minutes + posting.credit.amount_minutes == 0


def test_personal_account_may_be_spent_to_exactly_zero():
    posting = apply_transfer(90, 0, 90, PERSONAL, PERSONAL)
    assert posting.debit.balance_after == 0
    assert posting.credit.balance_after == 90


@pytest.mark.parametrize("kind", [PERSONAL, GRANT, "donation_pool"])
def test_non_issuance_account_never_goes_below_zero(kind):
    with pytest.raises(RuleViolation) as err:
        apply_transfer(60, 0, 90, kind, PERSONAL)
    assert err.value.code == "insufficient_balance"
    assert err.value.details["available_minutes"] == 60
    assert "1小时" in err.value.zh and "1 h 30 min" in err.value.en


@pytest.mark.parametrize("amount", [0, -5, 1.5, True, None])
def test_amount_must_be_a_positive_whole_number(amount):
    with pytest.raises(BadInput) as err:
        apply_transfer(100, 0, amount, ISSUANCE, PERSONAL)
    assert err.value.code == "amount_not_positive"


def test_transfer_validation_refuses_impossible_transfers():
    validate_transfer(make())
    cases = {"transfer_kind_unknown": make(kind="sale_for_money"),
             "same_account": make(credit_account_id="a"),
             "amount_not_positive": make(amount_minutes=0),
             "transfer_id_invalid": make(transfer_id="")}
    for code, transfer in cases.items():
        with pytest.raises(BadInput) as err:
            validate_transfer(transfer)
        assert err.value.code == code


def test_same_id_and_same_content_is_an_existing_transfer():
    assert check_repeat(make(), make()) == EXISTS


def test_same_id_with_different_content_is_refused():
    with pytest.raises(Conflict) as err:
        check_repeat(make(), make(amount_minutes=60, reference={"record_id": "r-2"}))
    assert err.value.code == "transfer_id_reused"
    assert err.value.details["different_fields"] == ["amount_minutes", "reference"]


def test_a_service_record_fixes_the_transfer_id_and_reference():
    transfer = service_credit("r-9", "d-3", 45, "companionship", "issuance-acc", "personal-acc")
    assert transfer.transfer_id == service_credit_id("r-9") == "service_record:r-9"
    assert transfer.debit_account_id == "issuance-acc"
    assert transfer.credit_account_id == "personal-acc"
    assert transfer.reference == {"record_id": "r-9", "demand_id": "d-3"}
    assert transfer.kind == "service_credit"
