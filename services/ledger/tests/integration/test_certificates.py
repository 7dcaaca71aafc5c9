"""Certificates end to end in a real ledger container: credit hours, issue, download, verify,
then tamper with the stored row and see verification refuse it.

identity is the real service too (its own database, loaded with the demo data): volunteers
are persons registered through it by the demo station operator, and every caller is a real
login. demand is not running, so certificates print category codes instead of names (the
e2e test covers the names).
"""
import base64
import datetime as dt
import io
import itertools
import random
import uuid
from functools import partial
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import create_engine, text
from timebank_testing import rpc_proxy
from timebank_testing import wait_for as shared_wait_for

from identity.commands.demo import (
    DEMO_PASSWORD,
    STATION_ID,
    STATION_NAME,
    demo_id_number,
    load_demo,
)
from identity.service import IdentityService
from ledger.domain.certificates import make_number
from ledger.service import LedgerService
from timebank_common.clock import FixedClock, china_date
from timebank_common.db import make_event
from timebank_common.errors import BadInput, Forbidden, NotFound, RuleViolation
from timebank_common.tokens import verify_access_token

COMMUNITY = "130102001001"  # 育才社区, 建北街道, 长安区, 石家庄: the demo station's community
LUBEI = "130203000000"  # 路北区, 唐山: another city
PROVINCE_ADMIN, OPERATOR_PHONE, AUDITOR_PHONE = "13800000001", "13800000005", "13800000006"
VOLUNTEER_PASSWORD = "Volunteer@2026"
STAFF_PASSWORD = "Operator@2026"
_serial = itertools.count(1)
_PHONE_BLOCK = random.randrange(10_000)
wait_for = partial(shared_wait_for, timeout=20.0)
CLOCK = FixedClock(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC))  # the ledger's: credits, issue dates


def today_in_china() -> dt.date:
    return china_date(CLOCK.now())


def new_numbers(birth: str) -> tuple[str, str]:
    """A fresh valid ID number (长安区, born ``birth``, male) and a fresh mobile number."""
    n = next(_serial)
    return (demo_id_number(birth, f"{(n * 2 + 101) % 1000:03d}"),
            f"158{_PHONE_BLOCK:04d}{n:04d}")


@pytest.fixture(scope="module")
def running(database_url, service_config, start_module_service):
    identity_db = database_url("identity")
    load_demo(identity_db)
    start_module_service(IdentityService, service_config(
        None, DATABASE_URL=identity_db, ACCESS_TOKEN_TTL_SECONDS=600))
    # the same delivery limit as test_integration.py: the event queue outlives the module,
    # and RabbitMQ refuses to declare it again with other arguments
    # identity shares this test process (and its eventlet hub) with the ledger and its PDF
    # rendering: on a busy machine an answer can take longer than the production timeout;
    # what happens when identity is silent is test_integration_certificate_identity.py's
    start_module_service(LedgerService, service_config(
        "ledger", EVENT_DELIVERY_LIMIT=2, PUBLIC_BASE_URL="https://timebank.example.cn",
        IDENTITY_RPC_TIMEOUT_SECONDS=30, CLOCK=CLOCK))


@pytest.fixture(scope="module")
def identity(running, amqp_uri):
    with rpc_proxy(amqp_uri, "identity") as proxy:
        yield proxy


@pytest.fixture(scope="module")
def login(identity, token_keys):
    """``login(phone)``: the caller dict of that login, decoded from its access token."""
    public_key = Path(token_keys["JWT_PUBLIC_KEY_FILE"]).read_bytes()

    def caller(phone, password=DEMO_PASSWORD) -> dict:
        tokens = identity.authenticate(phone, password)
        return verify_access_token(public_key, tokens["access_token"]).to_dict()

    return caller


@pytest.fixture(scope="module")
def staff(identity, login):
    """The demo station operator and auditor, and a county admin of 唐山 (another city)."""
    id_number, phone = new_numbers("19790814")
    identity.create_operator(login(PROVINCE_ADMIN), {
        "name": "冯建军", "id_number": id_number, "phone": phone, "region_code": LUBEI,
        "role": "county_admin", "scope_code": LUBEI, "initial_password": STAFF_PASSWORD})
    return {"operator": login(OPERATOR_PHONE), "auditor": login(AUDITOR_PHONE),
            "far_admin": login(phone, STAFF_PASSWORD)}


@pytest.fixture
def register(identity, staff, login):
    """``register(name)``: a volunteer registered by the station operator in 育才社区, eligible
    at once; returns their registration (the masked view) with ``caller`` (their login) and
    ``id_number``."""
    def make(name="王小明"):
        id_number, phone = new_numbers("19600501")
        volunteer = identity.register_volunteer(staff["operator"], {
            "name": name, "id_number": id_number, "phone": phone, "region_code": COMMUNITY,
            "volunteer_number": f"V{phone}", "initial_password": VOLUNTEER_PASSWORD,
            "registry_status": "verified", "screening": "clear", "health_declared": True,
            "training_hours_completed": 8})
        caller = login(phone, VOLUNTEER_PASSWORD)
        assert caller["person_id"] == volunteer["person_id"]
        return {**volunteer, "caller": caller, "id_number": id_number}

    return make


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
    """Credit ``volunteer`` (a registration from ``register``) as demand's records would."""
    for amount in minutes:
        payload = {"record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
                   "volunteer_id": volunteer["person_id"], "volunteer_region_code": COMMUNITY,
                   "minutes": amount, "category": "emotional_comfort",
                   "funding_source": "issuance", "carrier_id": str(STATION_ID),
                   "recorded_at": dt.datetime.now(dt.UTC).isoformat()}
        event_bus.publish("demand", make_event("service_recorded", payload, COMMUNITY))
    total = sum(minutes)
    wait_for(lambda: ledger.balance(volunteer["caller"], volunteer["person_id"])[
        "earned_minutes"] == total)


def this_year():
    today = today_in_china()
    return {"from": f"{today.year}-01-01", "to": today.isoformat()}


def pdf_text(pdf_base64):
    reader = PdfReader(io.BytesIO(base64.b64decode(pdf_base64)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_volunteer_gets_a_certificate_anyone_can_verify(ledger, event_bus, register):
    volunteer = register("王小明")
    me, person_id = volunteer["caller"], volunteer["person_id"]
    credit(event_bus, ledger, volunteer, 90, 60)

    issued = ledger.issue_certificate(me, person_id, this_year())
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
    # issued by the volunteer: named after their community (identity's region name)
    assert check["issuer_station"] == "育才社区居委会时间银行 · 时间银行 Time Bank"
    assert ledger.verify_certificate(number.lower())["genuine"] is True  # as typed

    out = ledger.get_certificate_pdf(me, number)
    assert out["filename"] == f"{number}.pdf"
    text = pdf_text(out["pdf_base64"])
    id_number = volunteer["id_number"]
    masked = id_number[:6] + "********" + id_number[-4:]
    assert volunteer["id_number_masked"] == masked
    for expected in ("服务记录证明", "王小明", masked, volunteer["volunteer_number"], "2小时30分",
                     "emotional_comfort", number):
        assert expected in text
    assert id_number not in text


def test_an_altered_certificate_is_not_genuine(ledger, event_bus, db, register):
    volunteer = register("李秀兰")
    credit(event_bus, ledger, volunteer, 45)
    number = ledger.issue_certificate(volunteer["caller"], volunteer["person_id"],
                                      this_year())["number"]
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


def test_who_may_issue_and_read(ledger, event_bus, register, staff):
    volunteer, someone_else = register("张伟"), register("刘洋")["caller"]
    person_id = volunteer["person_id"]
    operator, auditor = staff["operator"], staff["auditor"]
    credit(event_bus, ledger, volunteer, 30)

    by_operator = ledger.issue_certificate(operator, person_id, this_year())
    assert ledger.verify_certificate(by_operator["number"])["issuer_station"] == STATION_NAME

    with pytest.raises(Forbidden) as err:  # another volunteer
        ledger.issue_certificate(someone_else, person_id, this_year())
    assert err.value.code == "role_required"
    with pytest.raises(NotFound) as err:  # an admin of another city (唐山): as if unknown
        ledger.issue_certificate(staff["far_admin"], person_id, this_year())
    assert err.value.code == "person_not_found"  # identity's answer
    with pytest.raises(Forbidden):  # auditors read, they do not issue
        ledger.issue_certificate(auditor, person_id, this_year())

    assert ledger.get_certificate_pdf(auditor, by_operator["number"])["pdf_base64"]
    with pytest.raises(Forbidden):
        ledger.get_certificate_pdf(someone_else, by_operator["number"])
    with pytest.raises(NotFound) as far:  # another city's staff: as a number nobody issued
        ledger.get_certificate_pdf(staff["far_admin"], by_operator["number"])
    with pytest.raises(NotFound) as unknown:
        ledger.get_certificate_pdf(auditor, make_number(COMMUNITY, today_in_china(), 7))
    assert far.value.code == unknown.value.code == "certificate_not_found"


def test_nothing_to_certify_or_a_bad_period_is_refused(ledger, event_bus, register):
    volunteer = register("陈静")
    me, person_id = volunteer["caller"], volunteer["person_id"]
    credit(event_bus, ledger, volunteer, 30)
    with pytest.raises(RuleViolation) as err:
        ledger.issue_certificate(me, person_id, {"from": "2020-01-01", "to": "2020-12-31"})
    assert err.value.code == "no_service_in_period"
    with pytest.raises(BadInput):
        ledger.issue_certificate(me, person_id, {"from": "2026-05-01", "to": "2026-04-01"})
    with pytest.raises(BadInput):
        ledger.issue_certificate(me, person_id, {"from": "tomorrow"})
    tomorrow = today_in_china() + dt.timedelta(days=1)
    with pytest.raises(BadInput) as err:
        ledger.issue_certificate(me, person_id,
                                 {"from": tomorrow.isoformat(), "to": tomorrow.isoformat()})
    assert err.value.code == "period_in_future"
