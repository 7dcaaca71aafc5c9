"""marshmallow schemas: RPC inputs and event payloads of the identity service."""
from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .domain.phones import MOBILE_PATTERN

REGION_CODE = validate.Regexp(r"^\d{12}$", error="Region codes have 12 digits / 区划代码应为12位数字")
MOBILE = validate.Regexp(MOBILE_PATTERN,
                         error="Not a mainland mobile number / 不是有效的大陆手机号码")
PASSWORD = validate.Length(min=8, max=128,
                           error="Passwords have 8 to 128 characters / 密码长度应为8至128位")
NAME = validate.Length(min=1, max=100)


class _PersonFields(Schema):
    name = fields.Str(required=True, validate=NAME)
    id_number = fields.Str(required=True, validate=validate.Length(min=1, max=32))
    address = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))
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


class LoginSchema(Schema):
    phone = fields.Str(required=True)
    password = fields.Str(required=True)


class PersonRegisteredPayload(Schema):
    person_id = fields.Str(required=True)
    profile = fields.Str(required=True, validate=validate.OneOf(["elder", "volunteer"]))
    region_code = fields.Str(required=True)


class VolunteerEligiblePayload(Schema):
    person_id = fields.Str(required=True)
    region_code = fields.Str(required=True)
