"""Registering elders and volunteers, and reading a person or an elder (masked by default)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from timebank_common.schemas import PageQuery, SingleLineText

from .common import (
    HOURS_OR_ZERO,
    MOBILE,
    NAME,
    PASSWORD,
    REASON,
    REGION_CODE,
    REGISTRY_STATUS,
    SCREENING,
    Names,
    PersonFields,
    ReasonText,
)
from .moves import MoveOut
from .vocabulary import HARDSHIP_CATEGORIES, PERSON_STATUSES

__all__ = ["ElderListItem", "ElderListSchema", "ElderOut", "ElderPage", "PersonOut",
           "PersonStatusOut", "ProxyOut", "RegisterElderSchema", "RegisterVolunteerSchema",
           "SetPersonStatusSchema", "UnmaskedQuerySchema", "UpdateElderSchema",
           "UpdateVolunteerSchema", "VolunteerListItem",
           "VolunteerListSchema", "VolunteerOut", "VolunteerPage"]


class RegisterElderSchema(PersonFields):
    phone = fields.Str(load_default=None, allow_none=True, validate=MOBILE)
    phone_only = fields.Bool(load_default=False)
    carrier_id = fields.UUID(load_default=None, allow_none=True)
    emergency_contact_name = SingleLineText(load_default=None, allow_none=True, validate=NAME)
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
    volunteer_number = SingleLineText(load_default=None, allow_none=True,
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
    status = fields.Str(required=True,
                        metadata={"description": "standing: active | left | withdrew | deceased"})


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
    moves = fields.List(fields.Nested(MoveOut), required=True, metadata={
        "description": "moves within the province, oldest first"})


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
    longitude = fields.Float(required=True, allow_none=True,
                             metadata={"description": "the elder's home"})
    latitude = fields.Float(required=True, allow_none=True)
    moves = fields.List(fields.Nested(MoveOut), required=True, metadata={
        "description": "moves within the province, oldest first"})


class VolunteerOut(_MaskedPerson):
    """A volunteer just registered, with their eligibility."""
    volunteer_number = fields.Str(required=True, allow_none=True)
    eligible = fields.Bool(required=True)
    reasons = fields.List(fields.Nested(ReasonText), required=True)


# -- finding people ---------------------------------------------------------------------------
STATUS_FILTER = validate.OneOf(
    [*PERSON_STATUSES, "all"],
    error="Status is one of " + ", ".join([*PERSON_STATUSES, "all"]) + " / 状态取值不正确")


class _PeopleQuery(PageQuery):
    """Filters of a list of people in the caller's scope; every filter narrows (AND)."""
    q = fields.Str(load_default=None, allow_none=True, validate=validate.Length(min=1, max=100),
                   metadata={"description": "name prefix (姓名开头)"})
    phone = fields.Str(load_default=None, allow_none=True, validate=MOBILE,
                       metadata={"description": "exact mobile number (found by its keyed hash)"})
    id_number = fields.Str(load_default=None, allow_none=True,
                           validate=validate.Length(min=15, max=18),
                           metadata={"description": "exact ID number (found by its keyed hash)"})
    region = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE, metadata={
        "description": "only people under this region (inside your scope, else 403)"})
    status = fields.Str(load_default="active", validate=STATUS_FILTER, metadata={
        "description": "standing: active (default), left, withdrew, deceased, or all"})


class ElderListSchema(_PeopleQuery):
    category = fields.Str(load_default=None, allow_none=True,
                          validate=validate.OneOf(list(HARDSHIP_CATEGORIES)), metadata={
                              "description": "a verified hardship category, or advanced_age "
                                             "(80+ by the birth date)"})


class VolunteerListSchema(_PeopleQuery):
    eligible = fields.Bool(load_default=None, allow_none=True, metadata={
        "description": "eligibility as last announced (reassessed on every change and daily)"})


class _ListedPerson(_MaskedPerson):
    status = fields.Str(required=True, metadata={"description": "PERSON_STATUSES"})


class ElderListItem(_ListedPerson):
    phone_only = fields.Bool(required=True)
    carrier_id = fields.Str(required=True, allow_none=True)


class VolunteerListItem(_ListedPerson):
    volunteer_number = fields.Str(required=True, allow_none=True)
    eligible = fields.Bool(required=True, metadata={"description": "as last announced"})


class ElderPage(Schema):
    items = fields.List(fields.Nested(ElderListItem), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    page_size = fields.Int(required=True)


class VolunteerPage(Schema):
    items = fields.List(fields.Nested(VolunteerListItem), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    page_size = fields.Int(required=True)


# -- standing ---------------------------------------------------------------------------------
class SetPersonStatusSchema(Schema):
    status = fields.Str(required=True, validate=validate.OneOf(list(PERSON_STATUSES)),
                        metadata={"description": "active | left | withdrew | deceased"})
    reason = fields.Str(load_default=None, allow_none=True, validate=REASON, metadata={
        "description": "required except when the person comes back (active)"})

    @validates_schema
    def reason_unless_active(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("status") != "active" and not (data.get("reason") or "").strip():
            raise ValidationError("A reason is required / 请填写理由", "reason")


class _Corrections(Schema):
    """The fields of a person that change in life; only those given change (at least one)."""
    phone = fields.Str(validate=MOBILE, metadata={
        "description": "unique in the province; the login follows it (staff only)"})
    address = fields.Str(allow_none=True, validate=validate.Length(max=500))

    @validates_schema
    def something_to_change(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data:
            raise ValidationError("Nothing to change / 没有要修改的内容", "_schema")


class UpdateElderSchema(_Corrections):
    emergency_contact_name = SingleLineText(allow_none=True, validate=NAME)
    emergency_contact_phone = fields.Str(allow_none=True, validate=MOBILE)
    phone_only = fields.Bool(metadata={"description": "reached by phone only (no app)"})
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))

    @validates_schema
    def both_coordinates(self, data: dict[str, Any], **kwargs: Any) -> None:
        if ("longitude" in data) != ("latitude" in data) or \
                (data.get("longitude") is None) != (data.get("latitude") is None):
            raise ValidationError(
                "Give both longitude and latitude, or neither / 经度和纬度须同时填写", "latitude")


class UpdateVolunteerSchema(_Corrections):
    volunteer_number = SingleLineText(validate=validate.Length(min=1, max=64), metadata={
        "description": "the national volunteer-system number, added or corrected (staff "
                       "only); eligibility is reassessed"})


class PersonStatusOut(Schema):
    person_id = fields.Str(required=True)
    region_code = fields.Str(required=True)
    profiles = fields.List(fields.Str(), required=True)
    status = fields.Str(required=True)
    previous_status = fields.Str(required=True)
    reason = fields.Str(required=True, allow_none=True)
    changed_by = fields.Str(required=True, allow_none=True)
    changed_at = fields.Str(required=True, allow_none=True)
