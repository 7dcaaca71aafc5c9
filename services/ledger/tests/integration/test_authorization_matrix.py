"""The authorization matrix of the ledger: every RPC that acts for a caller × every role of
DESIGN.md §4 × a target inside the caller's scope, in another city, and an id nobody has —
allowed, or the exact refusal. For staff, an id outside the scope answers exactly as an id
nobody has (404 with the same code); a person's own account is theirs alone.

Callers are built the way the gateway passes them. Targets:

- ``in_scope``: a volunteer of 育才社区 (130102001001), inside every staff caller's scope, with
  earned hours and a certificate; for the region RPCs, 长安区 / 石家庄;
- ``other_city``: a volunteer of 唐山市路南区 (130202001001), likewise; 唐山 for region RPCs;
- ``missing``: a person id (or certificate number) nobody has;
- ``self``: the person roles acting on their own account.

The service runs in process (``worker_factory``) on a rolled-back unit of work, identity is
the shared ``IdentityFake``. ``test_every_caller_taking_rpc_is_in_the_matrix`` fails when an
RPC taking a caller is added without its row here.
"""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from nameko.testing.services import worker_factory
from timebank_testing.authorization import ROLE_REQUIRED, caller_taking_rpcs

from ledger.adapters.certificate_keys import CertificateSetup, keys_from_config
from ledger.domain.certificates import make_number
from ledger.service import LedgerService
from timebank_common.clock import china_date
from timebank_common.db import make_event
from timebank_common.errors import DomainError, Forbidden, NotFound, RuleViolation

IN_SCOPE, OTHER_CITY = "130102001001", "130202001001"
SCOPES = {
    "province_admin": "130000000000",
    "city_admin": "130100000000",
    "county_admin": "130102000000",
    "township_admin": "130102001000",
    "station_operator": "130102001000",
    "auditor": "130000000000",
    "volunteer": None,
    "elder": None,
    "relative": None,
    "api_client": "130100000000",
}
ROLES = tuple(SCOPES)
PERSON_ROLES = ("volunteer", "elder", "relative")
STAFF = ("province_admin", "city_admin", "county_admin", "township_admin", "station_operator",
         "auditor")
PROVINCE_WIDE = ("province_admin", "auditor")
OK = "ok"
NOT_YOURS = (Forbidden, "not_your_account")
ROLE = ROLE_REQUIRED
OUT = (Forbidden, "out_of_scope")
NO_PERSON = (NotFound, "person_not_found")
NO_CERTIFICATE = (NotFound, "certificate_not_found")


@pytest.fixture
def world(ledger_db, clock, identity, certificate_keys):
    service = worker_factory(
        LedgerService, db=ledger_db, clock=clock, identity=identity,
        certificate_setup=CertificateSetup(keys_from_config(certificate_keys),
                                           "http://127.0.0.1:8000"),
        config={"CHECK_CONTRACTS": True})
    targets = {}
    for name, region in (("in_scope", IN_SCOPE), ("other_city", OTHER_CITY)):
        person = identity.add_volunteer(f"v-{uuid.uuid4().hex[:10]}", region_code=region)
        service.on_service_recorded([make_event("service_recorded", {
            "record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
            "volunteer_id": person, "volunteer_region_code": region, "elder_id": None,
            "minutes": 120, "category": "daily_care", "funding_source": "issuance",
            "recorded_at": clock.now().isoformat()}, region)])
        today = china_date(clock.now()).isoformat()
        number = service.issue_certificate(me(person), person,
                                           {"from": today, "to": today})["number"]
        targets[name] = {"person": person, "number": number}
    nobody = f"nobody-{uuid.uuid4().hex[:8]}"
    identity.unknown(nobody)
    targets["missing"] = {"person": nobody,
                          "number": make_number(IN_SCOPE, china_date(clock.now()), 7)}
    return service, targets


def me(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


def caller_for(role, targets, target):
    if target == "self":
        return {"person_id": targets["in_scope"]["person"], "roles": [role], "scope": None}
    person = None if role == "api_client" else f"{role}-caller"
    return {"person_id": person, "roles": [role], "scope": SCOPES[role],
            "carrier_id": "c-1" if role == "station_operator" else None,
            "client_id": "client-1" if role == "api_client" else None}


def outcome(call):
    try:
        call()
    except RuleViolation as exc:
        if exc.code == "nothing_to_allocate":  # authorised; the pool was empty
            return OK
        return (RuleViolation, exc.code)
    except DomainError as exc:
        return (type(exc), exc.code)
    return OK


def person_read(role, target, missing=NO_PERSON):
    """balance, statement, volunteer_summary (and the certificate, with its own 404)."""
    if target == "self":
        return OK
    if role not in STAFF:
        return NOT_YOURS
    if target == "missing":
        return missing
    if target == "other_city" and role not in PROVINCE_WIDE:
        return missing
    return OK


def certificate_read(role, target):
    if target == "missing":
        return NO_CERTIFICATE  # looked up before anything else
    return person_read(role, target, NO_CERTIFICATE)


def certificate_issue(role, target):
    if target == "self":
        return OK
    if target == "missing":
        return NO_PERSON  # identity does not know the id
    if role not in ("station_operator", "province_admin", "city_admin", "county_admin",
                    "township_admin"):
        return ROLE
    if target == "other_city" and role != "province_admin":
        return NO_PERSON
    return OK


def region_rpc(allowed):
    def expect(role, target):
        if role not in allowed:
            return ROLE
        if target == "other_city" and SCOPES[role] != "130000000000":
            return OUT
        return OK
    return expect


def give_expect(role, target):
    return OK if target == "self" else NOT_YOURS


def interchange_expect(role, target):
    return OK if role in ("province_admin", "city_admin", "auditor") else ROLE


REGIONS = {"in_scope": {"stats": "130102001000", "policy": "130102000000", "pool": "130100000000"},
           "other_city": {"stats": "130200000000", "policy": "130200000000",
                          "pool": "130200000000"}}

MATRIX = {
    "balance": (person_read, lambda s, c, t, x: s.balance(c, t["person"])),
    "statement": (person_read, lambda s, c, t, x: s.statement(c, t["person"], {})),
    "volunteer_summary": (person_read, lambda s, c, t, x: s.volunteer_summary(c, t["person"])),
    "get_certificate_pdf": (certificate_read,
                            lambda s, c, t, x: s.get_certificate_pdf(c, t["number"])),
    "issue_certificate": (certificate_issue, lambda s, c, t, x: s.issue_certificate(
        c, t["person"], {"from": x["today"], "to": x["today"]})),
    "give": (give_expect, lambda s, c, t, x: s.give(
        c, {"kind": "donation", "minutes": 15, "from_person_id": t["person"]},
        uuid.uuid4().hex)),
    "ledger_stats": (region_rpc(("province_admin", "city_admin", "county_admin",
                                 "township_admin", "auditor", "api_client")),
                     lambda s, c, t, x: s.ledger_stats(c, x["regions"]["stats"])),
    "add_policy": (region_rpc(("province_admin", "city_admin", "county_admin")),
                   lambda s, c, t, x: s.add_policy(c, {
                       "region_code": x["regions"]["policy"], "reason": "matrix",
                       "effective_from": x["tomorrow"], "values": {"yearly_cap_minutes": 9000}})),
    "allocate_pool": (region_rpc(("province_admin", "city_admin")),
                      lambda s, c, t, x: s.allocate_pool(c, {
                          "region_code": x["regions"]["pool"], "minutes_each": 60,
                          "allocation_id": uuid.uuid4().hex})),
    "interchange_report": (interchange_expect,
                           lambda s, c, t, x: s.interchange_report(c, {})),
}
PERSON_TARGET_RPCS = ("balance", "statement", "volunteer_summary", "get_certificate_pdf",
                      "issue_certificate", "give")
CELLS = [(rpc, role, target) for rpc in MATRIX for role in ROLES
         for target in ("in_scope", "other_city", "missing", "self")
         if (target != "self" or (role in PERSON_ROLES and rpc in PERSON_TARGET_RPCS))
         and (target != "missing" or rpc in PERSON_TARGET_RPCS)]


def test_every_caller_taking_rpc_is_in_the_matrix():
    assert caller_taking_rpcs(LedgerService) == set(MATRIX)


@pytest.mark.parametrize("rpc, role, target", CELLS)
def test_authorization(world, clock, rpc, role, target):
    service, targets = world
    expect, call = MATRIX[rpc]
    today = china_date(clock.now())
    extra = {"today": today.isoformat(), "tomorrow": (today + dt.timedelta(days=1)).isoformat(),
             "regions": REGIONS.get(target, REGIONS["in_scope"])}
    chosen = targets["in_scope" if target == "self" else target]
    assert outcome(lambda: call(service, caller_for(role, targets, target), chosen, extra)) \
        == expect(role, target)
