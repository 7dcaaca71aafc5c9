"""HTTP-only schemas (auth, paging, errors). Domain bodies use the owning
service's own schemas, imported in ``api.py``, so the gateway and the service
validate with the same definition and the OpenAPI document shows it."""
from marshmallow import Schema, fields, validate

from demand.domain.lifecycle import STATUSES as DEMAND_STATUSES
from ledger.domain.kinds import TRANSFER_KINDS
from timebank_common.schemas import PageQuery


class LoginBody(Schema):
    phone = fields.Str(required=True, metadata={"example": "13800000005"})
    password = fields.Str(required=True, load_only=True, metadata={"example": "Demo@2026"})


class RefreshBody(Schema):
    refresh_token = fields.Str(required=True)


class ClientTokenBody(Schema):
    grant_type = fields.Str(load_default="client_credentials", validate=validate.Equal("client_credentials"))
    client_id = fields.Str(required=True)
    client_secret = fields.Str(required=True, load_only=True)


class TokenPair(Schema):
    access_token = fields.Str()
    refresh_token = fields.Str()
    token_type = fields.Str(metadata={"example": "Bearer"})
    expires_in = fields.Int(metadata={"description": "seconds"})


class LoggedOut(Schema):
    logged_out = fields.Bool()
    session_id = fields.Str(allow_none=True, metadata={"description": "the login that ended"})
    refresh_tokens_revoked = fields.Int(metadata={"description": "with everywhere=true"})


class PasswordChanged(Schema):
    password_changed = fields.Bool()
    refresh_tokens_revoked = fields.Int()


class Me(Schema):
    person_id = fields.Str()
    name = fields.Str()
    roles = fields.List(fields.Str())
    scope = fields.Str(metadata={"description": "12-digit region code"})
    carrier_id = fields.Str(allow_none=True)
    phone_masked = fields.Str(allow_none=True)


class StatementQuery(PageQuery):
    since = fields.AwareDateTime(load_default=None)
    until = fields.AwareDateTime(load_default=None)
    kind = fields.Str(load_default=None, validate=validate.OneOf(TRANSFER_KINDS),
                      metadata={"description": "only transfers of this kind"})


class DemandListQuery(PageQuery):
    status = fields.Str(load_default=None, validate=validate.OneOf(DEMAND_STATUSES))
    region_code = fields.Str(load_default=None, validate=validate.Regexp(r"^\d{12}$"))
    category = fields.Str(load_default=None)


class RegionQuery(Schema):
    parent = fields.Str(load_default="130000000000", validate=validate.Regexp(r"^\d{12}$"))


class ErrorMessage(Schema):
    zh = fields.Str()
    en = fields.Str()


class Error(Schema):
    error = fields.Str(metadata={"example": "validation_failed"})
    message = fields.Nested(ErrorMessage)
    details = fields.Raw(allow_none=True)
    request_id = fields.Str()


class Health(Schema):
    service = fields.Str()
    status = fields.Str()
    checks = fields.Dict()
