"""identity's ``person_status_changed`` and ``person_moved`` as demand handles them (once
each): a deceased or departed elder's open demands are cancelled, a volunteer who left loses
the assignments not yet started, a move leaves a trace. In the test's process on a
rolled-back unit of work; the events are built as identity sends them."""
import datetime as dt

import pytest

from timebank_common.db import make_event

from .conftest import OPERATOR, PLACE, new_id, published, served, submission, volunteer


@pytest.fixture
def demand(in_process):
    return in_process()


def status_changed(person_id, status, profiles, at):
    return make_event("person_status_changed", {
        "person_id": person_id, "region_code": "130102001001", "profiles": profiles,
        "status": status, "previous_status": "active", "reason": "家属电话告知",
        "changed_by": "op-1", "changed_at": at.isoformat()}, "130102001001")


def test_a_deceased_elders_open_demands_are_cancelled_once(demand, clock, outbox):
    elder_id = new_id("elder")
    waiting = demand.submit(OPERATOR, submission(clock.now(), elder_id=elder_id))
    open_ = published(demand, clock.now(), elder_id=elder_id, category="assistance")
    taken = published(demand, clock.now(), elder_id=elder_id, category="outing_companion",
                      funding="own_hours")
    demand.claim(volunteer(), taken["demand_id"])
    under_way, _ = served(demand, clock.now(), elder_id=elder_id, present=1,
                          served_minutes=10)  # checked out: awaiting its record
    event = status_changed(elder_id, "deceased", ["elder"], clock.now())
    demand.on_person_status_changed(event)
    demand.on_person_status_changed(event)  # redelivered: nothing more

    for made in (waiting, open_, taken):
        shown = demand.get(OPERATOR, made["demand_id"])
        assert (shown["status"], shown["cancel_reason"]) == ("cancelled", "elder_deceased")
    assert demand.get(OPERATOR, under_way["demand_id"])["status"] == "awaiting_record"
    cancelled = [p["demand_id"] for p in outbox("demand_cancelled")]
    assert sorted(cancelled) == sorted(m["demand_id"] for m in (waiting, open_, taken))
    [released] = [p for p in outbox("reservation_released")
                  if p["demand_id"] == taken["demand_id"]]
    assert released["reason"] == "cancelled"


def test_a_volunteer_who_left_loses_the_assignments_not_yet_started(demand, clock, outbox):
    v = volunteer()
    later = published(demand, clock.now(), funding="grant", start_in_hours=30)
    demand.claim(v, later["demand_id"])
    started, _ = served(demand, clock.now(), who=[v])
    event = status_changed(v["person_id"], "left", ["volunteer"], clock.now())
    demand.on_person_status_changed(event)
    demand.on_person_status_changed(event)

    shown = demand.get(OPERATOR, later["demand_id"])
    [mine] = shown["assignments"]
    assert (shown["status"], shown["open_slots"]) == ("published", 1)  # someone else may go
    assert (mine["status"], mine["end_reason"]) == ("withdrawn", "volunteer_left")
    [withdrawn] = [p for p in outbox("assignment_withdrawn")
                   if p["demand_id"] == later["demand_id"]]
    assert withdrawn["reason"] == "volunteer_left"
    assert [p["reason"] for p in outbox("reservation_released")
            if p["demand_id"] == later["demand_id"]] == ["withdrawn"]
    # the service already given waits for its record as before
    assert demand.get(OPERATOR, started["demand_id"])["status"] == "awaiting_record"


def test_back_to_active_changes_nothing(demand, clock):
    elder_id = new_id("elder")
    made = published(demand, clock.now(), elder_id=elder_id)
    demand.on_person_status_changed(make_event("person_status_changed", {
        "person_id": elder_id, "region_code": "130102001001", "profiles": ["elder"],
        "status": "active", "previous_status": "left", "reason": "回到本地",
        "changed_by": "op-1", "changed_at": clock.now().isoformat()}, "130102001001"))
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "published"


def test_a_moved_elders_open_demands_stay_and_show_the_move(demand, clock):
    elder_id = new_id("elder")
    made = published(demand, clock.now(), elder_id=elder_id)
    moved_at = clock.now() + dt.timedelta(minutes=5)
    event = make_event("person_moved", {
        "person_id": elder_id, "from_region_code": "130102001001",
        "to_region_code": "130203001001", "profiles": ["elder"], "carrier_id": None,
        "from_carrier_id": "carrier-7", "moved_by": "op-1", "moved_at": moved_at.isoformat()},
        "130203001001")
    demand.on_person_moved(event)
    demand.on_person_moved(event)
    shown = demand.get(OPERATOR, made["demand_id"])
    assert (shown["status"], shown["region_code"]) == ("published", made["region_code"])
    [trace] = shown["changes"]
    assert (trace["field"], trace["before"], trace["after"]) == (
        "elder_region_code", "130102001001", "130203001001")
    assert "原服务站" in trace["reason"]
    assert shown["location"] == PLACE  # the service happens where it was asked for
