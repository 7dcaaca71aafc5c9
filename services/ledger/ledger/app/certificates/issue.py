"""Issue a certificate: sign and store the content, tell the volunteer (``certificate_issued``).

The volunteer's masked data and the issuing station's name come from identity, the
categories' names from demand, all asked before the transaction opens. identity not
answering is 503 ``identity_unavailable`` (retry later): no certificate is signed with a
stand-in station name because identity was away for a moment (a station or region identity
refuses to name still prints the platform's name). demand not answering prints the codes.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import DomainError, RuleViolation, Unavailable

from ...adapters import certificates as repo
from ...adapters import invariant_metrics, service_lines
from ...adapters.certificate_keys import CertificateKeys
from ...adapters.demand import DemandClient
from ...adapters.identity import IdentityClient
from ...contracts.events import CERTIFICATE_ISSUED
from ...domain import access
from ...domain.certificates import (
    ISSUER_ORGANISATION,
    PLATFORM_STATION,
    ServiceLine,
    build_content,
    canonical_bytes,
    check_period,
    download_path,
    issuer_station,
    make_number,
    verify_url,
)

log = logging.getLogger(__name__)
NUMBER_ATTEMPTS = 5


def issue_certificate(db: UnitOfWorkFactory, caller: Caller, person_id: str,
                      period_from: dt.date, period_to: dt.date, *, identity: IdentityClient,
                      demand: DemandClient, keys: CertificateKeys, public_base_url: str,
                      today: dt.date, random_bits: Callable[[int], int] = secrets.randbits
                      ) -> dict:
    """Sign and store a certificate of the person's credited service over the period (both
    China dates included); ``today``: the issue date, China time."""
    person = identity.get_person(caller, person_id)  # its refusal (403/404) is authorization
    station = _issuer_station(identity, caller, person)
    names = demand.category_names()

    def named_lines(uow, person_id: str, period_from: dt.date, period_to: dt.date
                    ) -> list[ServiceLine]:
        return service_lines.service_lines(uow, person_id, period_from, period_to,
                                           category_names=names)

    with db() as uow:
        issued = sign_and_store(
            uow, caller, person, period_from, period_to, named_lines,
            keys=keys, issuer_station=station, today=today, public_base_url=public_base_url,
            random_bits=random_bits)
        uow.commit()
    return issued


def _issuer_station(identity: IdentityClient, caller: Caller, person: dict) -> str:
    """The operator's station when an operator issues; the volunteer's region otherwise."""
    try:
        if caller.carrier_id and caller.person_id != person["person_id"]:
            return identity.carrier_name(caller, caller.carrier_id)
        return issuer_station(identity.region_name(person["region_code"]))
    except Unavailable:
        raise
    except DomainError as exc:  # the certificate names the platform rather than fail
        log.warning("no station name for certificate: %s", exc.code)
        return PLATFORM_STATION


# (uow, person_id, period_from, period_to) -> the person's service lines in that period
ContentSource = Callable[..., list]


def sign_and_store(uow, caller: Caller, person: dict, period_from: dt.date,
                   period_to: dt.date, content_source: ContentSource, *,
                   keys: CertificateKeys, issuer_station: str, today: dt.date,
                   public_base_url: str, random_bits: Callable[[int], int] = secrets.randbits
                   ) -> dict:
    """Sign and store a certificate of ``person``'s service (identity's masked view)."""
    person_id = person["person_id"]
    access.authorize_certificate_issue(caller, person_id, person.get("region_code"))
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
        try:
            signature = keys.sign(canonical_bytes(data))
        except Exception:
            invariant_metrics.CERTIFICATE_SIGNING_FAILURES.inc()
            raise
        invariant_metrics.CERTIFICATES_SIGNED.inc()
        row = repo.insert_certificate(
            uow, number=number, person_id=person_id, region_code=content.region_code,
            content=data, signature=signature, key_id=keys.key_id, issued_by=caller.person_id)
        if row is not None:
            break
    else:  # pragma: no cover - 30 random bits per city and day
        raise RuntimeError("no free certificate number")
    uow.emit(CERTIFICATE_ISSUED, {
        "number": number, "person_id": person_id, "period_from": content.period_from,
        "period_to": content.period_to, "total_minutes": content.total_minutes,
        "issued_by": caller.person_id}, content.region_code)
    return {
        "number": number, "person_id": person_id, "period_from": content.period_from,
        "period_to": content.period_to, "total_minutes": content.total_minutes,
        "total_display": content.total_display, "services": len(content.lines),
        "issued_at": row["issued_at"].isoformat(), "download_path": download_path(number),
        "verify_url": verify_url(public_base_url, number),
    }
