"""Dispute outcomes → reversals of a service credit (rules: ``domain/disputes.py``): the
service layer of ``LedgerService.apply_dispute_outcome``. Runs in the caller's unit of work."""
from __future__ import annotations

import logging

from timebank_common.errors import NotFound, RuleViolation
from timebank_common.schemas import load

from . import posting, schemas
from . import repository as repo
from .domain import disputes
from .domain.crediting import service_credit_id
from .domain.transfers import EXISTS, FAILED, REVERSE, TransferRequest

log = logging.getLogger("timebank.ledger")
CONSUMER = "ledger.apply_dispute"


def apply_resolved_event(uow, payload: dict) -> dict | None:
    """``dispute_resolved`` from demand: only a dispute about a record that was credited
    (``credited``) moves hours; an unknown credit raises (retried, then dead-lettered).
    Corrected minutes at or above what was credited (the credit was rounded down) leave
    nothing to reverse: the volunteer already holds no more than the corrected figure."""
    if payload.get("subject", "record") != "record" or not payload.get("credited", True):
        return None
    data = load(schemas.DisputeOutcomeIn(), {
        key: payload.get(key) for key in ("dispute_id", "record_id", "outcome", "minutes",
                                          "approver", "reason")})
    try:
        return apply_outcome(uow, data)
    except RuleViolation as refused:
        if refused.code != "adjustment_exceeds_credit":
            raise
        log.info("dispute %s: corrected minutes not below the credit, nothing reversed",
                 data["dispute_id"])
        return None


def apply_outcome(uow, data: dict) -> dict:
    credit_id = service_credit_id(data["record_id"])
    stored = repo.stored_transfers(uow, [credit_id])
    if credit_id not in stored:
        raise NotFound("service_credit_not_found", "该服务记录没有记入的时长",
                       "No credit was posted for this service record",
                       {"record_id": data["record_id"]})
    amount = disputes.reversal_minutes(data["outcome"], stored[credit_id].amount_minutes,
                                       data["minutes"])
    if amount is None:
        return {"dispute_id": data["dispute_id"], "record_id": data["record_id"],
                "outcome": data["outcome"], "reversed_minutes": 0, "transfers": []}
    request = TransferRequest(
        disputes.reversal_id(data["dispute_id"]), REVERSE, reverses_id=credit_id,
        # voided: whatever remains unreversed (an earlier partial correction counts)
        amount_minutes=None if data["outcome"] == disputes.VOIDED else amount,
        reason=data["reason"], approver=data["approver"])
    [outcome] = posting.create_transfers(uow, [request])
    if outcome.status == FAILED:
        raise outcome.error
    return {"dispute_id": data["dispute_id"], "record_id": data["record_id"],
            "outcome": data["outcome"], "reversed_minutes": outcome.transfer.amount_minutes,
            "repeated": outcome.status == EXISTS, "transfers": [outcome.transfer]}
