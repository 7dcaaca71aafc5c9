"""Exports (issue 16 item 3): a supervisor asks for a table as XLSX or CSV; it runs as a
background job (``export_jobs``) with progress, and its file is downloaded in chunks once done.
The kinds of table are registered in reporting (``reporting.app.export_tables``); each kind
loads its own ``params`` (the region in them is checked against the caller's scope)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank_common.schemas import AsciiPattern

FORMATS = ("xlsx", "csv")
"""XLSX (Excel) or CSV in UTF-8 with a byte-order mark (so Excel reads the Chinese)."""
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
EXPORT_STATUSES = ("queued", "running", "done", "failed")
CHUNK_BYTES = 1024 * 1024
"""What one ``export_file_chunk`` answers at most (the gateway streams chunk after chunk)."""

KIND = AsciiPattern(r"^[a-z][a-z0-9_]{0,39}$", error="an export kind / 导出类型")


class ExportRequest(Schema):
    """``kind``: a registered table (``series``, ``breakdown``, ``service_records``, ...);
    ``params``: what that kind asks (its own schema; usually a ``region_code`` and a span)."""

    kind = fields.String(required=True, validate=KIND, metadata={"example": "service_records"})
    format = fields.String(load_default="xlsx", validate=validate.OneOf(FORMATS))
    params = fields.Dict(keys=fields.String(), load_default=dict,
                         metadata={"example": {"region_code": "130102000000",
                                               "from": "2026-11-01", "to": "2026-11-30"}})


class ExportError(Schema):
    code = fields.String(required=True)
    zh = fields.String(required=True)
    en = fields.String(required=True)


class ExportJobOut(Schema):
    """An export job: ``percent`` 0–100 (null while the total is unknown), ``rows`` written
    so far of ``total_rows``; ``file_name`` (Chinese) and ``size_bytes`` once done; ``error``
    once failed."""

    id = fields.String(required=True)
    kind = fields.String(required=True)
    format = fields.String(required=True, validate=validate.OneOf(FORMATS))
    status = fields.String(required=True, validate=validate.OneOf(EXPORT_STATUSES))
    percent = fields.Integer(required=True, allow_none=True)
    rows = fields.Integer(required=True)
    total_rows = fields.Integer(required=True, allow_none=True)
    params = fields.Dict(required=True)
    created_at = fields.AwareDateTime(format="iso", required=True)
    started_at = fields.AwareDateTime(format="iso", required=True, allow_none=True)
    finished_at = fields.AwareDateTime(format="iso", required=True, allow_none=True)
    expires_at = fields.AwareDateTime(format="iso", required=True, allow_none=True)
    file_name = fields.String(required=True, allow_none=True)
    size_bytes = fields.Integer(required=True, allow_none=True)
    error = fields.Nested(ExportError, required=True, allow_none=True)


class ExportJobList(Schema):
    items = fields.List(fields.Nested(ExportJobOut), required=True)


class ExportChunkOut(Schema):
    """``data``: base64 of the file's bytes from ``offset`` (at most ``CHUNK_BYTES``);
    ``next_offset`` the offset to ask next; ``eof`` true at the last chunk."""

    data = fields.String(required=True)
    offset = fields.Integer(required=True)
    next_offset = fields.Integer(required=True)
    size_bytes = fields.Integer(required=True)
    eof = fields.Boolean(required=True)
    file_name = fields.String(required=True)
    media_type = fields.String(required=True)
