"""Reconciliation against a REAL demand container (its internal ``service_records`` RPC),
through the ledger's RPC and its command, with the credits made by the real ledger container
from ``service_recorded`` events.

Demand's service records are inserted as rows into demand's own (migrated) test database
(demands → assignments → service_records, in SQL), not made through its RPCs:
the point here is the comparison, demand's record flow is tested in services/demand/tests.
"""
import datetime as dt
import json
import uuid
from functools import partial

import pytest
from sqlalchemy import create_engine, text
from timebank_testing import wait_for as shared_wait_for

from demand.service import DemandService
from ledger.service import LedgerService
from timebank_common.clock import FixedClock, china_date
from timebank_common.db import make_event

wait_for = partial(shared_wait_for, timeout=20.0)
# the ledger's clock (credits are posted at it) and the time demand's records are recorded at
CLOCK = FixedClock(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC))
TODAY = china_date(CLOCK.now())


def person(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


def new_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


# the counties this module credits in keep every recorded minute (no rounding, no yearly cap),
# so its figures are the minutes it publishes (the province default rounds to 15 minutes)
EXACT_COUNTIES = ("131002000000", "131022000000", "130702000000")


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
def running(service_config, start_module_service, exact_minutes):
    start_module_service(DemandService, service_config("demand"))
    start_module_service(LedgerService, service_config(
        "ledger", max_workers=20, EVENT_DELIVERY_LIMIT=2,  # as test_service.py: same queue
        CLOCK=CLOCK))


@pytest.fixture
def ledger(running, rpc):
    with rpc("ledger") as proxy:
        yield proxy


@pytest.fixture(scope="module")
def publish(event_bus):
    return lambda envelope: event_bus.publish("demand", envelope)


def service_recorded(volunteer_id, minutes, region, record_id=None):
    payload = {"record_id": record_id or str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
               "volunteer_id": volunteer_id, "volunteer_region_code": region,
               "elder_id": new_id("elder"), "minutes": minutes, "category": "emotional_comfort",
               "funding_source": "issuance", "recorded_by": "op-hs",
               "recorded_at": CLOCK.now().isoformat()}
    return make_event("service_recorded", payload, region)


def earned(ledger, volunteer):
    return ledger.balance(person(volunteer), volunteer)["earned_minutes"]


@pytest.fixture
def demand_db(running, database_url):
    engine = create_engine(database_url("demand"))
    yield engine
    engine.dispose()


def insert_record(engine, minutes, region, recorded_at=None):
    now = recorded_at or CLOCK.now()
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
    today = TODAY
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
    from ledger.commands.reconcile import main

    region = "130702001001"  # 桥东区, 张家口: no other test credits in 张家口
    today = TODAY.isoformat()
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


def test_service_credits_per_record_by_ids_and_by_region_in_pages(ledger, publish):
    """The internal RPC reporting's reconciliation of interchange reads: credited minutes per
    record, for given records or a page of a region's credits posted in a period."""
    region = "131002001001"
    mine = [{"record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
             "volunteer_id": new_id("vol"), "minutes": m, "region": region} for m in (20, 35)]
    for record in mine:
        credit(publish, record)
    wait_for(lambda: all(earned(ledger, r["volunteer_id"]) > 0 for r in mine))
    ids = sorted(r["record_id"] for r in mine)
    by_ids = ledger.service_credits(query={"record_ids": ids + [str(uuid.uuid4())]})
    assert [(i["record_id"], i["credited_minutes"], i["reversed_minutes"])
            for i in by_ids["items"]] == sorted(
        (r["record_id"], r["minutes"], 0) for r in mine)
    assert by_ids["next_after"] is None
    seen, after = [], None
    while True:
        page = ledger.service_credits(query={
            "region_code": "131000000000", "period_from": TODAY.isoformat(),
            "period_to": TODAY.isoformat(), "after": after, "limit": 1})
        seen += page["items"]
        after = page["next_after"]
        if not after:
            break
    found = [i["record_id"] for i in seen]
    assert found == sorted(set(found))  # in record order, each once
    assert set(ids) <= set(found)
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    assert ledger.service_credits(query={"region_code": "131000000000",
                                         "period_from": tomorrow,
                                         "period_to": tomorrow})["items"] == []
