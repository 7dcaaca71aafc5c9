"""The certificate RPCs, mixed into ``LedgerService``: the one seam to the ledger.

``issue_certificate(caller, person_id, {from, to})``, ``get_certificate_pdf(caller, number)``,
``verify_certificate(number)`` (public: no caller). The volunteer's masked data and the
issuing station's name come from identity, before the unit of work opens, each asked through
the service's ``_ask_identity`` (``timebank_common.remote``: within
``IDENTITY_RPC_TIMEOUT_SECONDS``, default 5): when identity does not answer, the request is
refused with 503 ``identity_unavailable`` (retry later) rather than hanging, and never
issued with a stand-in station name.
"""
from __future__ import annotations

import base64
import datetime as dt
import logging

from nameko.rpc import RpcProxy

from timebank_common.caller import Caller
from timebank_common.errors import DomainError, Unavailable
from timebank_common.remote import answer_within
from timebank_common.schemas import load
from timebank_common.service import rpc

from . import certificate_source, certificates
from .certificate_schemas import CertificatePeriodSchema
from .certificate_signing import CertificateSigner
from .domain.certificates import CHINA

log = logging.getLogger(__name__)

PLATFORM_STATION = "时间银行 Time Bank"


def today_in_china() -> dt.date:
    return dt.datetime.now(CHINA).date()


CATALOG_TIMEOUT_SECONDS = 3  # demand away (or its queue unattended): print the codes
DEMAND_UNAVAILABLE = Unavailable("demand_unavailable", "需求服务暂时无响应",
                                 "The demand service did not answer")


class CertificateEntrypoints:
    """Mixed into ``LedgerService``: uses its ``db`` and ``_ask_identity``."""

    identity = RpcProxy("identity")
    demand = RpcProxy("demand")
    certificate_setup = CertificateSigner()

    def _category_names(self):
        """Category code -> (name_zh, name_en) from demand's catalogue; the code itself for
        both when demand does not answer (the certificate is issued all the same)."""
        try:
            catalogue = answer_within(CATALOG_TIMEOUT_SECONDS, self.demand.catalog,
                                      unavailable=DEMAND_UNAVAILABLE)
            names = {c["code"]: (c["name_zh"], c["name_en"]) for c in catalogue}
        except Exception as exc:  # noqa: BLE001 — a missing name must not stop a certificate
            log.warning("no category names for certificate: %r", exc)
            names = {}
        return lambda code: names.get(code, certificate_source.code_as_name(code))

    def _issuer_station(self, caller: Caller, person: dict) -> str:
        """The operator's station when an operator issues; the volunteer's region otherwise.
        Identity not answering is 503 (``Unavailable`` passes): a signed certificate is not
        issued with a stand-in name because identity was away for a moment."""
        try:
            if caller.carrier_id and caller.person_id != person["person_id"]:
                return self._ask_identity("get_carrier", caller.to_dict(),
                                          caller.carrier_id)["name"]
            region = self._ask_identity("get_region", person["region_code"])
            return f"{region['name']}时间银行 · {PLATFORM_STATION}"
        except Unavailable:
            raise
        except DomainError as exc:  # the certificate names the platform rather than fail
            log.warning("no station name for certificate: %s", exc.code)
            return PLATFORM_STATION

    @rpc
    def issue_certificate(self, caller, person_id, period=None):
        caller = Caller.from_dict(caller)
        period = load(CertificatePeriodSchema(), period)
        # identity's masked view; its refusal (403/404) is the authorization
        person = self._ask_identity("get_person", caller.to_dict(), str(person_id))
        station = self._issuer_station(caller, person)
        names = self._category_names()
        setup = self.certificate_setup
        with self.db() as uow:
            issued = certificates.issue_certificate(
                uow, caller, person, period["period_from"], period["period_to"],
                lambda *args: certificate_source.service_lines(*args, category_names=names),
                keys=setup.keys, issuer_station=station,
                today=today_in_china(), public_base_url=setup.public_base_url)
            uow.commit()
        return issued

    @rpc
    def get_certificate_pdf(self, caller, number):
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            out = certificates.certificate_pdf(
                uow, caller, number, public_base_url=self.certificate_setup.public_base_url)
        return {"number": out["number"], "filename": out["filename"],
                "pdf_base64": base64.b64encode(out["pdf"]).decode("ascii")}

    @rpc
    def verify_certificate(self, number):
        with self.db() as uow:
            return certificates.verify_certificate(
                uow, number, keys=self.certificate_setup.keys,
                credits=certificate_source.credited_minutes)
