"""Ledger queries in a real container: volunteer summary and star milestones (once, also in a
batch, after a redelivery and after a reversal), the statement's kind filter, supervisor
statistics and their scope refusal, and reconciliation against a REAL demand container.

Demand's service records are inserted as rows into demand's own (migrated) test database
(demands → assignments → service_records, in SQL), not made through its RPCs:
the point here is the comparison, demand's record flow is tested in services/demand/tests.
Thresholds are configured at 1, 2 and 3 hours so a few credits reach them.
"""
import datetime as dt
import json
import time
import uuid
from functools import partial

import eventlet
import pytest
from sqlalchemy import create_engine, text
from timebank_testing import wait_for as shared_wait_for

from demand.service import DemandService
from ledger.service import LedgerService
from timebank_common.db import make_event
from timebank_common.errors import BadInput, Forbidden

pytestmark = pytest.mark.integration

HENGSHUI = "131102001001"  # a community in 桃城区, 衡水 (issuance 131100000000)
HENGSHUI_OTHER_COUNTY = "131121001001"  # 枣强县
CITY_ADMIN = {"person_id": "adm-hs", "roles": ["city_admin"], "scope": "131100000000"}
COUNTY_ADMIN = {"person_id": "adm-tc", "roles": ["county_admin"], "scope": "131102000000"}
OTHER_CITY_ADMIN = {"person_id": "adm-ts", "roles": ["city_admin"], "scope": "130200000000"}
OPERATOR = {"person_id": "op-hs", "roles": ["station_operator"], "scope": "131102001000"}
wait_for = partial(shared_wait_for, timeout=20.0)


def person(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


def new_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def milestones_heard(event_bus):
    listener = event_bus.listen("ledger", "milestone_reached")

    def heard(person_id, expected=0, timeout=3.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            listener.drain(len(listener.received) + 1, timeout=0.2)
            found = [m for m in listener.received if m["payload"]["person_id"] == person_id]
            if expected and len(found) >= expected:
                break
        return [m for m in listener.received if m["payload"]["person_id"] == person_id]

    return heard


# the counties this module credits in keep every recorded minute (no rounding, no yearly cap),
# so its figures are the minutes it publishes (the province default rounds to 15 minutes)
EXACT_COUNTIES = ("131102000000", "131121000000", "131002000000", "131022000000",
                  "130702000000")


@pytest.fixture(scope="module")
def exact_minutes(database_url):
    engine = create_engine(database_url("ledger"))
    with engine.begin() as c:
        for county in EXACT_COUNTIES:
            c.execute(text("INSERT INTO policies (region_code, effective_from, policy_values, "
                           "reason, created_by) VALUES (:r, '2020-01-01', :v, 'test', 'test')"),
                      {"r": county, "v": json.dumps({"rounding_unit_minutes": 1,
                                                     "yearly_cap_minutes": None})})
    engine.dispose()


@pytest.fixture(scope="module")
def running(service_config, start_module_service, milestones_heard, exact_minutes):
    start_module_service(DemandService, service_config("demand"))
    start_module_service(LedgerService, service_config(
        "ledger", max_workers=20, STAR_THRESHOLDS_HOURS=[1, 2, 3],
        EVENT_DELIVERY_LIMIT=2))  # as test_integration.py: same queue, same vhost


@pytest.fixture
def ledger(running, rpc):
    with rpc("ledger") as proxy:
        yield proxy


@pytest.fixture(scope="module")
def publish(event_bus):
    return lambda envelope: event_bus.publish("demand", envelope)


def service_recorded(volunteer_id, minutes, region=HENGSHUI, record_id=None):
    payload = {"record_id": record_id or str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
               "volunteer_id": volunteer_id, "volunteer_region_code": region,
               "elder_id": new_id("elder"), "minutes": minutes, "category": "emotional_comfort",
               "funding_source": "issuance", "recorded_by": "op-hs",
               "recorded_at": dt.datetime.now(dt.UTC).isoformat()}
    return make_event("service_recorded", payload, region)


def earned(ledger, volunteer):
    return ledger.balance(person(volunteer), volunteer)["earned_minutes"]


def test_summary_stars_and_milestones_once_per_level(ledger, publish, milestones_heard):
    volunteer = new_id("vol")
    first = publish(service_recorded(volunteer, 50))
    wait_for(lambda: earned(ledger, volunteer) == 50)
    summary = ledger.volunteer_summary(person(volunteer), volunteer)
    assert (summary["service_minutes"], summary["star_level"], summary["earned_minutes"]) == (
        50, 0, 50)
    assert summary["next_star"] == {"level": 1, "threshold_hours": 1, "minutes_to_go": 10,
                                    "hours_to_go": 0.17}
    assert summary["star_thresholds_hours"] == [1, 2, 3] and summary["milestones"] == []

    # one batch of three credits crosses levels 1 and 2: each told once, by its credit
    burst = [service_recorded(volunteer, 40) for _ in range(3)]
    for event in burst:
        publish(event)
    publish(first)  # a redelivery changes nothing
    wait_for(lambda: earned(ledger, volunteer) == 170)
    told = milestones_heard(volunteer, expected=2)
    assert sorted(m["payload"]["level"] for m in told) == [1, 2]
    by_level = {m["payload"]["level"]: m["payload"] for m in told}
    assert by_level[1]["cumulative_minutes"] in (90, 130)  # 50 + 40 (+40): the crossing credit
    assert by_level[2]["cumulative_minutes"] in (130, 170)
    assert all(m["region_code"] == HENGSHUI for m in told)
    summary = ledger.volunteer_summary(person(volunteer), volunteer)
    assert (summary["star_level"], summary["service_minutes"]) == (2, 170)
    assert [m["level"] for m in summary["milestones"]] == [1, 2]

    # a reversal drops below level 2; crossing it again is not told again
    ledger.reverse(by_level[2]["transfer_id"], "dispute upheld", "adm-hs")
    ledger.reverse(f"service_record:{first['payload']['record_id']}", "dispute upheld", "adm-hs")
    summary = ledger.volunteer_summary(person(volunteer), volunteer)
    assert (summary["star_level"], summary["service_minutes"]) == (1, 80)
    publish(service_recorded(volunteer, 45))
    wait_for(lambda: earned(ledger, volunteer) == 125)
    assert ledger.volunteer_summary(person(volunteer), volunteer)["star_level"] == 2
    eventlet.sleep(0.5)
    assert sorted(m["payload"]["level"] for m in milestones_heard(volunteer)) == [1, 2]


def test_gifts_received_are_not_service_hours(ledger, publish):
    giver, receiver = new_id("vol"), new_id("vol")
    publish(service_recorded(giver, 90))
    wait_for(lambda: earned(ledger, giver) == 90)
    accounts = [ledger.open_account("personal", HENGSHUI, p) for p in (giver, receiver)]
    [result] = ledger.create_transfers([{
        "id": new_id("gift"), "kind": "gift_to_relative",
        "debit_account_id": accounts[0]["account_id"],
        "credit_account_id": accounts[1]["account_id"], "amount_minutes": 70}])
    assert result["status"] == "posted"
    summary = ledger.volunteer_summary(person(receiver), receiver)
    assert (summary["earned_minutes"], summary["service_minutes"], summary["star_level"]) == (
        70, 0, 0)
    assert ledger.volunteer_summary(person(giver), giver)["service_minutes"] == 90

    gifts = ledger.statement(person(giver), giver, {"kind": "gift_to_relative"})
    assert gifts["total"] == 1 and gifts["items"][0]["amount_minutes"] == -70
    assert ledger.statement(person(giver), giver, {"kind": "service_credit"})["total"] == 1
    with pytest.raises(BadInput):
        ledger.statement(person(giver), giver, {"kind": "money"})
    with pytest.raises(Forbidden):
        ledger.volunteer_summary(person(receiver), giver)


def test_stats_count_the_period_in_the_region_and_refuse_outside_scope(ledger, publish):
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    before = ledger.ledger_stats(CITY_ADMIN, "131100000000", today, today)
    volunteer, far = new_id("vol"), new_id("vol")
    publish(service_recorded(volunteer, 30))
    publish(service_recorded(far, 20, region=HENGSHUI_OTHER_COUNTY))
    wait_for(lambda: earned(ledger, volunteer) == 30 and earned(ledger, far) == 20)
    after = ledger.ledger_stats(CITY_ADMIN, "131100000000", today, today)
    assert after["deposited_minutes"] - before["deposited_minutes"] == 50
    assert after["liability_minutes"] - before["liability_minutes"] == 50
    assert [x["region_code"] for x in after["liability"]] == ["131100000000"]
    children = {c["region_code"]: c for c in after["children"]}
    old = {c["region_code"]: c for c in before["children"]}
    for code, added in (("131102000000", 30), ("131121000000", 20)):
        was = old.get(code, {"deposited_minutes": 0})["deposited_minutes"]
        assert children[code]["deposited_minutes"] - was == added
    assert after["period"] == {"from": today, "to": today}

    county = ledger.ledger_stats(COUNTY_ADMIN, None, today, today)
    assert county["region_code"] == "131102000000" and county["liability"] == []
    yesterday = (dt.date.fromisoformat(today) - dt.timedelta(days=1)).isoformat()
    assert ledger.ledger_stats(CITY_ADMIN, "131100000000", yesterday,
                               yesterday)["deposited_minutes"] == 0
    with pytest.raises(Forbidden) as refused:
        ledger.ledger_stats(OTHER_CITY_ADMIN, "131100000000", today, today)
    assert refused.value.code == "out_of_scope"
    with pytest.raises(Forbidden) as refused:
        ledger.ledger_stats(OPERATOR, None, today, today)
    assert refused.value.code == "role_required"
    with pytest.raises(BadInput):
        ledger.ledger_stats(CITY_ADMIN, "131100000000", today, yesterday)


@pytest.fixture
def demand_db(running, database_url):
    engine = create_engine(database_url("demand"))
    yield engine
    engine.dispose()


def insert_record(engine, minutes, region=HENGSHUI, recorded_at=None):
    now = recorded_at or dt.datetime.now(dt.UTC)
    demand_id, assignment_id, record_id = (str(uuid.uuid4()) for _ in range(3))
    volunteer = new_id("vol")
    with engine.begin() as c:
        c.execute(text(
            "INSERT INTO demands (id, elder_id, category, description, address, window_start,"
            " window_end, expected_minutes, volunteers_needed, channel, status, region_code,"
            " funding_source) VALUES (:id, :elder, 'emotional_comfort', '陪老人聊天',"
            " '衡水市桃城区', :start, :end, :minutes, 1, 'phone', 'completed', :region,"
            " 'issuance')"),
            {"id": demand_id, "elder": new_id("elder"), "start": now,
             "end": now + dt.timedelta(hours=1), "minutes": minutes, "region": region})
        c.execute(text(
            "INSERT INTO assignments (id, demand_id, volunteer_id, status, assigned_at)"
            " VALUES (:id, :demand, :volunteer, 'completed', :at)"),
            {"id": assignment_id, "demand": demand_id, "volunteer": volunteer, "at": now})
        c.execute(text(
            "INSERT INTO service_records (record_id, assignment_id, demand_id, volunteer_id,"
            " volunteer_region_code, elder_id, category, minutes, confirmation, funding_source,"
            " region_code, recorded_by, recorded_at) VALUES (:id, :assignment, :demand,"
            " :volunteer, :region, :elder, 'emotional_comfort', :minutes, 'signature',"
            " 'issuance', :region, 'op-hs', :at)"),
            {"id": record_id, "assignment": assignment_id, "demand": demand_id,
             "volunteer": volunteer, "region": region, "elder": new_id("elder"),
             "minutes": minutes, "at": now})
    return {"record_id": record_id, "demand_id": demand_id, "volunteer_id": volunteer,
            "minutes": minutes, "region": region}


def credit(publish, record, minutes=None):
    event = service_recorded(record["volunteer_id"], minutes or record["minutes"],
                             region=record["region"], record_id=record["record_id"])
    event["payload"]["demand_id"] = record["demand_id"]
    publish(event)


def test_reconcile_against_demand_records(ledger, publish, demand_db, rpc):
    region = "131002001001"  # 安次区, 廊坊: no other test credits in 廊坊
    other_county_region = "131022001001"  # 固安县, 廊坊
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    matched = insert_record(demand_db, 60, region)
    uncredited = insert_record(demand_db, 45, region)
    short = insert_record(demand_db, 90, region)
    other_county = insert_record(demand_db, 30, other_county_region)
    for record, minutes in ((matched, None), (short, 80), (other_county, None)):
        credit(publish, record, minutes)
    stray = {"record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
             "volunteer_id": new_id("vol"), "minutes": 15, "region": region}
    credit(publish, stray)
    wait_for(lambda: all(earned(ledger, r["volunteer_id"]) > 0
                         for r in (matched, short, other_county, stray)))

    with rpc("demand") as demand:
        page = demand.service_records(region_prefix="131002", period_from=today.isoformat(),
                                      period_to=today.isoformat(), limit=2)
    assert len(page["items"]) == 2 and page["next_after"] == page["items"][-1]["record_id"]

    report = ledger.reconcile(region[:6] + "000000", today.isoformat(), today.isoformat())
    assert not report["ok"]
    assert [m["record_id"] for m in report["records_without_credit"]] == [
        uncredited["record_id"]]
    assert [o["record_id"] for o in report["credits_without_record"]] == [stray["record_id"]]
    [diff] = report["amount_differences"]
    assert (diff["record_id"], diff["recorded_minutes"], diff["credited_minutes"],
            diff["difference"]) == (short["record_id"], 90, 80, -10)
    assert report["totals"]["records"] == 3
    assert report["totals"]["recorded_minutes"] == 195
    assert report["totals"]["credited_minutes"] == 140  # of the records; the stray is listed

    # the other county's credit is paid by the same city's issuance account, but its record
    # is reconciled there, not here
    there = ledger.reconcile("131022000000", today.isoformat(), today.isoformat())
    assert there["records_without_credit"] == [] and there["amount_differences"] == []
    assert [o["record_id"] for o in there["credits_without_record"]] == [stray["record_id"]]
    assert there["totals"]["records"] == 1 and there["totals"]["credited_minutes"] == 30
    city = ledger.reconcile("131000000000", today.isoformat(), today.isoformat())
    assert city["totals"]["records"] == 4 and len(city["credits_without_record"]) == 1
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert ledger.reconcile(region[:6] + "000000", tomorrow, tomorrow)["totals"]["records"] == 0


def test_reconcile_command_prints_the_report_and_fails_on_differences(
        ledger, demand_db, publish, amqp_uri, database_url, tmp_path, capsys):
    from ledger.reconcile import main

    region = "130702001001"  # 桥东区, 张家口: no other test credits in 张家口
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    record = insert_record(demand_db, 25, region)
    config = tmp_path / "ledger.yaml"
    config.write_text(f"AMQP_URI: {amqp_uri}\nDATABASE_URL: {database_url('ledger')}\n")
    args = ["--from", today, "--to", today, "--region", "130702000000", "--config", str(config)]
    assert main(args) == 1
    report = json.loads(capsys.readouterr().out)
    assert [m["record_id"] for m in report["records_without_credit"]] == [record["record_id"]]

    credit(publish, record)
    wait_for(lambda: earned(ledger, record["volunteer_id"]) == 25)
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["totals"]["credited_minutes"] == 25
