"""The monthly reports (月度报告): a signed A4 PDF per region and month, in Chinese — the
inputs and answers of ``generate_monthly_report``, ``monthly_report``,
``monthly_report_pdf`` and the public ``verify_monthly_report``."""
from __future__ import annotations

from marshmallow import Schema, fields

from timebank_common.schemas import AsciiPattern

from .series import REGION_CODE

MONTH = AsciiPattern(r"^20[0-9]{2}-(0[1-9]|1[0-2])$",
                     error="YYYY-MM from 2000-01 to 2099-12 / 月份格式应为 YYYY-MM（2000-01 至 "
                           "2099-12）")
"""A month of the days reporting answers for (``series.FIRST_DAY`` to ``LAST_DAY``)."""


class MonthlyReportRequest(Schema):
    """A region in the caller's scope and a complete month (China time)."""

    region_code = fields.String(required=True, validate=REGION_CODE,
                                metadata={"example": "130100000000"})
    month = fields.String(required=True, validate=MONTH, metadata={"example": "2026-11"})


class MonthlyReportQuery(MonthlyReportRequest):
    """Which report: a region in the caller's scope and a month."""


class MonthlyReportOut(Schema):
    number = fields.String(required=True, metadata={"example": "YB-1301-202611-7K3QXM5"})
    region_code = fields.String(required=True)
    region_name = fields.String(required=True, allow_none=True)
    month = fields.String(required=True, metadata={"example": "2026-11"})
    sha256 = fields.String(required=True, metadata={"description": "SHA-256 of the PDF"})
    key_id = fields.String(required=True)
    signature_fingerprint = fields.String(required=True)
    generated_at = fields.AwareDateTime(format="iso", required=True)
    as_of = fields.AwareDateTime(format="iso", required=True, allow_none=True, metadata={
        "description": "occurred_at of the newest event the figures include"})
    pdf_path = fields.String(required=True)
    verify_url = fields.String(required=True)


class MonthlyReportPdf(Schema):
    filename = fields.String(required=True)
    pdf_base64 = fields.String(required=True)


class MonthlyReportVerification(Schema):
    """Public: whether a number is a genuine report's, and what it covers."""

    number = fields.String(required=True)
    genuine = fields.Boolean(required=True)
    reason = fields.String(allow_none=True, metadata={
        "description": "why not: not_found, unknown_key, signature_mismatch, pdf_altered"})
    region_code = fields.String()
    region_name = fields.String(allow_none=True)
    month = fields.String()
    sha256 = fields.String(metadata={"description": "SHA-256 of the genuine PDF"})
    key_id = fields.String()
    signature_fingerprint = fields.String()
    generated_at = fields.AwareDateTime(format="iso")
    as_of = fields.AwareDateTime(format="iso", allow_none=True)
