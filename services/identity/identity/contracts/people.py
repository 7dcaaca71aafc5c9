"""Registering elders and volunteers, and reading a person or an elder (masked by default)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .common import (
    HOURS_OR_ZERO,
    MOBILE,
    NAME,
    PASSWORD,
    REGISTRY_STATUS,
    SCREENING,
    Names,
    PersonFields,
    ReasonText,
)

__all__ = ["ElderOut", "PersonOut", "ProxyOut", "RegisterElderSchema", "RegisterVolunteerSchema",
           "UnmaskedQuerySchema", "VolunteerOut"]


class RegisterElderSchema(PersonFields):
    phone = fields.Str(load_default=None, allow_none=True, validate=MOBILE)
    phone_only = fields.Bool(load_default=False)
    carrier_id = fields.UUID(load_default=None, allow_none=True)
    emergency_contact_name = fields.Str(load_default=None, allow_none=True, validate=NAME)
    emergency_contact_phone = fields.Str(load_default=None, allow_none=True, validate=MOBILE)
    initial_password = fields.Str(load_default=None, allow_none=True, validate=PASSWORD,
                                  load_only=True)

    @validates_schema
    def password_needs_phone(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("initial_password") and not data.get("phone"):
            raise ValidationError(
                "A login needs a mobile number / 设置登录密码须同时登记手机号码", "phone")


class RegisterVolunteerSchema(PersonFields):
    phone = fields.Str(required=True, validate=MOBILE)
    volunteer_number = fields.Str(load_default=None, allow_none=True,
                                  validate=validate.Length(max=64))
    initial_password = fields.Str(required=True, validate=PASSWORD, load_only=True)
    # what the registering operator attests (optional; each can be recorded later)
    registry_status = fields.Str(load_default=None, allow_none=True, validate=REGISTRY_STATUS,
                                 metadata={"description": "national registry verification"})
    screening = fields.Str(load_default=None, allow_none=True, validate=SCREENING,
                           metadata={"description": "credit and legal-record screening"})
    health_declared = fields.Bool(load_default=False,
                                  metadata={"description": "health self-declaration signed"})
    training_hours_completed = fields.Decimal(
        load_default=None, allow_none=True, places=1, as_string=False, validate=HOURS_OR_ZERO,
        metadata={"description": "recorded as an initial training 'platform induction'"})


class UnmaskedQuerySchema(Schema):
    unmasked = fields.Bool(load_default=False, metadata={
        "description": "full ID number, phone, address and emergency contact, for the person "
                       "themself, admins in scope and the elder's own station operator; audited"})


# -- answers ------------------------------------------------------------------------------------
class _MaskedPerson(Schema):
    """What every view of a person shows: identity fields, masked."""
    person_id = fields.Str(required=True)
    name = fields.Str(required=True)
    sex = fields.Str(required=True, metadata={"description": "male | female (from the ID number)"})
    birth_date = fields.Str(required=True, metadata={"description": "ISO date"})
    age = fields.Int(required=True)
    region_code = fields.Str(required=True)
    phone_masked = fields.Str(required=True, allow_none=True)
    id_number_masked = fields.Str(required=True)


class _Unmasked(Schema):
    """Added only with ``unmasked=True`` for the callers allowed to see them (audited)."""
    id_number = fields.Str()
    phone = fields.Str(allow_none=True)
    address = fields.Str(allow_none=True)
    emergency_contact_name = fields.Str(allow_none=True, metadata={"description": "elders"})
    emergency_contact_phone = fields.Str(allow_none=True, metadata={"description": "elders"})


class PersonOut(_MaskedPerson, _Unmasked):
    """A person (``get_person``); the unmasked fields only when asked for and allowed."""
    profiles = fields.List(fields.Str(), required=True, metadata={"description": "elder, volunteer"})
    volunteer_number = fields.Str(required=True, allow_none=True,
                                  metadata={"description": "a volunteer's national number"})
    created_at = fields.Str(required=True, allow_none=True)


class ProxyOut(Schema):
    """A person who may act for an elder; ``kind``: what they are to the elder."""
    person_id = fields.Str(required=True)
    name = fields.Str(required=True)
    kind = fields.Str(required=True, allow_none=True)
    kind_name = fields.Nested(Names, required=True, allow_none=True)
    note = fields.Str(required=True, allow_none=True)
    set_by = fields.Str(required=True, allow_none=True)
    set_at = fields.Str(required=True)


class ElderOut(_MaskedPerson, _Unmasked):
    """An elder (``register_elder``, ``get_elder``); the unmasked fields only when asked for
    and allowed."""
    phone_only = fields.Bool(required=True)
    emergency_contact_phone_masked = fields.Str(required=True, allow_none=True)
    carrier_id = fields.Str(required=True, allow_none=True)
    priority_categories = fields.List(fields.Str(), required=True, metadata={
        "description": "verified hardship categories, and advanced_age at 80+"})
    proxies = fields.List(fields.Nested(ProxyOut), required=True)


class VolunteerOut(_MaskedPerson):
    """A volunteer just registered, with their eligibility."""
    volunteer_number = fields.Str(required=True, allow_none=True)
    eligible = fields.Bool(required=True)
    reasons = fields.List(fields.Nested(ReasonText), required=True)
