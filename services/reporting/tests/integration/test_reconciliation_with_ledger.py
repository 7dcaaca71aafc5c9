"""The reconciliation of interchange against a REAL ledger container: reporting's RPC asks the
ledger's ``service_credits`` through its ``RpcProxy("ledger")`` (credits made by the ledger from
``service_recorded`` events), and compares them with what 志愿汇 accepted."""
from __future__ import annotations

import datetime as dt
import uuid
from functools import partial

import pytest
import sqlalchemy as sa
from timebank_testing import wait_for as shared_wait_for

from ledger.service import LedgerService
from reporting.adapters.tables import service_records, zyh_pushes
from reporting.service import ReportingService
from timebank_common.clock import FixedClock, china_date
from timebank_common.db import make_engine, make_event

from .conftest import PROVINCE_ADMIN

wait_for = partial(shared_wait_for, timeout=20.0)
CLOCK = FixedClock(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC))
DAY = china_date(CLOCK.now())
REGION = "130402001001"  # 邯郸 (the ledger's database is the run's: others may credit there)


@pytest.fixture(scope="module")
def reporting_url(own_database_url):
    return own_database_url("reporting")


@pytest.fixture(scope="module")
def running(service_config, start_module_service, reporting_url):
    # the delivery limit of the ledger's other test modules: they declare the same queues
    start_module_service(LedgerService, service_config("ledger", CLOCK=CLOCK,
                                                       EVENT_DELIVERY_LIMIT=2))
    start_module_service(ReportingService, service_config(
        None, DATABASE_URL=reporting_url, CLOCK=CLOCK))


def credit(event_bus, record_id, minutes):
    event_bus.publish("demand", make_event("service_recorded", {
        "record_id": record_id, "demand_id": str(uuid.uuid4()),
        "volunteer_id": f"vol-{record_id[:8]}", "volunteer_region_code": REGION,
        "elder_id": "elder-1", "minutes": minutes, "category": "emotional_comfort",
        "funding_source": "issuance", "recorded_by": "op-1",
        "recorded_at": CLOCK.now().isoformat()}, REGION, occurred_at=CLOCK.now()))


def test_reporting_reconciles_zyh_with_the_ledgers_credits(running, rpc, event_bus,
                                                          reporting_url):
    ok, missing, differ = (str(uuid.uuid4()) for _ in range(3))
    for record_id in (ok, missing, differ):
        credit(event_bus, record_id, 60)
    engine = make_engine(reporting_url, pool_size=1)
    try:
        def credited_rows():  # the read model of the three records, credited by the ledger
            with engine.connect() as conn:
                return conn.execute(sa.select(sa.func.count()).select_from(service_records)
                                    .where(service_records.c.record_id.in_([ok, missing, differ]),
                                           service_records.c.credited_minutes == 60,
                                           service_records.c.day == DAY)).scalar()

        wait_for(lambda: credited_rows() == 3)
        with engine.begin() as conn:
            for record_id, minutes in ((ok, 60), (differ, 45)):
                conn.execute(sa.insert(zyh_pushes).values(
                    record_id=record_id, version=1, minutes=minutes, payload={},
                    status="sent", attempts=1, next_attempt_at=CLOCK.now(),
                    sent_at=CLOCK.now(), created_at=CLOCK.now()))
    finally:
        engine.dispose()
    with rpc("ledger") as ledger:
        wait_for(lambda: len(ledger.service_credits(
            {"record_ids": [ok, missing, differ]})["items"]) == 3)
    with rpc("reporting") as reporting:
        answer = reporting.interchange_reconciliation(PROVINCE_ADMIN, {
            "region_code": REGION[:6] + "000000", "from": DAY.isoformat(),
            "to": DAY.isoformat()})
    zyh = next(c for c in answer["channels"] if c["channel"] == "zyh")
    assert answer["ledger"]["records"] >= 3 and answer["ledger"]["minutes"] >= 180
    assert zyh["delivered"] == {"records": 2, "minutes": 105}
    mine = {ok, missing, differ}
    assert sorted((d["record_id"], d["ledger_minutes"], d["delivered_minutes"], d["kind"])
                  for d in zyh["differences"] if d["record_id"] in mine) == sorted([
        (missing, 60, None, "missing_from_channel"), (differ, 60, 45, "minutes_differ")])
