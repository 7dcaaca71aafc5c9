"""Validators and fields the ledger's contracts share."""
from __future__ import annotations

from marshmallow import fields, validate

from timebank_common.schemas import AsciiPattern

from .kinds import MAX_TRANSFER_ID_LENGTH

PERSON_ID = validate.Length(min=1, max=64)
TRANSFER_ID = validate.Length(min=1, max=MAX_TRANSFER_ID_LENGTH)
REGION_CODE = AsciiPattern(r"^[0-9]{12}$")
MINUTES = validate.Range(min=1)


def person_id() -> fields.String:
    """A person's id as an RPC argument (1 to 64 characters)."""
    return fields.String(required=True, validate=PERSON_ID)


def region_code() -> fields.String:
    """A 12-digit region code as an RPC argument."""
    return fields.String(required=True, validate=REGION_CODE)
