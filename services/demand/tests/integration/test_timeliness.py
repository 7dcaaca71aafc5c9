"""Recording timeliness (及时): a service checked out and not recorded in time is reported to
the station, then to the township, each once; counted in the statistics. In the test's
process on a rolled-back unit of work; the clock is driven by the test."""
import datetime as dt

import pytest

from timebank_common.clock import CHINA

from .conftest import OPERATOR, REGION, served

TOWNSHIP_ADMIN = {"person_id": "adm-t", "roles": ["township_admin"], "scope": "130102001000"}
PROVINCE_ADMIN = {"person_id": "pa", "roles": ["province_admin"], "scope": "130000000000"}


@pytest.fixture
def demand(in_process):
    return in_process()


def reports(outbox, demand_id):
    return [(p["level"], p["due_at"]) for p in outbox("recording_overdue")
            if p["demand_id"] == demand_id]


def test_an_unrecorded_service_goes_to_the_station_then_the_township_once(demand, clock,
                                                                          outbox):
    made, [v] = served(demand, clock.now())
    checked_out = clock.now()
    clock.advance(hours=23, minutes=59)
    demand.report_unrecorded()
    assert reports(outbox, made["demand_id"]) == []

    clock.set(checked_out + dt.timedelta(hours=24))
    assert demand.report_unrecorded() >= 1
    demand.report_unrecorded()  # again (another process): nothing more
    station_due = (checked_out + dt.timedelta(hours=24)).isoformat()
    assert reports(outbox, made["demand_id"]) == [("station", station_due)]
    [payload] = [p for p in outbox("recording_overdue") if p["demand_id"] == made["demand_id"]]
    assert payload == {"demand_id": made["demand_id"], "volunteer_id": v["person_id"],
                       "elder_id": made["elder_id"], "region_code": REGION,
                       "carrier_id": "carrier-7", "checked_out_at": checked_out.isoformat(),
                       "due_at": station_due, "level": "station"}

    clock.set(checked_out + dt.timedelta(hours=48))
    demand.report_unrecorded()
    clock.advance(days=3)
    demand.report_unrecorded()
    assert [level for level, _ in reports(outbox, made["demand_id"])] == ["station", "township"]
    shown = demand.get(OPERATOR, made["demand_id"])["recording_overdue"]  # the station sees it
    assert [(r["volunteer_id"], r["level"]) for r in shown] == [
        (v["person_id"], "station"), (v["person_id"], "township")]

    today = clock.now().astimezone(CHINA).date()
    figures = demand.demand_stats(TOWNSHIP_ADMIN, period_from=(
        today - dt.timedelta(days=10)).isoformat(), period_to=today.isoformat())
    assert figures["recording"]["overdue_to_station"] >= 1
    assert figures["recording"]["overdue_to_township"] >= 1

    # recorded at last: nothing more is reported
    demand.record(OPERATOR, made["demand_id"], {"volunteer_id": v["person_id"], "minutes": 60,
                                               "confirmation": "phone"})
    clock.advance(days=3)
    demand.report_unrecorded()
    assert len(reports(outbox, made["demand_id"])) == 2


def test_a_service_recorded_in_time_is_never_reported(demand, clock, outbox):
    made, [v] = served(demand, clock.now())
    clock.advance(hours=23)
    demand.record(OPERATOR, made["demand_id"], {"volunteer_id": v["person_id"], "minutes": 60,
                                               "confirmation": "phone"})
    clock.advance(days=5)
    demand.report_unrecorded()
    assert reports(outbox, made["demand_id"]) == []


def test_a_region_sets_its_own_limits(demand, clock, outbox):
    today = clock.now().astimezone(CHINA).date().isoformat()
    demand.add_evidence_policy(PROVINCE_ADMIN, {
        "region_code": "130100000000", "effective_from": today,
        "values": {"record_within_hours": 4, "township_record_within_hours": 8},
        "reason": "石家庄：当日记录"})
    made, _ = served(demand, clock.now())
    clock.advance(hours=4)
    demand.report_unrecorded()
    assert [level for level, _ in reports(outbox, made["demand_id"])] == ["station"]
    clock.advance(hours=4)
    demand.report_unrecorded()
    assert [level for level, _ in reports(outbox, made["demand_id"])] == ["station", "township"]
