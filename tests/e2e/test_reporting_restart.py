"""Issue 16: killing the reporting service mid-stream and restarting it leaves every figure
equal to a rebuild from scratch.

The reporting process runs alone (its own vhost and database), as in production: a stream of
the events it consumes, as the producers' outbox relays publish them (some twice, as a relay
that crashed before marking them sent would), goes to the broker; the process is killed with
SIGKILL while it is applying them, more events arrive while it is down, and it is started
again. Once every event is applied, the read model is compared, table by table, with what the
rebuild command makes of the event archive, and the totals with what was published: nothing
lost, nothing counted twice."""
from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
import uuid

import pytest
from databases import ServiceDatabases
from sqlalchemy import create_engine, text
from timebank_testing import Rabbit, free_port
from timebank_testing.infra import EventBus

from demand.contracts import (
    DEMAND_CANCELLED,
    DEMAND_PUBLISHED,
    DEMAND_STARTED,
    DEMAND_SUBMITTED,
    EVALUATION_SUBMITTED,
    RECORD_HELD,
    SERVICE_RECORDED,
)
from first_path import wait_for
from identity.contracts import PERSON_REGISTERED, VOLUNTEER_ELIGIBLE
from ledger.contracts import HOURS_CREDITED, HOURS_GIVEN
from local_platform import ROOT, LocalPlatform
from reporting.adapters.fact_repository import READ_MODEL_TABLES
from reporting.app.rebuilding import read_model_rows

pytestmark = pytest.mark.e2e

COMMUNITIES = ("130102001001", "130102001002", "130104002001", "130203001001",
               "130203002003", "130682001001")  # 石家庄 (two counties), 唐山, 保定
FIRST_DAY = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.UTC)


def _envelope(contract, payload, at: dt.datetime, region: str) -> tuple[str, dict]:
    return contract.source, {
        "event_id": str(uuid.uuid4()), "event_type": contract.name,
        "occurred_at": at.isoformat(), "v": contract.version, "region_code": region,
        "payload": contract.dump_checked(payload)}


def event_stream(services: int, seed: int) -> list[tuple[str, dict]]:
    """What a province's producers publish over about four months for ``services``
    services: people registered, demands submitted, published, started, served and recorded
    (some held, some cancelled), credited, evaluated; gifts and donations."""
    rng = random.Random(seed)
    volunteers = [f"v{n}" for n in range(40)]
    events = []
    for volunteer in volunteers:
        region = rng.choice(COMMUNITIES)
        at = FIRST_DAY + dt.timedelta(minutes=rng.randrange(60 * 24 * 10))
        events.append(_envelope(PERSON_REGISTERED, {"person_id": volunteer,
                                                    "profile": "volunteer",
                                                    "region_code": region}, at, region))
        events.append(_envelope(VOLUNTEER_ELIGIBLE, {"person_id": volunteer,
                                                     "region_code": region}, at, region))
    for n in range(services):
        region = rng.choice(COMMUNITIES)
        at = FIRST_DAY + dt.timedelta(minutes=rng.randrange(60 * 24 * 120))
        demand, elder = str(uuid.uuid4()), f"e{rng.randrange(60)}"
        volunteer, minutes = rng.choice(volunteers), rng.choice((30, 45, 60, 90, 120))
        category = rng.choice(("companionship", "emotional_comfort", "housework"))
        events.append(_envelope(DEMAND_SUBMITTED, {
            "demand_id": demand, "elder_id": elder, "category": category,
            "region_code": region, "channel": rng.choice(("phone", "app", "station"))},
            at, region))
        if n % 10 == 9:
            events.append(_envelope(DEMAND_CANCELLED, {
                "demand_id": demand, "elder_id": elder,
                "reason": rng.choice(("expired", "elder_cancelled"))},
                at + dt.timedelta(hours=5), region))
            continue
        events.append(_envelope(DEMAND_PUBLISHED, {
            "demand_id": demand, "elder_id": elder, "category": category,
            "region_code": region, "window_start": at + dt.timedelta(hours=1),
            "window_end": at + dt.timedelta(hours=4),
            "expected_minutes": minutes, "volunteers_needed": 1}, at + dt.timedelta(minutes=20),
            region))
        served = at + dt.timedelta(hours=2)
        events.append(_envelope(DEMAND_STARTED, {"demand_id": demand}, served, region))
        record = str(uuid.uuid4())
        if n % 13 == 5:
            events.append(_envelope(RECORD_HELD, {
                "record_id": record, "demand_id": demand, "volunteer_id": volunteer,
                "elder_id": elder, "region_code": region,
                "flags": [{"code": "minutes_exceed_presence"}]}, served, region))
        recorded = served + dt.timedelta(minutes=minutes + 5)
        events.append(_envelope(SERVICE_RECORDED, {
            "record_id": record, "demand_id": demand, "volunteer_id": volunteer,
            "elder_id": elder, "minutes": minutes, "category": category,
            "funding_source": "issuance", "recorded_at": recorded},
            recorded, region))
        events.append(_envelope(HOURS_CREDITED, {
            "transfer_id": str(uuid.uuid4()), "person_id": volunteer, "minutes": minutes,
            "balance_minutes": minutes, "kind": "service_credit", "record_id": record,
            "demand_id": demand, "funding_source": "issuance"},
            recorded + dt.timedelta(seconds=3), region))
        if n % 4 == 0:
            events.append(_envelope(EVALUATION_SUBMITTED, {
                "demand_id": demand, "volunteer_id": volunteer, "elder_id": elder,
                "score": rng.randrange(3, 6)}, recorded + dt.timedelta(hours=3), region))
        if n % 17 == 3:
            events.append(_envelope(HOURS_GIVEN, {
                "transfer_id": str(uuid.uuid4()), "kind": rng.choice(("gift_to_relative", "donation")),
                "from_person_id": volunteer, "minutes": 30},
                recorded + dt.timedelta(days=1), region))
    return events


def snapshot(engine, tables) -> dict[str, set[tuple]]:
    with engine.connect() as conn:
        return read_model_rows(conn, tables)


@pytest.fixture
def reporting_alone(tmp_path):
    run = uuid.uuid4().hex[:8]
    rabbit = Rabbit(f"tbrestart-{run}")
    rabbit.create()
    databases = ServiceDatabases(f"tbrestart_{run}", services=["reporting"])
    instance = LocalPlatform(env={"AMQP_URI": rabbit.uri}, databases=databases,
                             ports={"reporting": free_port()}, log_dir=tmp_path / "log")
    instance.db_url = databases.superuser_url("reporting")
    try:
        databases.provision()
        instance.run_module("timebank_common.migrations", "reporting")
        instance.start("reporting")
        instance.wait_healthy(["reporting"])
        yield instance, rabbit
    finally:
        instance.stop_all()
        rabbit.delete()
        databases.drop()


def test_a_reporting_process_killed_mid_stream_ends_equal_to_a_rebuild(reporting_alone):
    instance, rabbit = reporting_alone
    events = event_stream(services=600, seed=20261207)
    half = len(events) // 2
    engine = create_engine(instance.db_url)
    bus = EventBus(rabbit.uri)

    def applied() -> int:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM event_archive")).scalar_one()

    try:
        for source, envelope in events[:half]:
            bus.publish(source, envelope)
        for source, envelope in events[:40]:  # redelivered by a relay that died before marking
            bus.publish(source, envelope)
        wait_for(applied, lambda n: n >= 200, timeout=120, interval=0.02)
        instance.kill("reporting")  # SIGKILL, mid-stream
        at_kill = applied()
        assert at_kill < half, f"the whole first half was applied before the kill ({at_kill})"
        for source, envelope in events[half:]:  # while it is down: they wait in its queues
            bus.publish(source, envelope)
        instance.start("reporting")
        instance.wait_healthy(["reporting"])
        wait_for(applied, lambda n: n == len(events), timeout=300, interval=0.2)

        live = snapshot(engine, READ_MODEL_TABLES)
        rebuilt = subprocess.run(
            [sys.executable, "-m", "reporting.commands.rebuild"], cwd=ROOT,
            env=instance.base_env, capture_output=True, text=True, timeout=300)
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert f"replayed {len(events)} events" in rebuilt.stdout
        again = snapshot(engine, READ_MODEL_TABLES)
        for table in READ_MODEL_TABLES:
            assert again[table] == live[table], (
                table, sorted(live[table] - again[table])[:5],
                sorted(again[table] - live[table])[:5])

        # and the figures are what was published: once each, none lost
        published_minutes = sum(e["payload"]["minutes"] for _, e in events
                                if e["event_type"] == "service_recorded")
        credited = sum(e["payload"]["minutes"] for _, e in events
                       if e["event_type"] == "hours_credited")
        with engine.connect() as conn:
            totals = dict(conn.execute(text(
                "SELECT measure, sum(value) FROM facts WHERE region_prefix = '13' "
                "GROUP BY measure")).all())
            inbox = conn.execute(text("SELECT count(*) FROM inbox")).scalar_one()
        assert totals["service_minutes"] == published_minutes
        assert totals["minutes_credited"] == credited
        assert totals["services_recorded"] == sum(
            1 for _, e in events if e["event_type"] == "service_recorded")
        assert inbox == len(events)
    finally:
        bus.close()
        engine.dispose()
