"""The service catalogue: the categories as the submit form shows them, and their editing by
province admins, every edit kept."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank_common.schemas import AsciiPattern, SingleLineText

CATEGORY_CODE = AsciiPattern(r"^[a-z][a-z0-9_]{1,49}$",
                       error="lower-case letters, digits and _ (e.g. tai_chi) / 小写字母、数字和下划线")


class CategoryOut(Schema):
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    professional = fields.Boolean()
    qualifications = fields.List(fields.String())
    default_minutes = fields.Integer()
    group_allowed = fields.Boolean()


class CategoryAdminOut(CategoryOut):
    active = fields.Boolean()
    sort_order = fields.Integer()


class CategoryCreateSchema(Schema):
    code = fields.String(required=True, validate=CATEGORY_CODE)
    name_zh = SingleLineText(required=True, validate=validate.Length(1, 100))
    name_en = SingleLineText(required=True, validate=validate.Length(1, 200))
    professional = fields.Boolean(load_default=False)
    qualifications = fields.List(fields.String(validate=validate.Length(1, 50)),
                                 load_default=list, validate=validate.Length(max=20))
    default_minutes = fields.Integer(required=True, strict=True)
    group_allowed = fields.Boolean(load_default=False)
    sort_order = fields.Integer(load_default=None, allow_none=True, strict=True)


class CategoryUpdateSchema(Schema):
    """Only the fields given change; ``active: false`` withdraws a category from new demands
    (never deleted: demands refer to its code), ``active: true`` offers it again."""

    name_zh = fields.String(validate=validate.Length(1, 100))
    name_en = fields.String(validate=validate.Length(1, 200))
    professional = fields.Boolean()
    qualifications = fields.List(fields.String(validate=validate.Length(1, 50)),
                                 validate=validate.Length(max=20))
    default_minutes = fields.Integer(strict=True)
    group_allowed = fields.Boolean()
    active = fields.Boolean()
    sort_order = fields.Integer(strict=True)


class CatalogueQuery(Schema):
    include_inactive = fields.Boolean(load_default=False, metadata={
        "description": "province admins: also withdrawn categories"})


class NotOfferedOut(Schema):
    zh = fields.String()
    en = fields.String()
    codes = fields.List(fields.String())


class CatalogueOut(Schema):
    categories = fields.List(fields.Nested(CategoryAdminOut))
    not_offered = fields.Nested(NotOfferedOut)


class CatalogueChangeOut(Schema):
    id = fields.String()
    code = fields.String()
    action = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict()
    changed_by = fields.String()
    changed_at = fields.DateTime(format="iso")


class CatalogueHistoryQuery(Schema):
    code = fields.String(load_default=None, allow_none=True)
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 500))


class CatalogueHistoryOut(Schema):
    items = fields.List(fields.Nested(CatalogueChangeOut))
