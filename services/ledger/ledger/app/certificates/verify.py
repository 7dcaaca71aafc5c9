"""Verify a certificate: is it genuine and unaltered? Anyone may ask; a refusal says why.

Checked in order: the number's shape and check symbol; that it was issued; the signature
over the stored content exactly as stored (any edit fails); that the content names this
number; that every credit it lists is still in the ledger with the same minutes;
revocation."""
from __future__ import annotations

from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput

from ...adapters import certificates as repo
from ...adapters import service_lines
from ...adapters.certificate_keys import CertificateKeys
from ...domain.certificates import (
    CertificateContent,
    canonical_bytes,
    mask_name,
    normalize_number,
)
from ...domain.display import minutes_display

NOT_GENUINE = {
    "certificate_number_malformed": ("这不是有效的证明编号", "This is not a certificate number"),
    "certificate_number_mistyped": ("证明编号校验位不符，请核对是否输错",
                                    "The check symbol does not match: the number was mistyped"),
    "unknown_number": ("未找到该编号的证明", "No certificate has this number"),
    "unknown_key": ("签名所用的密钥未知", "The certificate was signed with an unknown key"),
    "signature_mismatch": ("证明内容与签名不符，已被改动", "The content does not match its signature: it was altered"),
    "number_mismatch": ("证明内容与编号不符", "The content belongs to another number"),
    "ledger_mismatch": ("证明所列服务与账本记录不符", "The services listed do not match the ledger's records"),
    "revoked": ("该证明已被撤销", "This certificate has been revoked"),
}


def _refusal(number: str, reason: str) -> dict:
    zh, en = NOT_GENUINE[reason]
    return {"genuine": False, "number": number, "reason": reason, "message": {"zh": zh, "en": en}}


def verify_certificate(db: UnitOfWorkFactory, number_text: str, *, keys: CertificateKeys
                       ) -> dict:
    with db() as uow:
        return check(uow, number_text, keys=keys)


def check(uow, number_text: str, *, keys: CertificateKeys) -> dict:
    try:
        number = normalize_number(number_text)
    except BadInput as exc:
        return _refusal(str(number_text), exc.code)
    row = repo.get_certificate(uow, number)
    if row is None:
        return _refusal(number, "unknown_number")
    stored = row["content"]
    reason = keys.verify(canonical_bytes(stored), row["signature"], row["key_id"])
    if reason:
        return _refusal(number, reason)
    content = CertificateContent.from_dict(stored)
    if content.number != number or content.person_id != row["person_id"]:
        return _refusal(number, "number_mismatch")
    held = service_lines.credited_minutes(uow, content.person_id, list(content.transfer_ids))
    if any(held.get(line.transfer_id) != line.minutes for line in content.lines):
        return _refusal(number, "ledger_mismatch")
    shown = {
        "number": number, "volunteer_name": mask_name(content.volunteer_name),
        "period_from": content.period_from, "period_to": content.period_to,
        "total_minutes": content.total_minutes,
        "total_display": minutes_display(content.total_minutes),
        "services": len(content.lines), "issued_on": content.issued_on,
        "issued_at": row["issued_at"].isoformat(), "issuer_station": content.issuer_station,
        "issuer_organisation": content.issuer_organisation, "key_id": row["key_id"],
    }
    if row["revoked_at"] is not None:
        return {**_refusal(number, "revoked"), **shown,
                "revoked_at": row["revoked_at"].isoformat()}
    return {"genuine": True, "reason": None, "message": {
        "zh": "证明真实有效，内容未被改动", "en": "Genuine: the certificate is unaltered"}, **shown}
