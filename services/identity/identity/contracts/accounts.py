"""Logging in, sessions, passwords, municipal systems' tokens, ``me`` and access-token
revocations."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .common import PASSWORD

__all__ = ["ActiveRevocations", "ChangePasswordSchema", "ClientTokenBody", "LoggedOut",
           "LoginBody", "LogoutSchema", "Me", "PasswordChanged", "RefreshBody", "TokenPair",
           "TokensRevokedPayload"]


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


class LogoutSchema(Schema):
    refresh_token = fields.Str(load_default=None, allow_none=True, load_only=True,
                               metadata={"description": "this login's refresh token (optional)"})
    everywhere = fields.Bool(load_default=False,
                             metadata={"description": "end every login of the account"})


class LoggedOut(Schema):
    logged_out = fields.Bool()
    session_id = fields.Str(allow_none=True, metadata={"description": "the login that ended"})
    refresh_tokens_revoked = fields.Int(metadata={"description": "with everywhere=true"})


class ChangePasswordSchema(Schema):
    current_password = fields.Str(required=True, load_only=True)
    new_password = fields.Str(required=True, validate=PASSWORD, load_only=True,
                              metadata={"description": "8–128 characters; 3 of lower, upper, "
                                        "digit, symbol (2 from 12 characters); not the phone "
                                        "number, birth date or a common password"})


class PasswordChanged(Schema):
    password_changed = fields.Bool()
    refresh_tokens_revoked = fields.Int()


class Me(Schema):
    person_id = fields.Str(allow_none=True, metadata={"description": "null for a municipal "
                                                                     "system (an API client)"})
    client_id = fields.Str(allow_none=True, metadata={"description": "the API client, for a "
                                                                     "municipal system"})
    name = fields.Str()
    roles = fields.List(fields.Str())
    scope = fields.Str(metadata={"description": "12-digit region code"})
    carrier_id = fields.Str(allow_none=True)
    phone_masked = fields.Str(allow_none=True)


class TokensRevokedPayload(Schema):
    """Access tokens of this person, API client or login session issued at or before
    ``revoked_before`` are no longer accepted (at least one id is set)."""
    person_id = fields.Str(allow_none=True)
    client_id = fields.Str(allow_none=True)
    session_id = fields.Str(allow_none=True)
    revoked_before = fields.Str(required=True, metadata={"description": "ISO 8601 instant"})
    reason = fields.Str(required=True)


class ActiveRevocations(Schema):
    """The revocations that can still refuse a token (younger than the access-token lifetime)."""
    items = fields.List(fields.Nested(TokensRevokedPayload), required=True)
    max_token_age = fields.Int(required=True, metadata={"description": "seconds"})
    as_of = fields.Str(required=True, metadata={"description": "ISO 8601"})
