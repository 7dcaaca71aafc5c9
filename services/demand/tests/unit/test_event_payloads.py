"""Event payloads as other services read them (no I/O): what demand's contracts put in, and
what a consumer reads back with them."""
import datetime as dt

from demand.app import payloads
from demand.contracts import (
    DEMAND_CANCELLED,
    EVENTS,
    DisputeOpenedEvent,
    DisputeResolvedEvent,
    FollowUpOpenedEvent,
)
from demand.domain.lifecycle import Demand

START = dt.datetime(2030, 5, 1, 1, 0, tzinfo=dt.UTC)


def test_a_cancellation_says_who_was_coming_and_when():
    demand = Demand(id="d1", elder_id="elder", category="assistance",
                    region_code="130102001001", window_start=START,
                    window_end=START + dt.timedelta(hours=2), expected_minutes=60,
                    volunteers_needed=1, channel="phone")
    demand.review("approve", "op", START - dt.timedelta(days=1))
    demand.assign("vol-1", "130102001001", "vol-1", START - dt.timedelta(hours=3))
    demand.cancel("op", START - dt.timedelta(hours=1), "老人住院")
    payload = DEMAND_CANCELLED.dump(payloads.cancelled(demand))
    assert payload == {"demand_id": "d1", "elder_id": "elder", "region_code": "130102001001",
                       "reason": "老人住院", "volunteer_ids": ["vol-1"],
                       "window_start": "2030-05-01T01:00:00+00:00",
                       "window_end": "2030-05-01T03:00:00+00:00"}
    assert DEMAND_CANCELLED.load(payload)["volunteer_ids"] == ["vol-1"]  # the same keys


def test_a_follow_up_names_its_station_and_a_dispute_its_parties():
    follow_up = FollowUpOpenedEvent().dump({
        "follow_up_id": "f1", "kind": "low_score", "demand_id": "d1", "volunteer_id": "v1",
        "elder_id": "e1", "region_code": "130102001001", "carrier_id": "c1", "score": 1,
        "status": "open"})
    assert follow_up["carrier_id"] == "c1" and "status" not in follow_up
    dispute = {"dispute_id": "x1", "subject": "record", "subject_id": "r1", "record_id": "r1",
               "demand_id": "d1", "elder_id": "e1", "volunteer_id": "v1",
               "region_code": "130102001001", "opened_by": "e1", "opener_role": "elder",
               "reason": "时长不对", "status": "open"}
    opened = DisputeOpenedEvent().dump(dispute)
    resolved = DisputeResolvedEvent().dump({**dispute, "outcome": "upheld", "minutes": None,
                                               "approver": "t1", "credited": False})
    for payload in (opened, resolved):
        assert (payload["volunteer_id"], payload["elder_id"], payload["opened_by"]) == (
            "v1", "e1", "e1")


def test_every_event_is_declared_once_with_a_summary():
    names = [event.name for event in EVENTS]
    assert len(names) == len(set(names)) == 21
    assert all(event.source == "demand" and event.summary for event in EVENTS)
