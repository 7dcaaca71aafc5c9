"""marshmallow schemas: RPC inputs and event payloads of the identity service."""
from __future__ import annotations

import datetime as dt

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from .domain.carriers import CARRIER_KINDS
from .domain.delegation import GRANTABLE
from .domain.eligibility import BACKGROUND_TAGS, REGISTRY_STATUSES, SCREENING_RESULTS
from .domain.phones import CONTACT_PHONE_PATTERN, MOBILE_PATTERN
from .domain.priority import CATEGORIES
from .domain.qualifications import KINDS as QUALIFICATION_KINDS
from .domain.relatives import KINDS
from .domain.review import DECISIONS

REGION_CODE = validate.Regexp(r"^\d{12}$", error="Region codes have 12 digits / 区划代码应为12位数字")
MOBILE = validate.Regexp(MOBILE_PATTERN,
                         error="Not a mainland mobile number / 不是有效的大陆手机号码")
PASSWORD = validate.Length(min=8, max=128,
                           error="Passwords have 8 to 128 characters / 密码长度应为8至128位")
NAME = validate.Length(min=1, max=100)
CONTACT_PHONE = validate.Regexp(
    CONTACT_PHONE_PATTERN,
    error="A mobile or landline number with area code / 应为手机号码或带区号的固定电话")
CARRIER_KIND = validate.OneOf(
    list(CARRIER_KINDS), error="Unknown carrier kind / 未知的服务载体类型: {input}")

REGISTRY_STATUS = validate.OneOf(
    list(REGISTRY_STATUSES), error="Status is unverified, verified or rejected / 状态应为 "
    "unverified、verified 或 rejected")
SCREENING = validate.OneOf(list(SCREENING_RESULTS),
                           error="Result is clear, flagged or unknown / 结果应为 clear、flagged 或 unknown")
HOURS = validate.Range(min=0.1, max=999.9, error="Hours from 0.1 to 999.9 / 学时应在0.1至999.9之间")
HOURS_OR_ZERO = validate.Range(min=0, max=999.9, error="Hours from 0 to 999.9 / 学时应在0至999.9之间")


class _PersonFields(Schema):
    name = fields.Str(required=True, validate=NAME)
    id_number = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    address = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))
    region_code = fields.Str(required=True, validate=REGION_CODE)


class RegionCodeSchema(Schema):
    region_code = fields.Str(required=True, validate=REGION_CODE)


class RegisterElderSchema(_PersonFields):
    phone = fields.Str(load_default=None, allow_none=True, validate=MOBILE)
    phone_only = fields.Bool(load_default=False)
    carrier_id = fields.UUID(load_default=None, allow_none=True)
    emergency_contact_name = fields.Str(load_default=None, allow_none=True, validate=NAME)
    emergency_contact_phone = fields.Str(load_default=None, allow_none=True, validate=MOBILE)
    initial_password = fields.Str(load_default=None, allow_none=True, validate=PASSWORD,
                                  load_only=True)

    @validates_schema
    def password_needs_phone(self, data, **kwargs):
        if data.get("initial_password") and not data.get("phone"):
            raise ValidationError(
                "A login needs a mobile number / 设置登录密码须同时登记手机号码", "phone")


class RegisterVolunteerSchema(_PersonFields):
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


class LoginSchema(Schema):
    phone = fields.Str(required=True)
    password = fields.Str(required=True)


class RegisterCarrierSchema(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200),
                      metadata={"example": "长安区建北街道育才社区学雷锋志愿服务站"})
    kind = fields.Str(required=True, validate=CARRIER_KIND,
                      metadata={"description": "one of " + ", ".join(CARRIER_KINDS)})
    region_code = fields.Str(required=True, validate=REGION_CODE,
                             metadata={"description": "the community/village it serves"})
    address = fields.Str(required=True, validate=validate.Length(min=1, max=500))
    longitude = fields.Float(load_default=None, allow_none=True,
                             validate=validate.Range(min=-180, max=180))
    latitude = fields.Float(load_default=None, allow_none=True,
                            validate=validate.Range(min=-90, max=90))
    contact_name = fields.Str(required=True, validate=NAME)
    contact_phone = fields.Str(required=True, validate=CONTACT_PHONE)

    @validates_schema
    def both_coordinates_or_none(self, data, **kwargs):
        if (data.get("longitude") is None) != (data.get("latitude") is None):
            raise ValidationError(
                "Give both longitude and latitude, or neither / 经度和纬度须同时填写或都不填",
                "latitude" if data.get("latitude") is None else "longitude")


class CarrierListSchema(Schema):
    kind = fields.Str(load_default=None, allow_none=True, validate=CARRIER_KIND)
    region_code = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE,
                             metadata={"description": "only carriers under this region"})
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


class CarrierRegisteredPayload(Schema):
    carrier_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    region_code = fields.Str(required=True)


class PersonRegisteredPayload(Schema):
    person_id = fields.Str(required=True)
    profile = fields.Str(required=True, validate=validate.OneOf(["elder", "volunteer"]))
    region_code = fields.Str(required=True)


class VolunteerEligiblePayload(Schema):
    person_id = fields.Str(required=True)
    region_code = fields.Str(required=True)
    qualifications = fields.List(fields.Str(), load_default=list)  # kinds valid today (matching)


# -- priority elders and relatives --------------------------------------------
EVIDENCE = validate.Length(min=1, max=2000,
                           error="Evidence has 1 to 2000 characters / 证明材料说明为1至2000个字符")
UUID_TEXT = validate.Regexp(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$",
                            error="Not an id / 不是有效的编号")


class SubmitPrioritySchema(Schema):
    category = fields.Str(required=True, validate=validate.OneOf(
        list(CATEGORIES), error="Unknown hardship category / 未知的困难类别: {input}"),
        metadata={"description": "one of " + ", ".join(CATEGORIES)
                  + " (advanced_age is derived from the birth date and refused)"})
    evidence = fields.Str(required=True, validate=EVIDENCE,
                          metadata={"example": "低保证编号 130102-2026-0031"})


class ReviewSchema(Schema):
    decision = fields.Str(required=True, validate=validate.OneOf(
        list(DECISIONS), error="The decision is verify or reject / 审核结论应为 verify 或 reject"))
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500),
                        metadata={"description": "required when rejecting"})


class LinkRelativesSchema(Schema):
    person_id = fields.UUID(required=True)
    relative_person_id = fields.UUID(required=True, metadata={
        "description": "the relative: relative_person_id is person_id's <kind>"})
    kind = fields.Str(required=True, validate=validate.OneOf(
        list(KINDS), error="Unknown kind of relation / 未知的亲属关系: {input}"),
        metadata={"description": "one of " + ", ".join(KINDS)})
    evidence = fields.Str(required=True, validate=EVIDENCE,
                          metadata={"example": "户口簿 户号 130102000123"})


class RelationsQuerySchema(Schema):
    person_id = fields.Str(required=True, validate=UUID_TEXT)


class ElderPriorityGrantedPayload(Schema):
    person_id = fields.Str(required=True)
    category = fields.Str(required=True)
    region_code = fields.Str(required=True)
    verified_by = fields.Str(required=True, allow_none=True)


class RelativesLinkedPayload(Schema):
    link_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    relative_person_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    region_code = fields.Str(required=True)


class ReasonText(Schema):
    code = fields.Str(required=True)
    zh = fields.Str(required=True)
    en = fields.Str(required=True)


class VolunteerSuspendedPayload(Schema):
    """``reasons``: codes; ``reason_texts``: the same in words, ``[{code, zh, en}]`` (what
    notify tells the volunteer)."""

    person_id = fields.Str(required=True)
    region_code = fields.Str(required=True)
    reasons = fields.List(fields.Str(), required=True)
    reason_texts = fields.List(fields.Nested(ReasonText), load_default=list)


# -- volunteer eligibility facts and qualifications ------------------------------------------
NOTE = validate.Length(max=500)


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
    number = fields.Str(required=True, validate=validate.Length(min=1, max=64))
    issuer = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    valid_until = fields.Date(required=True)


class QualificationExpiredPayload(Schema):
    person_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    qualification_id = fields.Str(required=True)
    region_code = fields.Str(required=True)


class QualificationVerifiedPayload(Schema):
    person_id = fields.Str(required=True)
    kind = fields.Str(required=True)
    qualification_id = fields.Str(required=True)
    valid_until = fields.Date(required=True)
    region_code = fields.Str(required=True)


class MatchingVolunteersQuery(Schema):
    """``matching_volunteers``: a page of eligible volunteers, by person id."""
    after = fields.Str(load_default=None, allow_none=True)
    limit = fields.Int(load_default=1000, validate=validate.Range(min=1, max=5000))


class ChangePasswordSchema(Schema):
    current_password = fields.Str(required=True, load_only=True)
    new_password = fields.Str(required=True, validate=PASSWORD, load_only=True,
                              metadata={"description": "8–128 characters; 3 of lower, upper, "
                                        "digit, symbol (2 from 12 characters); not the phone "
                                        "number, birth date or a common password"})


class LogoutSchema(Schema):
    refresh_token = fields.Str(load_default=None, allow_none=True, load_only=True,
                               metadata={"description": "this login's refresh token (optional)"})
    everywhere = fields.Bool(load_default=False,
                             metadata={"description": "end every login of the account"})


class TokensRevokedPayload(Schema):
    """Access tokens of this person, API client or login session issued at or before
    ``revoked_before`` are no longer accepted (at least one id is set)."""

    person_id = fields.Str(allow_none=True)
    client_id = fields.Str(allow_none=True)
    session_id = fields.Str(allow_none=True)
    revoked_before = fields.Str(required=True, metadata={"description": "ISO 8601 instant"})
    reason = fields.Str(required=True)


class AuditQuerySchema(Schema):
    """Filters of ``query_audit`` / ``GET /api/v1/audit``; entries are newest first."""
    since = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=dt.UTC,
                                 metadata={"description": "entries at or after (ISO 8601, "
                                                          "UTC unless an offset is given)"})
    until = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=dt.UTC,
                                 metadata={"description": "entries before (ISO 8601)"})
    actor_person_id = fields.Str(load_default=None, allow_none=True,
                                 metadata={"description": "who acted"})
    action = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=64),
                        metadata={"example": "register_elder"})
    target_type = fields.Str(load_default=None, allow_none=True,
                             validate=validate.Length(max=32), metadata={"example": "person"})
    target_id = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=64))
    region_code = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE,
                             metadata={"description": "only entries under this region"})
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


# -- operators (staff grants) and municipal API clients ----------------------------------------
STAFF_ROLE = validate.OneOf(list(GRANTABLE),
                            error="Not a staff role / 不是工作人员角色: {input}")
REASON = validate.Length(min=1, max=500, error="A reason of 1 to 500 characters / 请填写理由（1至500字）")
CLIENT_ID = validate.Regexp(
    r"^[a-z0-9][a-z0-9-]{2,63}$",
    error="3 to 64 lowercase letters, digits or '-' / 应为3至64位小写字母、数字或连字符")


class CreateOperatorSchema(_PersonFields):
    phone = fields.Str(required=True, validate=MOBILE, metadata={"description": "the login"})
    role = fields.Str(required=True, validate=STAFF_ROLE,
                      metadata={"description": "one of " + ", ".join(GRANTABLE)})
    scope_code = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE, metadata={
        "description": "the region the role acts in (its level is the role's); a station "
                       "operator's is the township of their carrier and may be left out"})
    carrier_id = fields.UUID(load_default=None, allow_none=True,
                             metadata={"description": "station_operator only: their carrier"})
    initial_password = fields.Str(required=True, validate=PASSWORD, load_only=True, metadata={
        "description": "set by the admin and handed over; kept out of every response. A person "
                       "who already has a login keeps their own password"})


class OperatorListSchema(Schema):
    role = fields.Str(load_default=None, allow_none=True, validate=STAFF_ROLE)
    region_code = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE, metadata={
        "description": "only grants whose scope lies under this region"})
    page = fields.Int(load_default=1, validate=validate.Range(min=1))
    page_size = fields.Int(load_default=20, validate=validate.Range(min=1, max=100))


class UnmaskedQuerySchema(Schema):
    unmasked = fields.Bool(load_default=False, metadata={
        "description": "full ID number, phone, address and emergency contact, for the person "
                       "themself, admins in scope and the elder's own station operator; audited"})


class RevokeSchema(Schema):
    reason = fields.Str(required=True, validate=REASON)


class CreateApiClientSchema(Schema):
    name = fields.Str(required=True, validate=validate.Length(min=1, max=200),
                      metadata={"example": "石家庄市民政局业务系统"})
    scope_code = fields.Str(required=True, validate=REGION_CODE,
                            metadata={"description": "a city-level unit (市, 辛集, 定州, 雄安)"})
    client_id = fields.Str(load_default=None, allow_none=True, validate=CLIENT_ID, metadata={
        "description": "chosen by the admin, or generated when left out"})


class ApiClientListSchema(Schema):
    region_code = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE)


class OperatorGrantedPayload(Schema):
    grant_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    role = fields.Str(required=True)
    scope_code = fields.Str(required=True)
    carrier_id = fields.Str(required=True, allow_none=True)
    granted_by = fields.Str(required=True, allow_none=True)


class OperatorRevokedPayload(Schema):
    grant_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    role = fields.Str(required=True)
    scope_code = fields.Str(required=True)
    revoked_by = fields.Str(required=True, allow_none=True)
    reason = fields.Str(required=True)


class StatsQuerySchema(Schema):
    """``GET /api/v1/stats?region=&from=&to=``; the period's days are China dates, inclusive."""
    region_code = fields.Str(data_key="region", load_default=None, allow_none=True,
                             validate=REGION_CODE, metadata={
                                 "description": "12-digit region code (default: your scope)",
                                 "example": "130102000000"})
    period_from = fields.Date(data_key="from", load_default=None, allow_none=True)
    period_to = fields.Date(data_key="to", load_default=None, allow_none=True)

    @validates_schema
    def _period_in_order(self, data, **kwargs):
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            raise ValidationError("The period ends before it starts / 统计期间的结束日期早于开始日期",
                                  "to")


class SetElderProxySchema(Schema):
    proxy_person_id = fields.UUID(required=True, metadata={
        "description": "a verified direct relative of the elder"})
    note = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500),
                      metadata={"example": "女儿，代为预约上门服务"})


class ElderProxySetPayload(Schema):
    elder_id = fields.Str(required=True)
    proxy_person_id = fields.Str(required=True)
    kind = fields.Str(required=True, metadata={"description": "what the proxy is to the elder"})
    region_code = fields.Str(required=True)
    set_by = fields.Str(required=True, allow_none=True)


class ElderProxyRemovedPayload(Schema):
    elder_id = fields.Str(required=True)
    proxy_person_id = fields.Str(required=True)
    region_code = fields.Str(required=True)
    removed_by = fields.Str(required=True, allow_none=True)


class ServiceRecordedSeen(Schema):
    """What identity reads of demand's ``service_recorded`` payload (other fields ignored)."""
    class Meta:
        unknown = EXCLUDE

    volunteer_id = fields.UUID(required=True)
    recorded_at = fields.AwareDateTime(required=True)


# -- internal reads for the notify service (identity/notification_contacts.py) ----------------
class ContactDetailsQuery(Schema):
    person_ids = fields.List(fields.Str(validate=validate.Length(1, 64)), required=True,
                             validate=validate.Length(max=500))


class StationStaffQuery(Schema):
    carrier_id = fields.Str(load_default=None, allow_none=True, validate=UUID_TEXT)
    township_code = fields.Str(load_default=None, allow_none=True,
                               validate=validate.Regexp(r"^\d{12}$"))


class QualificationsExpiringQuery(Schema):
    on_date = fields.Date(load_default=None, allow_none=True)
    days = fields.Int(load_default=30, strict=True, validate=validate.Range(0, 366))
