"""Operators (staff grants, delegation only downward), municipal API clients and the audit log."""
from __future__ import annotations

import datetime as dt

from marshmallow import Schema, fields, validate

from timebank_common.schemas import AsciiPattern, PageQuery, SingleLineText, UuidText

from .common import MOBILE, PASSWORD, REASON, REGION_CODE, PersonFields
from .vocabulary import GRANTABLE_ROLES

__all__ = ["CLIENT_ID", "STAFF_ROLE", "ApiClientList", "ApiClientListSchema", "ApiClientOut",
           "ApiClientWithSecret", "AuditEntry", "AuditPage", "AuditQuerySchema", "CreateApiClientSchema",
           "CreateOperatorSchema", "OperatorCreated", "OperatorListSchema", "OperatorOut",
           "OperatorPage", "OperatorRevoked", "RevokeSchema", "RotateApiClientSchema",
           "UpdateApiClientSchema"]

STAFF_ROLE = validate.OneOf(list(GRANTABLE_ROLES),
                            error="Not a staff role / 不是工作人员角色: {input}")
CLIENT_ID = AsciiPattern(
    r"^[a-z0-9][a-z0-9-]{2,63}$",
    error="3 to 64 lowercase letters, digits or '-' / 应为3至64位小写字母、数字或连字符")


# -- operators (工作人员) ----------------------------------------------------------------------------
class CreateOperatorSchema(PersonFields):
    phone = fields.Str(required=True, validate=MOBILE, metadata={"description": "the login"})
    role = fields.Str(required=True, validate=STAFF_ROLE,
                      metadata={"description": "one of " + ", ".join(GRANTABLE_ROLES)})
    scope_code = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE, metadata={
        "description": "the region the role acts in (its level is the role's); a station "
                       "operator's is the township of their carrier and may be left out"})
    carrier_id = fields.UUID(load_default=None, allow_none=True,
                             metadata={"description": "station_operator only: their carrier"})
    initial_password = fields.Str(required=True, validate=PASSWORD, load_only=True, metadata={
        "description": "set by the admin and handed over; kept out of every response. A person "
                       "who already has a login keeps their own password"})


class OperatorListSchema(PageQuery):
    role = fields.Str(load_default=None, allow_none=True, validate=STAFF_ROLE)
    region_code = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE, metadata={
        "description": "only grants whose scope lies under this region"})


class RevokeSchema(Schema):
    reason = fields.Str(required=True, validate=REASON)


class OperatorOut(Schema):
    """A staff grant and who holds it (masked), as listed."""
    grant_id = fields.Str(required=True)
    person_id = fields.Str(required=True)
    name = fields.Str(required=True)
    region_code = fields.Str(required=True)
    phone_masked = fields.Str(required=True, allow_none=True)
    id_number_masked = fields.Str(required=True)
    role = fields.Str(required=True)
    scope_code = fields.Str(required=True)
    carrier_id = fields.Str(required=True, allow_none=True)
    granted_by = fields.Str(required=True, allow_none=True)
    granted_at = fields.Str(required=True, allow_none=True)


class OperatorCreated(OperatorOut):
    """A grant just made, and whether the person's login was created now or existed."""
    login = fields.Str(required=True, metadata={"description": "created | existing"})


class OperatorRevoked(OperatorOut):
    """A grant just revoked."""
    revoked_at = fields.Str(required=True, metadata={"description": "ISO 8601"})
    revoke_reason = fields.Str(required=True)


class OperatorPage(Schema):
    items = fields.List(fields.Nested(OperatorOut), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    page_size = fields.Int(required=True)


# -- municipal API clients (市级业务系统) ---------------------------------------------------------------
class CreateApiClientSchema(Schema):
    name = SingleLineText(required=True, validate=validate.Length(min=1, max=200),
                      metadata={"example": "石家庄市民政局业务系统"})
    scope_code = fields.Str(required=True, validate=REGION_CODE,
                            metadata={"description": "a city-level unit (市, 辛集, 定州, 雄安)"})
    client_id = fields.Str(load_default=None, allow_none=True, validate=CLIENT_ID, metadata={
        "description": "chosen by the admin, or generated when left out"})
    may_register_volunteers = fields.Bool(load_default=False, metadata={
        "description": "whether the system may register and correct volunteers (the "
                       "province's policy per client; off by default). Elders it always may."})


class UpdateApiClientSchema(Schema):
    """What an admin may change of a municipal system's account (its secret: ``rotate``)."""

    may_register_volunteers = fields.Bool(required=True)


class RotateApiClientSchema(Schema):
    """A rotation: until when the secret being replaced stays valid."""

    previous_secret_valid_until = fields.AwareDateTime(
        load_default=None, allow_none=True, metadata={
            "description": "until when the current secret stays valid beside the new one "
                           "(ISO 8601 with offset; after now, at most 30 days ahead; default "
                           "7 days). 旧密钥的停用时间：默认7天，最长30天"})


class ApiClientListSchema(Schema):
    region_code = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE)


class ApiClientOut(Schema):
    """A municipal system's account: never its secret, nor its hash."""
    client_id = fields.Str(required=True)
    name = fields.Str(required=True)
    scope_code = fields.Str(required=True)
    status = fields.Str(required=True, metadata={"description": "active | revoked"})
    created_at = fields.Str(required=True, allow_none=True)
    created_by = fields.Str(required=True, allow_none=True)
    secret_rotated_at = fields.Str(required=True, allow_none=True)
    previous_secret_valid_until = fields.Str(required=True, allow_none=True, metadata={
        "description": "until when the secret the last rotation replaced is (or was) "
                       "accepted; null when no rotation kept one"})
    revoked_at = fields.Str(required=True, allow_none=True)
    revoked_by = fields.Str(required=True, allow_none=True)
    revoke_reason = fields.Str(required=True, allow_none=True)
    may_register_volunteers = fields.Bool(required=True)


class ApiClientWithSecret(ApiClientOut):
    """A municipal system's account just created or rotated: its secret, shown only now."""
    client_secret = fields.Str(required=True)


class ApiClientList(Schema):
    items = fields.List(fields.Nested(ApiClientOut), required=True)
    total = fields.Int(required=True)


# -- the audit log (审计日志) -------------------------------------------------------------------------
class AuditQuerySchema(PageQuery):
    """Filters of ``query_audit`` / ``GET /api/v1/audit``; entries are newest first."""
    since = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=dt.UTC,
                                 metadata={"description": "entries at or after (ISO 8601, "
                                                          "UTC unless an offset is given)"})
    until = fields.AwareDateTime(load_default=None, allow_none=True, default_timezone=dt.UTC,
                                 metadata={"description": "entries before (ISO 8601)"})
    actor_person_id = UuidText(load_default=None, allow_none=True, metadata={"description": "who acted"})
    action = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=64),
                        metadata={"example": "register_elder"})
    target_type = fields.Str(load_default=None, allow_none=True,
                             validate=validate.Length(max=32), metadata={"example": "person"})
    target_id = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=64))
    region_code = fields.Str(load_default=None, allow_none=True, validate=REGION_CODE,
                             metadata={"description": "only entries under this region"})


class AuditEntry(Schema):
    """One staff write or unmasked read; ``before``/``after`` masked (numbers masked, free
    text withheld)."""
    entry_id = fields.Int(required=True)
    at = fields.Str(required=True)
    actor_person_id = fields.Str(required=True, allow_none=True)
    actor_client_id = fields.Str(required=True, allow_none=True)
    actor_roles = fields.List(fields.Str(), required=True)
    action = fields.Str(required=True)
    target_type = fields.Str(required=True)
    target_id = fields.Str(required=True, allow_none=True)
    region_code = fields.Str(required=True, allow_none=True)
    before = fields.Dict(required=True, allow_none=True)
    after = fields.Dict(required=True, allow_none=True)
    correlation_id = fields.Str(required=True, allow_none=True)


class AuditPage(Schema):
    items = fields.List(fields.Nested(AuditEntry), required=True)
    total = fields.Int(required=True)
    page = fields.Int(required=True)
    page_size = fields.Int(required=True)
