"""Certificates end to end in a real ledger container: credit hours, issue, download, verify,
then tamper with the stored row and see verification refuse it.

identity is a stand-in service on the same RabbitMQ (its masked person view, a region and
a carrier name): the ledger only needs those three answers from it.
"""
import base64
import datetime as dt
import io
import uuid
from functools import partial

import pytest
from nameko.rpc import rpc
from pypdf import PdfReader
from sqlalchemy import create_engine, text

from ledger.certificate_service import today_in_china
from ledger.domain.certificates import make_number
from ledger.service import LedgerService
from timebank_common.db import make_event
from timebank_common.errors import BadInput, DomainError, Forbidden, NotFound, RuleViolation
from timebank_common.testing import wait_for as shared_wait_for

pytestmark = pytest.mark.integration

COMMUNITY = "130102001001"  # 建北街道某社区, 长安区, 石家庄
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000",
            "carrier_id": "carrier-7"}
AUDITOR = {"person_id": "aud-1", "roles": ["auditor"], "scope": "130100000000"}
FAR_OPERATOR = {"person_id": "op-9", "roles": ["station_operator"], "scope": "130203001000",
                "carrier_id": "carrier-9"}
wait_for = partial(shared_wait_for, timeout=20.0)


class FakeIdentity:
    name = "identity"

    @rpc(expected_exceptions=DomainError)
    def get_person(self, caller, person_id):
        if person_id.startswith("nobody"):
            raise NotFound("person_not_found", "未找到此人", "No such person", {})
        return {"person_id": person_id, "name": "王小明", "sex": "M", "birth_date": "1960-05-01",
                "age": 66, "region_code": COMMUNITY, "phone_masked": "138****0005",
                "id_number_masked": "130102********1234", "profiles": ["volunteer"]}

    @rpc(expected_exceptions=DomainError)
    def get_region(self, code):
        return {"code": code, "name": "建北社区", "level": "community"}

    @rpc(expected_exceptions=DomainError)
    def get_carrier(self, caller, carrier_id):
        return {"carrier_id": carrier_id, "name": "建北街道时间银行服务站"}


def person(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


@pytest.fixture(scope="module")
def running(service_config, start_module_service):
    start_module_service(FakeIdentity, service_config(None))
    # the same delivery limit as test_integration.py: the event queue outlives the module,
    # and RabbitMQ refuses to declare it again with other arguments
    start_module_service(LedgerService, service_config(
        "ledger", EVENT_DELIVERY_LIMIT=2, PUBLIC_BASE_URL="https://timebank.example.cn"))


@pytest.fixture
def ledger(running, rpc):
    with rpc("ledger") as proxy:
        yield proxy


@pytest.fixture
def db(database_url):
    engine = create_engine(database_url("ledger"))
    yield engine
    engine.dispose()


def credit(event_bus, ledger, volunteer, *minutes):
    for amount in minutes:
        payload = {"record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
                   "volunteer_id": volunteer, "volunteer_region_code": COMMUNITY,
                   "minutes": amount, "category": "emotional_comfort",
                   "funding_source": "issuance", "carrier_id": "carrier-7"}
        event_bus.publish("demand", make_event("service_recorded", payload, COMMUNITY))
    total = sum(minutes)
    wait_for(lambda: ledger.balance(person(volunteer), volunteer)["earned_minutes"] == total)


def this_year():
    today = today_in_china()
    return {"from": f"{today.year}-01-01", "to": today.isoformat()}


def pdf_text(pdf_base64):
    reader = PdfReader(io.BytesIO(base64.b64decode(pdf_base64)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_volunteer_gets_a_certificate_anyone_can_verify(ledger, event_bus):
    volunteer = f"vol-{uuid.uuid4().hex[:8]}"
    credit(event_bus, ledger, volunteer, 90, 60)

    issued = ledger.issue_certificate(person(volunteer), volunteer, this_year())
    number = issued["number"]
    assert number.startswith(f"HB-1301-{today_in_china():%Y%m%d}-")
    assert issued["total_minutes"] == 150 and issued["services"] == 2
    assert issued["total_display"] == "2小时30分 / 2 h 30 min"
    assert issued["download_path"] == f"/api/v1/certificates/{number}"
    assert issued["verify_url"] == f"https://timebank.example.cn/api/v1/certificates/{number}/verify"

    check = ledger.verify_certificate(number)
    assert check["genuine"] is True and check["reason"] is None, check
    assert check["volunteer_name"] == "王*明"  # the public sees a masked name
    assert (check["total_minutes"], check["period_to"]) == (150, this_year()["to"])
    assert check["issuer_station"] == "建北社区时间银行 · 时间银行 Time Bank"
    assert ledger.verify_certificate(number.lower())["genuine"] is True  # as typed

    out = ledger.get_certificate_pdf(person(volunteer), number)
    assert out["filename"] == f"{number}.pdf"
    text = pdf_text(out["pdf_base64"])
    for expected in ("服务记录证明", "王小明", "130102********1234", "2小时30分", "emotional_comfort",
                     number):
        assert expected in text


def test_an_altered_certificate_is_not_genuine(ledger, event_bus, db):
    volunteer = f"vol-{uuid.uuid4().hex[:8]}"
    credit(event_bus, ledger, volunteer, 45)
    number = ledger.issue_certificate(person(volunteer), volunteer, this_year())["number"]
    assert ledger.verify_certificate(number)["genuine"] is True

    with db.begin() as c:  # someone edits the stored certificate: 45 minutes become 600
        c.execute(text("UPDATE certificates SET content = jsonb_set(content, '{lines,0,minutes}', "
                       "'600') WHERE number = :n"), {"n": number})
    check = ledger.verify_certificate(number)
    assert check["genuine"] is False and check["reason"] == "signature_mismatch"
    assert check["message"]["zh"] and check["message"]["en"]
    assert "total_minutes" not in check  # altered content is not shown as if it were true


def test_forged_or_mistyped_numbers_are_not_genuine(ledger):
    forged = make_number(COMMUNITY, today_in_china(), 4242)  # well-formed, never issued
    assert ledger.verify_certificate(forged) == {
        "genuine": False, "number": forged, "reason": "unknown_number",
        "message": {"zh": "未找到该编号的证明", "en": "No certificate has this number"}}
    typo = forged[:-2] + ("1" if forged[-2] != "1" else "2") + forged[-1]
    assert ledger.verify_certificate(typo)["reason"] == "certificate_number_mistyped"
    assert ledger.verify_certificate("hello")["reason"] == "certificate_number_malformed"


def test_who_may_issue_and_read(ledger, event_bus):
    volunteer = f"vol-{uuid.uuid4().hex[:8]}"
    credit(event_bus, ledger, volunteer, 30)

    by_operator = ledger.issue_certificate(OPERATOR, volunteer, this_year())
    assert ledger.verify_certificate(by_operator["number"])["issuer_station"] == "建北街道时间银行服务站"

    with pytest.raises(Forbidden) as err:  # another volunteer
        ledger.issue_certificate(person("someone-else"), volunteer, this_year())
    assert err.value.code == "role_required"
    with pytest.raises(Forbidden) as err:  # an operator of another city
        ledger.issue_certificate(FAR_OPERATOR, volunteer, this_year())
    assert err.value.code == "out_of_scope"
    with pytest.raises(Forbidden):  # auditors read, they do not issue
        ledger.issue_certificate(AUDITOR, volunteer, this_year())

    assert ledger.get_certificate_pdf(AUDITOR, by_operator["number"])["pdf_base64"]
    with pytest.raises(Forbidden):
        ledger.get_certificate_pdf(person("someone-else"), by_operator["number"])
    with pytest.raises(NotFound):
        ledger.get_certificate_pdf(AUDITOR, make_number(COMMUNITY, today_in_china(), 7))


def test_nothing_to_certify_or_a_bad_period_is_refused(ledger, event_bus):
    volunteer = f"vol-{uuid.uuid4().hex[:8]}"
    credit(event_bus, ledger, volunteer, 30)
    with pytest.raises(RuleViolation) as err:
        ledger.issue_certificate(person(volunteer), volunteer,
                                 {"from": "2020-01-01", "to": "2020-12-31"})
    assert err.value.code == "no_service_in_period"
    with pytest.raises(BadInput):
        ledger.issue_certificate(person(volunteer), volunteer, {"from": "2026-05-01",
                                                                "to": "2026-04-01"})
    with pytest.raises(BadInput):
        ledger.issue_certificate(person(volunteer), volunteer, {"from": "tomorrow"})
    tomorrow = today_in_china() + dt.timedelta(days=1)
    with pytest.raises(BadInput) as err:
        ledger.issue_certificate(person(volunteer), volunteer,
                                 {"from": tomorrow.isoformat(), "to": tomorrow.isoformat()})
    assert err.value.code == "period_in_future"
