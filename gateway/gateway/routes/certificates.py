"""/api/v1/certificates: service-record certificates (服务记录证明, ledger).

Issuing and downloading need a login; verification is public, so that anyone holding
a printed certificate can scan its QR code and see whether it is genuine.
"""
import base64

from werkzeug.wrappers import Response

from ledger.contracts.certificates import (
    CertificateIssued,
    CertificateVerification,
    IssueCertificateSchema,
)

from ..routing import route


class CertificateRoutes:
    @route("POST", "/api/v1/certificates",
           summary="出具服务记录证明 Issue a service-record certificate (the volunteer, or an "
                   "operator/admin in scope)",
           tags=["ledger"], body=IssueCertificateSchema, response=CertificateIssued, status=201,
           idempotent=True)
    def issue_certificate(self, request, caller, body, idempotency_key):
        return self.ledger.issue_certificate(caller, body["person_id"],
                                             {"from": body["from"], "to": body["to"]},
                                             idempotency_key=idempotency_key)

    @route("GET", "/api/v1/certificates/<number>",
           summary="下载证明 PDF Download the certificate as PDF (the volunteer, or staff in scope)",
           tags=["ledger"], content_type="application/pdf")
    def certificate_pdf(self, request, caller, number):
        out = self.ledger.get_certificate_pdf(caller, number)
        return Response(base64.b64decode(out["pdf_base64"]), status=200,
                        mimetype="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{out["filename"]}"'})

    @route("GET", "/api/v1/certificates/<number>/verify",
           summary="核验证明真伪 Verify a certificate: genuine and unaltered? (public, no login)",
           tags=["ledger"], response=CertificateVerification, public=True)
    def verify_certificate(self, request, caller, number):
        return self.ledger.verify_certificate(number)
