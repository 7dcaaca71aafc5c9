"""Validators and small shapes the other contract modules share."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank_common.schemas import AsciiPattern, SingleLineText

from .vocabulary import (
    CONTACT_PHONE_PATTERN,
    MOBILE_PATTERN,
    REGISTRY_STATUSES,
    SCREENING_RESULTS,
)

__all__ = ["CONTACT_PHONE", "EVIDENCE", "HOURS", "HOURS_OR_ZERO", "MOBILE", "NAME", "NOTE",
           "PASSWORD", "REASON", "REGION_CODE", "REGISTRY_STATUS", "SCREENING", "UUID_TEXT",
           "Names", "PersonFields", "ReasonText", "ReviewFields"]

REGION_CODE = AsciiPattern(r"^[0-9]{12}$", error="Region codes have 12 digits / 区划代码应为12位数字")
MOBILE = AsciiPattern(MOBILE_PATTERN,
                         error="Not a mainland mobile number / 不是有效的大陆手机号码")
PASSWORD = validate.Length(min=8, max=128,
                           error="Passwords have 8 to 128 characters / 密码长度应为8至128位")
NAME = validate.Length(min=1, max=100)
CONTACT_PHONE = AsciiPattern(
    CONTACT_PHONE_PATTERN,
    error="A mobile or landline number with area code / 应为手机号码或带区号的固定电话")
EVIDENCE = validate.Length(min=1, max=2000,
                           error="Evidence has 1 to 2000 characters / 证明材料说明为1至2000个字符")
UUID_TEXT = AsciiPattern(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$",
                            error="Not an id / 不是有效的编号")
NOTE = validate.Length(max=500)
REASON = validate.Length(min=1, max=500, error="A reason of 1 to 500 characters / 请填写理由（1至500字）")
REGISTRY_STATUS = validate.OneOf(
    list(REGISTRY_STATUSES), error="Status is unverified, verified or rejected / 状态应为 "
    "unverified、verified 或 rejected")
SCREENING = validate.OneOf(list(SCREENING_RESULTS),
                           error="Result is clear, flagged or unknown / 结果应为 clear、flagged 或 unknown")
HOURS = validate.Range(min=0.1, max=999.9, error="Hours from 0.1 to 999.9 / 学时应在0.1至999.9之间")
HOURS_OR_ZERO = validate.Range(min=0, max=999.9, error="Hours from 0 to 999.9 / 学时应在0至999.9之间")


class PersonFields(Schema):
    """What every registration of a person names (elder, volunteer, operator)."""
    name = SingleLineText(required=True, validate=NAME)
    id_number = SingleLineText(required=True, validate=validate.Length(min=1, max=32))
    address = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=500))
    region_code = fields.Str(required=True, validate=REGION_CODE)


class Names(Schema):
    """A code's name in Chinese and English."""
    zh = fields.Str(required=True)
    en = fields.Str(required=True)


class ReasonText(Schema):
    """A reason with its words: ``{code, zh, en}``."""
    code = fields.Str(required=True)
    zh = fields.Str(required=True)
    en = fields.Str(required=True)


class ReviewFields(Schema):
    """How a reviewed record (hardship category, relative link) was submitted and decided."""
    evidence = fields.Str(required=True, allow_none=True)
    status = fields.Str(required=True, metadata={"description": "pending | verified | rejected"})
    submitted_by = fields.Str(required=True, allow_none=True)
    submitted_at = fields.Str(required=True, allow_none=True, metadata={"description": "ISO 8601"})
    verified_by = fields.Str(required=True, allow_none=True)
    verified_at = fields.Str(required=True, allow_none=True, metadata={"description": "ISO 8601"})
    reason = fields.Str(required=True, allow_none=True)
