"""Gifts to direct relatives, donations and pool allocation through the gateway, with the
real identity (verified relative links, priority elders) and the real ledger."""
import itertools
import uuid

import pytest
import requests
from timebank_testing import wait_for

from gateway.service import GatewayService
from identity.commands.demo import DEMO_PASSWORD, demo_id_number
from identity.service import IdentityService
from ledger.domain.allocation import allocation_order
from ledger.service import LedgerService
from timebank_common.tokens import verify_access_token

CITY_ADMIN, COUNTY_ADMIN, TOWNSHIP_ADMIN, OPERATOR = (
    "13800000002", "13800000003", "13800000004", "13800000005")
VOLUNTEER, ELDER, RELATIVE = "13800000007", "13800000008", "13800000009"
YUCAI, SHIJIAZHUANG = "130102001001", "130100000000"
_serial = itertools.count(801)


@pytest.fixture(scope="module")
def demo(database_url):
    from identity.commands.demo import load_demo

    return load_demo(database_url("identity"))


@pytest.fixture(scope="module")
def base(demo, database_url, service_config, start_module_service):
    start_module_service(IdentityService, service_config(None, DATABASE_URL=database_url(
        "identity"), ACCESS_TOKEN_TTL_SECONDS=600))
    start_module_service(LedgerService, service_config("ledger", EVENT_DELIVERY_LIMIT=2))
    cfg = service_config(None)
    start_module_service(GatewayService, cfg)
    return f"http://{cfg['WEB_SERVER_ADDRESS']}"


@pytest.fixture(scope="module")
def tokens(base):
    cache = {}

    def token(phone):
        if phone not in cache:
            resp = requests.post(f"{base}/api/v1/auth/login",
                                 json={"phone": phone, "password": DEMO_PASSWORD}, timeout=10)
            cache[phone] = resp.json()["access_token"]
        return cache[phone]

    return token


@pytest.fixture
def http(base, tokens):
    def call(method, path, phone, key=None, **kwargs):
        headers = {"Authorization": f"Bearer {tokens(phone)}"}
        if key:
            headers["Idempotency-Key"] = key
        return requests.request(method, f"{base}/api/v1{path}", headers=headers, timeout=15,
                                **kwargs)
    return call


@pytest.fixture
def services(base, rpc):
    with rpc("identity") as identity, rpc("ledger") as ledger:
        yield identity, ledger


def caller(identity, token_keys, phone):
    from pathlib import Path

    tokens = identity.authenticate(phone, DEMO_PASSWORD)
    key = Path(token_keys["JWT_PUBLIC_KEY_FILE"]).read_bytes()
    return verify_access_token(key, tokens["access_token"]).to_dict()


def fund(ledger, person_id, minutes, region=YUCAI):
    issuance = ledger.open_account("issuance", SHIJIAZHUANG)
    account = ledger.open_account("personal", region, person_id)
    [done] = ledger.create_transfers([{
        "id": f"fund-{uuid.uuid4().hex}", "kind": "service_credit", "amount_minutes": minutes,
        "debit_account_id": issuance["account_id"], "credit_account_id": account["account_id"]}])
    assert done["status"] == "posted"


def earned(ledger, person_id):
    return ledger.balance({"person_id": person_id, "roles": [], "scope": None},
                          person_id)["earned_minutes"]


def test_a_gift_reaches_a_verified_direct_relative_once_per_key(http, services, demo, token_keys,
                                                                event_bus):
    given = event_bus.listen("ledger", "hours_given")
    identity, ledger = services
    elder, relative, volunteer = (demo["persons"][r] for r in ("elder", "relative", "volunteer"))
    # the demo relative is the demo elder's verified child (identity's demo data)
    assert identity.are_direct_relatives(elder, relative)["related"] is True
    fund(ledger, relative, 120)
    before = earned(ledger, elder)
    gift = {"kind": "gift_to_relative", "to_person_id": elder, "minutes": 60, "note": "给妈妈"}

    first = http("POST", "/transfers", RELATIVE, key="gift-1", json=gift)
    assert first.status_code == 201, first.text
    assert first.json()["status"] == "posted"
    repeat = http("POST", "/transfers", RELATIVE, key="gift-1", json=gift)
    # the first answer again, with its status (the kit remembers it: timebank_common.idempotency)
    assert (repeat.status_code, repeat.json()) == (201, first.json())
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    other = http("POST", "/transfers", RELATIVE, key="gift-1", json={**gift, "minutes": 30})
    assert other.status_code == 422 and other.json()["error"] == "idempotency_key_reused"
    assert (earned(ledger, relative), earned(ledger, elder)) == (60, before + 60)  # moved once
    announced = [e["payload"] for e in given.drain(1, timeout=5)
                 if e["payload"]["transfer_id"] == first.json()["transfer"]["id"]]
    assert announced == [{"transfer_id": first.json()["transfer"]["id"],
                          "kind": "gift_to_relative", "from_person_id": relative,
                          "to_person_id": elder, "pool_region_code": None, "minutes": 60,
                          "given_by": relative}]  # once: the repeat announces nothing

    resp = http("POST", "/transfers", RELATIVE, json=gift)
    assert resp.status_code == 400 and resp.json()["error"] == "idempotency_key_required"
    fund(ledger, volunteer, 60)
    resp = http("POST", "/transfers", VOLUNTEER, key="gift-x", json=gift)
    assert resp.status_code == 422 and resp.json()["error"] == "not_direct_relatives"
    assert resp.json()["message"]["zh"] and resp.json()["message"]["en"]
    resp = http("POST", "/transfers", RELATIVE, key="gift-2", json={**gift, "minutes": 90})
    assert resp.status_code == 422 and resp.json()["error"] == "insufficient_balance"
    assert earned(ledger, volunteer) == 60

    # the relative as the elder's proxy gives from the elder's earned hours
    identity.set_elder_proxy(caller(identity, token_keys, OPERATOR), elder,
                             {"proxy_person_id": relative})
    back = {"kind": "gift_to_relative", "to_person_id": relative, "minutes": 15,
            "from_person_id": elder}
    resp = http("POST", "/transfers", RELATIVE, key="back-1", json=back)
    assert resp.status_code == 201, resp.text
    assert resp.json()["transfer"]["id"] == f"gift:{elder}:back-1"
    assert (earned(ledger, relative), earned(ledger, elder)) == (75, before + 45)
    resp = http("POST", "/transfers", VOLUNTEER, key="back-2", json=back)
    assert resp.status_code == 403 and resp.json()["error"] == "not_your_account"


def test_the_openapi_declares_the_idempotency_key(base):
    spec = requests.get(f"{base}/openapi.json", timeout=10).json()
    operation = spec["paths"]["/api/v1/transfers"]["post"]
    [key] = [p for p in operation["parameters"] if p["name"] == "Idempotency-Key"]
    assert (key["in"], key["required"], key["schema"]["maxLength"]) == ("header", True, 255)
    assert "/api/v1/policies" in spec["paths"]


def new_elder(identity, operator, birth):
    number = demo_id_number(birth, f"{next(_serial):03d}")
    return identity.register_elder(operator, {"name": "分配老人", "id_number": number,
                                              "region_code": YUCAI})["person_id"]


def test_a_pool_is_allocated_living_alone_first_then_oldest(http, services, token_keys):
    identity, ledger = services
    operator = caller(identity, token_keys, OPERATOR)
    oldest, alone, old = (new_elder(identity, operator, b)
                          for b in ("19400101", "19500101", "19420101"))
    identity.submit_priority(operator, alone, {"category": "empty_nest", "evidence": "独居证明"})
    identity.verify_priority(caller(identity, token_keys, TOWNSHIP_ADMIN), alone, "empty_nest",
                             {"decision": "verify"})
    elders = identity.priority_elders(SHIJIAZHUANG)
    mine = {e["person_id"]: e for e in elders if e["person_id"] in (oldest, alone, old)}
    assert mine[alone]["categories"] == ["empty_nest"]
    assert mine[oldest]["categories"] == ["advanced_age"]
    assert set(mine[old]) == {"person_id", "region_code", "categories", "birth_date",
                              "phone_only"}  # no name, number or phone

    each = 100
    pool = ledger.open_account("donation_pool", SHIJIAZHUANG)["available_minutes"]
    wanted = len(elders) * each + 30 - pool
    donor = caller(identity, token_keys, VOLUNTEER)["person_id"]
    fund(ledger, donor, wanted)
    resp = http("POST", "/transfers", VOLUNTEER, key=f"don-{uuid.uuid4().hex}",
                json={"kind": "donation", "minutes": wanted})
    assert resp.status_code == 201, resp.text

    body = {"region_code": YUCAI, "allocation_id": "2026-11", "minutes_each": each}
    assert http("POST", "/pools/allocations", COUNTY_ADMIN, json=body).status_code == 403
    resp = http("POST", "/pools/allocations", CITY_ADMIN, json=body)
    assert resp.status_code == 200, resp.text
    result = resp.json()
    order = [a["person_id"] for a in result["allocated"]]
    assert order == [e["person_id"] for e in allocation_order(elders)]
    assert order.index(alone) < order.index(oldest) < order.index(old)
    assert result["pool_left_minutes"] == 30 and not result["repeated"]
    # identity's elder_priority_granted also gave this month's empty_nest grant (60 min)
    wait_for(lambda: ledger.balance(operator, alone)["grant_minutes"] == each + 60)

    again = http("POST", "/pools/allocations", CITY_ADMIN, json=body).json()
    assert again["repeated"] and [a["person_id"] for a in again["allocated"]] == order
    assert ledger.open_account("donation_pool", SHIJIAZHUANG)["available_minutes"] == 30
    assert ledger.verify_balances()["ok"]


def test_identitys_move_and_status_events_reach_the_ledger_over_the_broker(services,
                                                                          event_bus):
    """person_moved takes the account to 唐山; person_status_changed (deceased) freezes it."""
    import datetime as dt

    from timebank_common.db import make_event
    from timebank_common.errors import RuleViolation

    _, ledger = services
    person, tangshan = f"p-{uuid.uuid4().hex[:10]}", "130202001001"
    fund(ledger, person, 90)
    now = dt.datetime.now(dt.UTC).isoformat()
    event_bus.publish("identity", make_event("person_moved", {
        "person_id": person, "from_region_code": YUCAI, "to_region_code": tangshan,
        "profiles": ["volunteer"], "carrier_id": None, "moved_by": "op", "moved_at": now},
        tangshan))
    wait_for(lambda: ledger.open_account("personal", YUCAI, person)["region_code"] == tangshan)
    event_bus.publish("identity", make_event("person_status_changed", {
        "person_id": person, "region_code": tangshan, "profiles": ["volunteer"],
        "status": "deceased", "previous_status": "active", "reason": "民政核实",
        "changed_by": "adm", "changed_at": now}, tangshan))

    def frozen():
        try:
            ledger.give({"person_id": person, "roles": ["volunteer"], "scope": None},
                        {"kind": "donation", "minutes": 15}, uuid.uuid4().hex)
        except RuleViolation as exc:
            return exc.code == "account_frozen"
        return False
    assert wait_for(frozen)
