"""The gateway's own HTTP schemas (regions query, errors, health). Every body, query and answer
of a service's route is the owning service's contract (``<service>.contracts``), so the gateway
and the service validate with the same definition and the OpenAPI document shows it."""
from marshmallow import Schema, fields

from timebank_common.schemas import AsciiPattern


class RegionQuery(Schema):
    parent = fields.Str(load_default="130000000000", validate=AsciiPattern(r"^[0-9]{12}$"))


class ErrorMessage(Schema):
    zh = fields.Str()
    en = fields.Str()


class Error(Schema):
    error = fields.Str(metadata={"example": "validation_failed"})
    message = fields.Nested(ErrorMessage)
    details = fields.Raw(allow_none=True)
    request_id = fields.Str()


class Problem(Error):
    """RFC 9457 problem details (``Accept: application/problem+json``) with the members of
    ``Error`` as extensions."""
    type = fields.Str(metadata={"example": "urn:timebank:error:validation_failed"})
    title = fields.Str(metadata={"example": "Bad Request"})
    status = fields.Int(metadata={"example": 400})
    detail = fields.Str()
    instance = fields.Str(metadata={"example": "/api/v1/demands"})


class Health(Schema):
    service = fields.Str()
    status = fields.Str()
    checks = fields.Dict()


class ConsoleSession(Schema):
    """The console's login: the refresh token travels only in the HttpOnly cookie."""
    access_token = fields.Str()
    token_type = fields.Str(metadata={"example": "Bearer"})
    expires_in = fields.Int(allow_none=True, metadata={"description": "seconds"})


class SessionLogout(Schema):
    everywhere = fields.Bool(load_default=False,
                             metadata={"description": "end every login of the account"})
