"""Service-record certificates (服务记录证明): issue, download (PDF), public verification
(also the gateway's ``/api/v1/certificates`` bodies and answers)."""
from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from timebank_common.schemas import QUERY_DATES

NUMBER_EXAMPLE = "HB-1301-20261129-7K3QXM5"


class CertificatePeriodSchema(Schema):
    """The period to certify, both dates inclusive (China dates)."""

    period_from = fields.Date(required=True, data_key="from", validate=QUERY_DATES,
                              metadata={"example": "2026-01-01"})
    period_to = fields.Date(required=True, data_key="to", validate=QUERY_DATES,
                            metadata={"example": "2026-11-29"})

    @validates_schema
    def _period(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("period_from") and data.get("period_to") and (
                data["period_from"] > data["period_to"]):
            raise ValidationError("from must not be after to / 开始日期须不晚于结束日期", "to")


class IssueCertificateSchema(CertificatePeriodSchema):
    """``POST /api/v1/certificates``: whose service, and the period."""

    person_id = fields.String(required=True, validate=validate.Length(min=1, max=64))


class CertificateIssued(Schema):
    number = fields.String(metadata={"example": NUMBER_EXAMPLE}, required=True)
    person_id = fields.String(required=True)
    period_from = fields.String(required=True)
    period_to = fields.String(required=True)
    total_minutes = fields.Integer(required=True)
    total_display = fields.String(metadata={"example": "12小时30分 / 12 h 30 min"}, required=True)
    services = fields.Integer(metadata={"description": "number of service lines"}, required=True)
    issued_at = fields.String(required=True)
    download_path = fields.String(metadata={"example": f"/api/v1/certificates/{NUMBER_EXAMPLE}"}, required=True)
    verify_url = fields.String(required=True)


class CertificatePdfOut(Schema):
    number = fields.String(metadata={"example": NUMBER_EXAMPLE}, required=True)
    filename = fields.String(metadata={"example": f"{NUMBER_EXAMPLE}.pdf"}, required=True)
    pdf_base64 = fields.String(metadata={"description": "the PDF, rendered again from the "
                                                        "stored signed content"}, required=True)


class Message(Schema):
    zh = fields.String(required=True)
    en = fields.String(required=True)


class CertificateVerification(Schema):
    """Public: whether the certificate is genuine and unaltered, and what it certifies (the
    certified details only for a number the ledger knows; ``revoked_at`` once revoked)."""

    genuine = fields.Boolean(required=True)
    number = fields.String(metadata={"example": NUMBER_EXAMPLE}, required=True)
    reason = fields.String(allow_none=True, metadata={
        "description": "why not genuine: certificate_number_malformed, certificate_number_mistyped, "
                       "unknown_number, unknown_key, signature_mismatch, number_mismatch, "
                       "ledger_mismatch, revoked"}, required=True)
    message = fields.Nested(Message, required=True)
    volunteer_name = fields.String(metadata={"example": "王*明", "description": "masked"})
    period_from = fields.String()
    period_to = fields.String()
    total_minutes = fields.Integer()
    total_display = fields.String()
    services = fields.Integer()
    issued_on = fields.String()
    issued_at = fields.String()
    issuer_station = fields.String()
    issuer_organisation = fields.String()
    key_id = fields.String()
    revoked_at = fields.String()
