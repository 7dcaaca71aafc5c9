"""The internal transfer API (``create_transfers``, ``reverse``, ``expire_pending``) and the
transfers it answers with; dispute outcomes (``apply_dispute_outcome``) and the grant top-up.
See ``ledger/domain/transfers.py`` for what each action does."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from .kinds import (
    CALLER_ACTIONS,
    DISPUTE_OUTCOMES,
    MAX_BATCH,
    MAX_TIMEOUT_SECONDS,
    POST,
    REVERSAL,
    TRANSFER_KINDS,
)
from .values import MINUTES, PERSON_ID, TRANSFER_ID


class TransferIn(Schema):
    """One request of ``create_transfers``."""

    id = fields.String(required=True, validate=TRANSFER_ID)
    action = fields.String(load_default=POST, validate=validate.OneOf(CALLER_ACTIONS))
    kind = fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf([k for k in TRANSFER_KINDS if k != REVERSAL]))
    debit_account_id = fields.UUID(load_default=None, allow_none=True)
    credit_account_id = fields.UUID(load_default=None, allow_none=True)
    amount_minutes = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=MINUTES)
    pending_id = fields.String(load_default=None, allow_none=True, validate=TRANSFER_ID)
    reverses_id = fields.String(load_default=None, allow_none=True, validate=TRANSFER_ID)
    timeout_seconds = fields.Integer(load_default=None, allow_none=True, strict=True,
                                     validate=validate.Range(min=1, max=MAX_TIMEOUT_SECONDS))
    memo = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    reference = fields.Dict(load_default=dict)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    approver = fields.String(load_default=None, allow_none=True, validate=PERSON_ID)
    linked = fields.Boolean(load_default=False)


def transfer_batch() -> fields.List[Any]:
    """``create_transfers(transfers)``: 1 to ``MAX_BATCH`` requests, one transaction."""
    return fields.List(fields.Nested(TransferIn), required=True,
                       validate=validate.Length(min=1, max=MAX_BATCH))


class ReverseIn(Schema):
    """``reverse(transfer_id, reason, approver, amount_minutes=None, reversal_id=None)``."""

    transfer_id = fields.String(required=True, validate=TRANSFER_ID)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    approver = fields.String(required=True, validate=PERSON_ID)
    amount_minutes = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=MINUTES)
    reversal_id = fields.String(load_default=None, allow_none=True, validate=TRANSFER_ID)


def sweep_limit() -> fields.Integer:
    """``expire_pending(limit=500)``: at most this many reservations in one transaction."""
    return fields.Integer(load_default=500, validate=validate.Range(min=1, max=MAX_BATCH))


class TransferOut(Schema):
    id = fields.String(attribute="transfer_id", required=True)
    kind = fields.String(required=True)
    phase = fields.String(required=True)
    debit_account_id = fields.String(required=True)
    credit_account_id = fields.String(required=True)
    amount_minutes = fields.Integer(required=True)
    pending_id = fields.String(allow_none=True, required=True)
    reverses_id = fields.String(allow_none=True, required=True)
    timeout_seconds = fields.Integer(allow_none=True, required=True)
    expires_at = fields.DateTime(format="iso", allow_none=True, required=True)
    memo = fields.String(allow_none=True, required=True)
    reference = fields.Dict(required=True)
    reason = fields.String(allow_none=True, required=True)
    approver = fields.String(allow_none=True, required=True)
    created_at = fields.DateTime(format="iso", required=True)


class ErrorOut(Schema):
    code = fields.String()
    zh = fields.String()
    en = fields.String()
    details = fields.Raw(allow_none=True)


class TransferResultOut(Schema):
    """``status``: posted | pending | voided | expired | exists | failed (then ``error``)."""

    id = fields.String(attribute="transfer_id")
    status = fields.String()
    transfer = fields.Nested(TransferOut, allow_none=True)
    error = fields.Nested(ErrorOut, allow_none=True)


class ExpiredOut(Schema):
    expired = fields.Integer(metadata={"description": "reservations expired by this call"})


# --- dispute outcomes and grants ---------------------------------------------------------------
class DisputeOutcomeIn(Schema):
    """``apply_dispute_outcome(dispute_id, record_id, outcome, minutes=None, approver, reason)``."""

    dispute_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    record_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    outcome = fields.String(required=True, validate=validate.OneOf(DISPUTE_OUTCOMES))
    minutes = fields.Integer(load_default=None, allow_none=True, strict=True,
                             validate=validate.Range(min=0))
    approver = fields.String(required=True, validate=PERSON_ID)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class DisputeOutcomeOut(Schema):
    dispute_id = fields.String()
    record_id = fields.String()
    outcome = fields.String()
    reversed_minutes = fields.Integer()
    repeated = fields.Boolean()
    transfers = fields.List(fields.Nested(TransferOut))


class GrantTopUpOut(Schema):
    granted = fields.Integer(metadata={"description": "periodic grants newly posted"})
