"""The service catalogue: the categories as the submit form shows them, and their editing by
province admins, every edit kept."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank_common.schemas import AsciiPattern, SingleLineText

CATEGORY_CODE = AsciiPattern(r"^[a-z][a-z0-9_]{1,49}$",
                       error="lower-case letters, digits and _ (e.g. tai_chi) / 小写字母、数字和下划线")
# a name is shown on every screen and in every message: no control characters (line breaks,
# NUL, escapes) and no lone surrogates, and not blank
PRINTABLE_NAME = validate.Regexp(r"^(?=.*\S)[^\x00-\x1f\x7f-\x9f\ud800-\udfff]+$", error=(
    "不能为空白，不能含控制字符 / must not be blank or contain control characters"))
NAME_ZH = [validate.Length(1, 100), PRINTABLE_NAME]
NAME_EN = [validate.Length(1, 200), PRINTABLE_NAME]
QUALIFICATION = [validate.Length(1, 50), PRINTABLE_NAME]


class CategoryOut(Schema):
    code = fields.String(required=True)
    name_zh = fields.String(required=True)
    name_en = fields.String(required=True)
    professional = fields.Boolean(required=True)
    qualifications = fields.List(fields.String(), required=True)
    default_minutes = fields.Integer(required=True)
    group_allowed = fields.Boolean(required=True)


class CategoryAdminOut(CategoryOut):
    active = fields.Boolean(required=True)
    sort_order = fields.Integer(required=True)


class CategoryCreateSchema(Schema):
    code = fields.String(required=True, validate=CATEGORY_CODE)
    name_zh = SingleLineText(required=True, validate=NAME_ZH)
    name_en = SingleLineText(required=True, validate=NAME_EN)
    professional = fields.Boolean(load_default=False)
    qualifications = fields.List(fields.String(validate=QUALIFICATION),
                                 load_default=list, validate=validate.Length(max=20))
    default_minutes = fields.Integer(required=True, strict=True)
    group_allowed = fields.Boolean(load_default=False)
    sort_order = fields.Integer(load_default=None, allow_none=True, strict=True)


class CategoryUpdateSchema(Schema):
    """Only the fields given change; ``active: false`` withdraws a category from new demands
    (never deleted: demands refer to its code), ``active: true`` offers it again."""

    name_zh = fields.String(validate=NAME_ZH)
    name_en = fields.String(validate=NAME_EN)
    professional = fields.Boolean()
    qualifications = fields.List(fields.String(validate=QUALIFICATION),
                                 validate=validate.Length(max=20))
    default_minutes = fields.Integer(strict=True)
    group_allowed = fields.Boolean()
    active = fields.Boolean()
    sort_order = fields.Integer(strict=True)


class CatalogueQuery(Schema):
    include_inactive = fields.Boolean(load_default=False, metadata={
        "description": "province admins: also withdrawn categories"})


class NotOfferedOut(Schema):
    zh = fields.String(required=True)
    en = fields.String(required=True)
    codes = fields.List(fields.String(), required=True)


class CatalogueOut(Schema):
    categories = fields.List(fields.Nested(CategoryAdminOut), required=True)
    not_offered = fields.Nested(NotOfferedOut, required=True)


class CatalogueChangeOut(Schema):
    id = fields.String(required=True)
    code = fields.String(required=True)
    action = fields.String(required=True)
    before = fields.Dict(allow_none=True, required=True)
    after = fields.Dict(required=True)
    changed_by = fields.String(required=True)
    changed_at = fields.DateTime(format="iso", required=True)


class CatalogueHistoryQuery(Schema):
    code = fields.String(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class CatalogueHistoryOut(Schema):
    items = fields.List(fields.Nested(CatalogueChangeOut), required=True)
