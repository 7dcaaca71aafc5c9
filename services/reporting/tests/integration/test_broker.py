"""The running service on RabbitMQ: events published as the producers' relays do reach the
read model through the durable queues, once each, and the series RPC answers them."""
from __future__ import annotations

import datetime as dt

import pytest
from timebank_testing.infra import wait_for

from reporting.service import ReportingService
from timebank_common import metrics

from .conftest import PROVINCE_ADMIN, credited, recorded

UTC = dt.UTC


@pytest.fixture(scope="module")
def running(service_config, start_module_service, own_database_url):
    """On a database of its own: what it commits stays out of the rolled-back tests."""
    return start_module_service(ReportingService, service_config(
        None, DATABASE_URL=own_database_url("reporting")))


def minutes_of(reporting_rpc, first, measure):
    answer = reporting_rpc.series(PROVINCE_ADMIN, {
        "region_code": "130000000000", "period": "year", "from": first, "to": first,
        "measures": [measure]})
    return answer["rows"][0]["values"][measure]


def duplicates(event_type):
    """Deliveries the inbox skipped (the container runs in this process)."""
    return metrics.EVENTS_HANDLED.labels(event_type, "duplicate")._value.get()


def test_published_events_are_counted_once_each(running, rpc, event_bus):
    day = dt.datetime(2025, 3, 3, 4, tzinfo=UTC)
    service = recorded(day, minutes=75)
    credit = credited(day, minutes=75)
    event_bus.publish("demand", service)
    event_bus.publish("demand", service)  # redelivered by a relay that crashed before marking
    event_bus.publish("ledger", credit)
    with rpc("reporting") as reporting:
        wait_for(lambda: minutes_of(reporting, "2025-03-03", "minutes_credited") == 75)
        wait_for(lambda: minutes_of(reporting, "2025-03-03", "service_minutes") == 75)
        skipped = duplicates("hours_credited")
        event_bus.publish("ledger", credit)
        event_bus.publish("ledger", credited(day, minutes=5))
        wait_for(lambda: duplicates("hours_credited") == skipped + 1)
        wait_for(lambda: minutes_of(reporting, "2025-03-03", "minutes_credited") == 80)
        assert duplicates("service_recorded") >= 1
        assert minutes_of(reporting, "2025-03-03", "service_minutes") == 75


def test_a_published_credit_correction_reaches_the_service_record(running, event_bus,
                                                                  own_database_url):
    import uuid

    import sqlalchemy as sa

    from timebank_common.db import make_engine

    from .conftest import envelope

    day = dt.datetime(2025, 3, 4, 4, tzinfo=UTC)
    service = recorded(day, minutes=60)
    record_id = service["payload"]["record_id"]
    correction = envelope("credit_corrected", {
        "transfer_id": str(uuid.uuid4()), "record_id": record_id, "person_id": "v1",
        "minutes": -20, "credited_minutes": 40, "outcome": "minutes_adjusted"},
        day + dt.timedelta(days=1))
    event_bus.publish("ledger", correction)  # before the record itself: still joined
    event_bus.publish("demand", service)
    engine = make_engine(own_database_url("reporting"), pool_size=1)
    try:
        def row():
            with engine.connect() as conn:
                return conn.execute(sa.text(
                    "SELECT recorded_minutes, credited_minutes, version FROM service_records "
                    "WHERE record_id = :r"), {"r": record_id}).first()

        wait_for(lambda: row() is not None and tuple(row()) == (60, 40, 2))
    finally:
        engine.dispose()


def test_the_newer_events_reach_the_overview_through_their_queues(running, rpc, event_bus):
    """One event of each producer's newer kinds, on their durable queues, in the ``overview``
    RPC's answer."""
    from .conftest import COMMUNITY, envelope

    day = dt.datetime(2025, 4, 7, 4, tzinfo=UTC)
    event_bus.publish("ledger", envelope("credit_corrected", {
        "transfer_id": "dispute:b1", "record_id": "r-b1", "person_id": "v1", "minutes": -20,
        "credited_minutes": 40, "outcome": "minutes_adjusted", "dispute_id": "b1"}, day))
    event_bus.publish("ledger", envelope("hours_granted", {
        "transfer_id": "grant:b1", "person_id": "e-b1", "minutes": 120,
        "category": "empty_nest", "period": "2025-Q2"}, day))
    event_bus.publish("identity", envelope("elder_priority_granted", {
        "person_id": "e-b1", "category": "empty_nest", "region_code": COMMUNITY,
        "verified_by": "adm"}, day))
    event_bus.publish("demand", envelope("recording_overdue", {
        "demand_id": "d-b1", "volunteer_id": "v1", "elder_id": "e-b1",
        "region_code": COMMUNITY, "checked_out_at": day.isoformat(),
        "due_at": day.isoformat(), "level": "station"}, day))

    def figures(reporting):
        return reporting.overview(PROVINCE_ADMIN, {"region_code": "130000000000",
                                                   "from": "2025-04-07", "to": "2025-04-07"})

    with rpc("reporting") as reporting:
        wait_for(lambda: (figures(reporting)["totals"]["minutes_reversed"],
                          figures(reporting)["totals"]["minutes_granted"],
                          figures(reporting)["totals"]["services_unrecorded"],
                          figures(reporting)["priority_elders_by_category"]) == (
            20, 120, 1, {"empty_nest": 1}))
