"""The national volunteer system's export (全国志愿服务信息系统): the export kind's parameters
and columns, and the ``national_exports`` RPC that lists past exports."""
from __future__ import annotations

from marshmallow import Schema, fields

from timebank_common.caller import ADMIN_ROLES

from .series import REGION_CODE, RegionSpan

NATIONAL_RECORDS = "national_records"
"""The export kind (registered in the export jobs' registry)."""

NATIONAL_EXPORTERS = ADMIN_ROLES
"""Who exports service records for the national system: the admins of a region (the file
holds names and full ID numbers)."""

NEW, CORRECTION = "新增", "更正"
ROW_TYPES = (NEW, CORRECTION)
"""A row is new (never delivered) or a correction of a delivered one (its version changed
since: other minutes, voided — 0 hours —, or another field)."""

NATIONAL_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("row_type", "行类型", "Row type"),
    ("reference", "交付编号", "Delivery reference"),
    ("corrects", "更正的交付编号", "Corrects delivery"),
    ("corrects_export", "原导出批次", "Original export"),
    ("volunteer_number", "志愿者编号", "Volunteer number"),
    ("name", "姓名", "Name"),
    ("id_type", "证件类型", "ID type"),
    ("id_number", "证件号码", "ID number"),
    ("organisation", "服务组织/站点", "Service organisation or station"),
    ("project", "服务项目", "Project"),
    ("content", "服务内容", "Service content"),
    ("start", "开始时间", "Start time"),
    ("end", "结束时间", "End time"),
    ("hours", "服务时长(小时)", "Hours"),
    ("minutes", "服务时长(分钟)", "Minutes"),
    ("recorder", "记录人", "Recorder"),
    ("region_code", "服务地区代码", "Region code"),
)
"""The export's columns: (key, 中文, English), in the file's order (the mapping to our sources:
reporting's README, "National volunteer system export")."""


class NationalExportParams(RegionSpan):
    """A region (its prefix) and China days; ``full``: every credited record again, ignoring
    what earlier exports delivered."""

    full = fields.Boolean(load_default=False, metadata={
        "description": "ignore the memory of earlier exports (every credited record, as new)"})


class NationalExportsQuery(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE,
                                metadata={"description": "exports of this region and below"})


class NationalExportOut(Schema):
    id = fields.String(required=True, metadata={"description": "the export job's id"})
    region_code = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    full = fields.Boolean(required=True)
    created_at = fields.AwareDateTime(format="iso", required=True)
    rows = fields.Integer(required=True)
    corrections = fields.Integer(required=True, metadata={
        "description": "rows of type 更正 among them"})
    minutes = fields.Integer(required=True, metadata={
        "description": "credited minutes of its rows (a correction: the minutes after it)"})


class NationalExportsOut(Schema):
    items = fields.List(fields.Nested(NationalExportOut), required=True, metadata={
        "description": "newest first, at most 200"})


__all__ = ["CORRECTION", "NATIONAL_COLUMNS", "NATIONAL_EXPORTERS", "NATIONAL_RECORDS", "NEW",
           "ROW_TYPES", "NationalExportOut", "NationalExportParams", "NationalExportsOut",
           "NationalExportsQuery"]
