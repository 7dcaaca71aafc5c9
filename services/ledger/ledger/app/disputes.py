"""Dispute outcomes → reversals of a service credit (rules: ``domain/disputes.py``): demand's
internal ``apply_dispute_outcome`` RPC and its ``dispute_resolved`` event."""
from __future__ import annotations

import datetime as dt
import logging

from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import NotFound, RuleViolation

from ..adapters import accounts as accounts_repo
from ..adapters import transfers as stored
from ..contracts.events import CREDIT_CORRECTED
from ..contracts.kinds import EXISTS, POSTED, REVERSE, VOIDED_OUTCOME
from ..domain import disputes
from ..domain.crediting import service_credit_id
from ..domain.transfers import TransferRequest
from . import posting

log = logging.getLogger("timebank.ledger")


def apply_dispute_outcome(db: UnitOfWorkFactory, data: dict, now: dt.datetime) -> dict:
    """Reverse a service credit fully (``voided``) or in part (``minutes_adjusted``:
    ``minutes`` = the corrected credit); ``upheld`` moves nothing. Idempotent by dispute
    id (a repeat answers ``repeated``)."""
    with db() as uow:
        result = apply_outcome(uow, data, now)
        uow.commit()
    return {"repeated": False, **result}


def on_dispute_resolved(uow, resolved: dict, now: dt.datetime) -> dict | None:
    """``dispute_resolved`` from demand (``resolved``: its payload, loaded with demand's
    contract: the outcome, minutes, approver and reason as ``apply_dispute_outcome`` takes
    them). Only a dispute about a record that was credited moves hours (``subject`` absent:
    a record; ``credited`` absent: credited); else None. An unknown credit raises (retried,
    then dead-lettered). Corrected minutes at or above what was credited (the credit was
    rounded down) leave nothing to reverse: the volunteer already holds no more than the
    corrected figure."""
    if resolved.get("subject", "record") != "record" or not resolved.get("credited", True):
        return None
    try:
        return apply_outcome(uow, resolved, now)
    except RuleViolation as refused:
        if refused.code != "adjustment_exceeds_credit":
            raise
        log.info("dispute %s: corrected minutes not below the credit, nothing reversed",
                 resolved["dispute_id"])
        return None


def apply_outcome(uow, data: dict, now: dt.datetime) -> dict:
    credit_id = service_credit_id(data["record_id"])
    found = stored.stored_transfers(uow, [credit_id])
    if credit_id not in found:
        raise NotFound("service_credit_not_found", "该服务记录没有记入的时长",
                       "No credit was posted for this service record",
                       {"record_id": data["record_id"]})
    amount = disputes.reversal_minutes(data["outcome"], found[credit_id].amount_minutes,
                                       data["minutes"])
    if amount is None:
        return {"dispute_id": data["dispute_id"], "record_id": data["record_id"],
                "outcome": data["outcome"], "reversed_minutes": 0, "transfers": []}
    request = TransferRequest(
        disputes.reversal_id(data["dispute_id"]), REVERSE, reverses_id=credit_id,
        # voided: whatever remains unreversed (an earlier partial correction counts)
        amount_minutes=None if data["outcome"] == VOIDED_OUTCOME else amount,
        reason=data["reason"], approver=data["approver"])
    [outcome] = posting.create_transfers(uow, [request], now)
    outcome.raise_failure()
    if outcome.status == POSTED:  # a repeated dispute ("exists") corrects nothing again
        tell_correction(uow, found[credit_id], outcome.stored, data)
    return {"dispute_id": data["dispute_id"], "record_id": data["record_id"],
            "outcome": data["outcome"], "reversed_minutes": outcome.stored.amount_minutes,
            "repeated": outcome.status == EXISTS, "transfers": [outcome.transfer]}


def tell_correction(uow, credit, reversal, data: dict) -> None:
    """``credit_corrected`` for a new correcting transfer, in its transaction: the change
    (negative: taken back) and what the record is credited after it, in the volunteer's
    region."""
    left = credit.amount_minutes - stored.reversed_minutes(uow, [credit.transfer_id]).get(
        credit.transfer_id, 0)
    volunteer = accounts_repo.get_account(uow, credit.credit_account_id)
    uow.emit(CREDIT_CORRECTED, {
        "transfer_id": reversal.transfer_id, "record_id": data["record_id"],
        "person_id": volunteer.owner_person_id, "minutes": -reversal.amount_minutes,
        "credited_minutes": left, "outcome": data["outcome"],
        "dispute_id": data["dispute_id"]}, volunteer.region_code)
