"""Download a certificate: the PDF rendered again from the stored signed content (the PDF is
not stored), for the volunteer or staff in scope (auditors too)."""
from __future__ import annotations

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory

from ...adapters import certificates as repo
from ...adapters.certificate_keys import fingerprint
from ...adapters.certificate_pdf import render_certificate
from ...domain import access
from ...domain.certificates import CertificateContent, normalize_number


def stored_certificate(uow, number_text: str) -> dict:
    number = normalize_number(number_text)
    row = repo.get_certificate(uow, number)
    if row is None:
        raise access.certificate_not_found(number)
    return row


def certificate_pdf(db: UnitOfWorkFactory, caller: Caller, number_text: str, *,
                    public_base_url: str) -> dict:
    """``{number, filename, pdf}`` (bytes)."""
    with db() as uow:
        row = stored_certificate(uow, number_text)
        access.authorize_certificate_read(caller, row["person_id"], row["region_code"],
                                          row["number"])
        content = CertificateContent.from_dict(row["content"])
        pdf = render_certificate(content, signature_fingerprint=fingerprint(row["signature"]),
                                 key_id=row["key_id"], public_base_url=public_base_url)
    return {"number": row["number"], "filename": f"{row['number']}.pdf", "pdf": pdf}
