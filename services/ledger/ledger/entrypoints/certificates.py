"""Service-record certificates: ``issue_certificate(caller, person_id, {from, to})``,
``get_certificate_pdf(caller, number)``, ``verify_certificate(number)`` (public: no caller).

The volunteer's masked data and the issuing station's name come from identity, each asked
within ``IDENTITY_RPC_TIMEOUT_SECONDS`` (default 5): when identity does not answer, the
request is refused with 503 ``identity_unavailable`` (retry later) rather than hanging, and
never issued with a stand-in station name.
"""
from __future__ import annotations

import base64

from timebank_common.clock import china_date
from timebank_common.schemas import load
from timebank_common.service import rpc

from ..adapters.demand import DemandClient
from ..adapters.identity import IdentityClient
from ..app.certificates import issue, read, verify
from ..contracts.certificates import (
    CertificateIssued,
    CertificatePdfOut,
    CertificatePeriodSchema,
    CertificateVerification,
)


class CertificateEntrypoints:
    @rpc(args={"period": CertificatePeriodSchema}, returns=CertificateIssued, idempotent=True)
    def issue_certificate(self, caller, person_id, period=None):
        """Sign and store a certificate of the person's credited service in the period: the
        volunteer themself, or station operators and admins whose scope covers them."""
        if period is None:  # not sent: refused as an empty period
            period = load(CertificatePeriodSchema(), None)
        setup = self.certificate_setup
        now = self.clock.now()
        return issue.issue_certificate(
            self.db, caller, str(person_id), period["period_from"], period["period_to"],
            identity=IdentityClient(self.config, self.identity),
            demand=DemandClient(self.config, self.demand), keys=setup.keys,
            public_base_url=setup.public_base_url, today=china_date(now))

    @rpc(returns=CertificatePdfOut)
    def get_certificate_pdf(self, caller, number):
        """The PDF, rendered again from the stored signed content: the volunteer, or staff
        (auditors too) whose scope covers them."""
        out = read.certificate_pdf(self.db, caller, number,
                                   public_base_url=self.certificate_setup.public_base_url)
        return {"number": out["number"], "filename": out["filename"],
                "pdf_base64": base64.b64encode(out["pdf"]).decode("ascii")}

    @rpc(returns=CertificateVerification)
    def verify_certificate(self, number):
        """Whether the certificate is genuine and unaltered, and what it certifies (anyone)."""
        return verify.verify_certificate(self.db, number, keys=self.certificate_setup.keys)
