"""Imports of the national volunteer system's files (全国志愿服务信息系统导出), run as jobs:
starting one, the job as it runs, the caller's jobs, and the refused rows."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank_common.schemas import PageQuery

__all__ = ["IMPORT_KINDS", "IMPORT_MAX_BYTES", "IMPORT_MEDIA_TYPES", "IMPORTERS", "ImportErrorPage",
           "ImportErrorRow", "ImportUploadQuery",
           "ImportErrorsQuery", "ImportJobList", "ImportJobOut", "StartImportSchema"]

IMPORT_KINDS = ("volunteer_registrations", "registry_status")
"""``volunteer_registrations``: the export of registered volunteers (志愿者编号, 姓名, 证件类型,
证件号码, 手机号码, 注册时间, 所属区划代码, 状态...); ``registry_status``: the verification
results (志愿者编号, 状态), as the ``import_registry`` command always took."""
IMPORT_MAX_BYTES = 20 * 1024 * 1024
IMPORTERS = ("station_operator", "province_admin", "city_admin", "county_admin",
             "township_admin")
"""Who may import: the staff who register volunteers (a municipal system registers through
its own RPCs)."""


class StartImportSchema(Schema):
    kind = fields.Str(required=True, validate=validate.OneOf(IMPORT_KINDS))
    file_name = fields.Str(required=True, validate=validate.Length(min=1, max=200))
    content = fields.Str(required=True, metadata={
        "description": f"the file's bytes, base64 (XLSX or CSV, at most {IMPORT_MAX_BYTES} "
                       "bytes)"})


class ImportErrorsQuery(PageQuery):
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=1000))


class MessageOut(Schema):
    code = fields.Str(required=True)
    zh = fields.Str(required=True)
    en = fields.Str(required=True)


class ImportJobOut(Schema):
    """An import job: where it is and what it did so far (counts of lines by outcome)."""
    id = fields.Str(required=True)
    kind = fields.Str(required=True, validate=validate.OneOf(IMPORT_KINDS))
    status = fields.Str(required=True, metadata={"description": "queued | running | done | failed"})
    percent = fields.Integer(required=True, allow_none=True, metadata={
        "description": "0–100; null until the rows are counted"})
    rows_done = fields.Integer(required=True)
    total_rows = fields.Integer(required=True, allow_none=True)
    created = fields.Integer(required=True)
    updated = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)
    refused = fields.Integer(required=True)
    created_at = fields.Str(required=True, metadata={"description": "ISO 8601"})
    finished_at = fields.Str(required=True, allow_none=True)
    file_name = fields.Str(required=True)
    error = fields.Nested(MessageOut, required=True, allow_none=True, metadata={
        "description": "why a failed job stopped (a bad file: not XLSX/CSV, unknown header, "
                       "too big, unknown encoding)"})


class ImportJobList(Schema):
    items = fields.List(fields.Nested(ImportJobOut), required=True)


class ImportErrorRow(Schema):
    line = fields.Integer(required=True, metadata={"description": "the line (row) in the file"})
    code = fields.Str(required=True)
    zh = fields.Str(required=True)
    en = fields.Str(required=True)


class ImportErrorPage(Schema):
    items = fields.List(fields.Nested(ImportErrorRow), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)


class ImportUploadQuery(Schema):
    """The query of ``POST /api/v1/people/imports`` (the file itself is the raw body)."""
    kind = fields.Str(required=True, validate=validate.OneOf(IMPORT_KINDS))
    filename = fields.Str(required=True, validate=validate.Length(min=1, max=200), metadata={
        "description": "the file's name as the person chose it (shown in the job list)"})


IMPORT_MEDIA_TYPES = ("text/csv", "application/vnd.ms-excel",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
"""What an upload may be labelled: CSV (``application/vnd.ms-excel`` is what browsers on
Windows call a .csv file) or XLSX; the job tells the two apart by the bytes."""
