"""A volunteer's eligibility facts, the computed eligibility, qualifications (资质), and what
other services read of volunteers (``check_volunteer``, matching's listing)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank_common.schemas import SingleLineText

from .common import HOURS, NOTE, REGISTRY_STATUS, SCREENING, Names, ReasonText
from .vocabulary import BACKGROUND_TAGS, QUALIFICATION_KINDS

__all__ = ["AddQualificationSchema", "BackgroundTagsSchema", "EligibilityOut",
           "EligibleVolunteer", "ExpiredQualifications", "HealthDeclarationSchema",
           "MatchingVolunteersPage", "QualificationList", "QualificationOut",
           "Reassessment", "RecordTrainingSchema", "RegistryStatusSchema", "ScreeningSchema",
           "TrainingOut", "VolunteerCheck"]


class RecordTrainingSchema(Schema):
    course = fields.Str(required=True, validate=validate.Length(min=1, max=200),
                        metadata={"example": "老年人照护基础知识"})
    organiser = fields.Str(required=True, validate=validate.Length(min=1, max=200),
                           metadata={"example": "长安区志愿服务联合会"})
    date = fields.Date(required=True)
    hours = fields.Decimal(required=True, places=1, as_string=False, validate=HOURS)


class ScreeningSchema(Schema):
    result = fields.Str(required=True, validate=SCREENING)
    note = fields.Str(load_default=None, allow_none=True, validate=NOTE)


class RegistryStatusSchema(Schema):
    status = fields.Str(required=True, validate=REGISTRY_STATUS)
    note = fields.Str(load_default=None, allow_none=True, validate=NOTE)


class HealthDeclarationSchema(Schema):
    declaration = fields.Bool(required=True, validate=validate.Equal(
        True, error="The declaration must be true / 须确认健康声明（declaration: true）"))
    note = fields.Str(load_default=None, allow_none=True, validate=NOTE)


class BackgroundTagsSchema(Schema):
    tags = fields.List(fields.Str(validate=validate.OneOf(
        list(BACKGROUND_TAGS), error="Unknown tag / 未知的背景标签: {input}")), required=True,
        metadata={"description": "any of " + ", ".join(BACKGROUND_TAGS)})


class AddQualificationSchema(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(
        list(QUALIFICATION_KINDS), error="Unknown qualification / 未知的资质类型: {input}"),
        metadata={"description": "one of " + ", ".join(QUALIFICATION_KINDS)})
    number = SingleLineText(required=True, validate=validate.Length(min=1, max=64))
    issuer = SingleLineText(required=True, validate=validate.Length(min=1, max=200))
    valid_until = fields.Date(required=True)


# -- answers ------------------------------------------------------------------------------------
class EligibilityOut(Schema):
    """A volunteer's recorded facts and the eligibility computed from them today."""
    person_id = fields.Str(required=True)
    region_code = fields.Str(required=True)
    eligible = fields.Bool(required=True)
    reasons = fields.List(fields.Nested(ReasonText), required=True)
    training_hours = fields.Float(required=True)
    required_hours = fields.Float(required=True)
    volunteer_number = fields.Str(required=True, allow_none=True)
    registry_status = fields.Str(required=True)
    screening = fields.Str(required=True)
    health_declared = fields.Bool(required=True)
    background_tags = fields.List(fields.Str(), required=True)


class TrainingOut(Schema):
    training_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    course = fields.Str(required=True)
    organiser = fields.Str(required=True)
    date = fields.Str(required=True)
    hours = fields.Float(required=True)
    recorded_by = fields.Str(required=True, allow_none=True)
    eligibility = fields.Nested(EligibilityOut, required=True)


class QualificationOut(Schema):
    """``valid``: verified and not past ``valid_until`` today."""
    qualification_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    kind_name = fields.Nested(Names, required=True)
    number = fields.Str(required=True)
    issuer = fields.Str(required=True)
    valid_until = fields.Str(required=True)
    status = fields.Str(required=True)
    valid = fields.Bool(required=True)
    submitted_by = fields.Str(required=True, allow_none=True)
    submitted_at = fields.Str(required=True, allow_none=True)
    verified_by = fields.Str(required=True, allow_none=True)
    verified_at = fields.Str(required=True, allow_none=True)
    reason = fields.Str(required=True, allow_none=True)
    expired_at = fields.Str(required=True, allow_none=True)


class QualificationList(Schema):
    person_id = fields.Str(required=True)
    items = fields.List(fields.Nested(QualificationOut), required=True)


class ExpiredQualifications(Schema):
    expired = fields.List(fields.Str(), required=True, metadata={
        "description": "ids of the qualifications marked expired now"})


class VolunteerCheck(Schema):
    """Whether a volunteer may serve today; ``qualifications``: kinds verified and valid today."""
    person_id = fields.Str(required=True)
    name = fields.Str(required=True)
    region_code = fields.Str(required=True)
    eligible = fields.Bool(required=True)
    reasons = fields.List(fields.Nested(ReasonText), required=True)
    qualifications = fields.List(fields.Str(), required=True)


class EligibleVolunteer(Schema):
    person_id = fields.Str(required=True)
    region_code = fields.Str(required=True)
    qualifications = fields.List(fields.Str(), required=True)


class MatchingVolunteersPage(Schema):
    """Eligible volunteers (as last announced) by person id; ``next_after`` null on the last
    page."""
    items = fields.List(fields.Nested(EligibleVolunteer), required=True)
    next_after = fields.Str(required=True, allow_none=True)


class Reassessment(Schema):
    checked = fields.Int(required=True)
    on = fields.Str(required=True, metadata={"description": "the China date of the sweep"})
