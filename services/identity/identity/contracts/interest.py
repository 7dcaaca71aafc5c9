"""Registering interest in volunteering (我要当志愿者): the public form, its receipt, and the
station's list and follow-up."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank_common.schemas import PageQuery

from .common import MOBILE, NAME, REGION_CODE, ReasonText
from .vocabulary import INTEREST_STATUSES

__all__ = ["InterestListSchema", "InterestOut", "InterestPage", "InterestReceipt",
           "InterestStatusSchema", "RegisterInterestSchema"]

INTEREST_STATUS = validate.OneOf(list(INTEREST_STATUSES),
                                 error="Status is new, contacted, registered or declined / "
                                       "状态应为 new、contacted、registered 或 declined")


class RegisterInterestSchema(Schema):
    name = fields.Str(required=True, validate=NAME, metadata={"example": "张晓明"})
    phone = fields.Str(required=True, validate=MOBILE, metadata={
        "description": "the mobile the station calls back on"})
    region_code = fields.Str(required=True, validate=REGION_CODE, metadata={
        "description": "the community (village) where the person lives, 12 digits"})
    skills = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500),
                        metadata={"description": "what the person can do (optional)"})
    notes = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=1000),
                       metadata={"description": "when to call, anything else (optional)"})


class InterestReceipt(Schema):
    """What the resident sees: their reference and what eligibility will need."""
    reference = fields.Str(required=True, metadata={"example": "ZY20261207-K7Q3M"})
    status = fields.Str(required=True, metadata={"description": "new | contacted"})
    created = fields.Bool(required=True, metadata={
        "description": "false: an open registration of this mobile in this community exists "
                       "and is answered instead"})
    region_code = fields.Str(required=True)
    region_name = fields.Str(required=True)
    required_training_hours = fields.Float(required=True, metadata={
        "description": "the community's training policy today"})
    needs = fields.List(fields.Nested(ReasonText), required=True, metadata={
        "description": "the conditions of eligibility, in order (codes as eligibility's reasons)"})


class InterestListSchema(PageQuery):
    status = fields.Str(load_default=None, allow_none=True, validate=INTEREST_STATUS)
    region = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE, metadata={
        "description": "only under this region (inside your scope, else 403)"})


class InterestStatusSchema(Schema):
    status = fields.Str(required=True, validate=validate.OneOf(
        ["contacted", "registered", "declined"],
        error="Status is contacted, registered or declined / 状态应为 contacted、registered 或 "
              "declined"))
    person_id = fields.UUID(load_default=None, allow_none=True, metadata={
        "description": "the volunteer registered (with status registered only)"})
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))


class InterestOut(Schema):
    """A registration as staff see it (the phone masked unless asked for, audited)."""
    interest_id = fields.Str(required=True)
    reference = fields.Str(required=True)
    name = fields.Str(required=True)
    phone_masked = fields.Str(required=True)
    phone = fields.Str(metadata={"description": "with unmasked=true only (audited)"})
    region_code = fields.Str(required=True)
    skills = fields.Str(required=True, allow_none=True)
    notes = fields.Str(required=True, allow_none=True)
    status = fields.Str(required=True, metadata={"description": "new | contacted | registered "
                                                                "| declined"})
    status_note = fields.Str(required=True, allow_none=True)
    person_id = fields.Str(required=True, allow_none=True, metadata={
        "description": "the volunteer registered"})
    status_changed_by = fields.Str(required=True, allow_none=True)
    created_at = fields.Str(required=True, metadata={"description": "ISO 8601"})
    updated_at = fields.Str(required=True, metadata={"description": "ISO 8601"})


class InterestPage(Schema):
    items = fields.List(fields.Nested(InterestOut), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    page_size = fields.Int(required=True)
