"""Issue, fetch and verify service-record certificates (服务记录证明), in a unit of work.

Kept apart from the ledger's core: the service lines come from ``content_source``
(``certificate_source.service_lines`` over today's tables), the volunteer's data from
identity's masked view (fetched by the entrypoint), the signature from
``CertificateKeys``. The stored row holds the signed content itself, so verification
needs nothing but the row, the public key and the ledger's credits it names.
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from timebank_common.caller import Caller
from timebank_common.errors import BadInput, NotFound, RuleViolation

from . import certificate_repository as repo
from .certificate_pdf import render_certificate, verify_url
from .certificate_schemas import CertificateIssuedEvent
from .certificate_signing import CertificateKeys, fingerprint
from .domain import certificate_access as access
from .domain.certificates import (
    CertificateContent,
    ServiceLine,
    build_content,
    canonical_bytes,
    check_period,
    make_number,
    mask_name,
    normalize_number,
)
from .domain.display import minutes_display

# (uow, person_id, period_from, period_to) -> the person's service lines in that period
ContentSource = Callable[[object, str, dt.date, dt.date], list[ServiceLine]]
# (uow, person_id, transfer_ids) -> {transfer_id: minutes} as the ledger holds them now
CreditLookup = Callable[[object, str, list[str]], dict[str, int]]

ISSUER_ORGANISATION = "河北省时间银行 Hebei Time Bank"
NUMBER_ATTEMPTS = 5

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


def download_path(number: str) -> str:
    return f"/api/v1/certificates/{number}"


def issue_certificate(uow, caller: Caller, person: dict, period_from: dt.date,
                      period_to: dt.date, content_source: ContentSource, *,
                      keys: CertificateKeys, issuer_station: str, today: dt.date,
                      public_base_url: str, random_bits=secrets.randbits) -> dict:
    """Sign and store a certificate of ``person``'s service (identity's masked view)."""
    person_id = person["person_id"]
    access.authorize_issue(caller, person_id, person.get("region_code"))
    check_period(period_from, period_to, today)
    lines = content_source(uow, person_id, period_from, period_to)
    if not lines:
        raise RuleViolation("no_service_in_period", "该期间没有已入账的服务记录，无法出具证明",
                            "No credited service in this period: there is nothing to certify",
                            {"person_id": person_id, "from": period_from.isoformat(),
                             "to": period_to.isoformat()})
    for _ in range(NUMBER_ATTEMPTS):
        number = make_number(person["region_code"], today, random_bits(30))
        content = build_content(
            number=number, person=person, period_from=period_from, period_to=period_to,
            lines=lines, issuer_station=issuer_station,
            issuer_organisation=ISSUER_ORGANISATION, issued_on=today)
        data = content.to_dict()
        signature = keys.sign(canonical_bytes(data))
        row = repo.insert_certificate(
            uow, number=number, person_id=person_id, region_code=content.region_code,
            content=data, signature=signature, key_id=keys.key_id, issued_by=caller.person_id)
        if row is not None:
            break
    else:  # pragma: no cover - 30 random bits per city and day
        raise RuntimeError("no free certificate number")
    uow.emit("certificate_issued", CertificateIssuedEvent().dump({
        "number": number, "person_id": person_id, "period_from": content.period_from,
        "period_to": content.period_to, "total_minutes": content.total_minutes,
        "issued_by": caller.person_id}), content.region_code)
    return {
        "number": number, "person_id": person_id, "period_from": content.period_from,
        "period_to": content.period_to, "total_minutes": content.total_minutes,
        "total_display": content.total_display, "services": len(content.lines),
        "issued_at": row["issued_at"].isoformat(), "download_path": download_path(number),
        "verify_url": verify_url(public_base_url, number),
    }


def _stored(uow, number_text: str) -> dict:
    number = normalize_number(number_text)
    row = repo.get_certificate(uow, number)
    if row is None:
        raise NotFound("certificate_not_found", "未找到该编号的证明", "No certificate has this number",
                       {"number": number})
    return row


def certificate_pdf(uow, caller: Caller, number_text: str, *, public_base_url: str) -> dict:
    """``{number, filename, pdf}`` (bytes) for the volunteer or staff in scope."""
    row = _stored(uow, number_text)
    access.authorize_read(caller, row["person_id"], row["region_code"])
    content = CertificateContent.from_dict(row["content"])
    pdf = render_certificate(content, signature_fingerprint=fingerprint(row["signature"]),
                             key_id=row["key_id"], public_base_url=public_base_url)
    return {"number": row["number"], "filename": f"{row['number']}.pdf", "pdf": pdf}


def _refusal(number: str, reason: str) -> dict:
    zh, en = NOT_GENUINE[reason]
    return {"genuine": False, "number": number, "reason": reason, "message": {"zh": zh, "en": en}}


def verify_certificate(uow, number_text: str, *, keys: CertificateKeys,
                       credits: CreditLookup) -> dict:
    """Is this certificate genuine and unaltered? Anyone may ask; a refusal says why.

    The signature is checked over the stored content exactly as stored (any edit fails),
    the content must name this number, and the credits it lists must still be in the
    ledger with the same minutes.
    """
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
    held = credits(uow, content.person_id, list(content.transfer_ids))
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
