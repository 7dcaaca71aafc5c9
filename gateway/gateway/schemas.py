"""HTTP-only schemas (auth, paging, errors). Domain bodies use the owning
service's own schemas, imported in ``api.py``, so the gateway and the service
validate with the same definition and the OpenAPI document shows it."""
from marshmallow import Schema, fields, validate

from timebank_common.schemas import PageQuery


class InboxQuery(PageQuery):
    unread_only = fields.Bool(load_default=False)


class CallTaskListQuery(PageQuery):
    status = fields.Str(load_default="open", validate=validate.OneOf(["open", "done"]))


class PreferencesQuery(Schema):
    person_id = fields.Str(load_default=None,
                           metadata={"description": "an elder's id (staff only); "
                                                    "default: the caller"})


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
