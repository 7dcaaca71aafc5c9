"""Who hears of an event besides the person its payload names (pure: what notify
remembers is passed in)."""
import datetime as dt

import pytest

from notify.domain import recipients
from notify.domain.reminders import (
    Reminder,
    reminders_to_schedule,
    urgent_cancellation,
)

START = dt.datetime(2030, 5, 2, 1, tzinfo=dt.UTC)
END = START + dt.timedelta(hours=1)


def reminder(rid, role, person, volunteer, status="scheduled", lead="24h"):
    return Reminder(id=rid, demand_id="d-1", person_id=person, role=role,
                    volunteer_id=volunteer, lead=lead, due_at=START - dt.timedelta(hours=24),
                    window_start=START, window_end=END, status=status)


def test_nearby_demands_are_told_in_their_township_only():
    assert recipients.nearby_township("130102001001") == "130102001"
    assert recipients.nearby_township("130102001000") == "130102001"
    assert recipients.nearby_township("130102") is None  # coarser than a township
    assert recipients.nearby_township(None) is None


def test_a_cancellation_tells_who_is_still_coming_not_who_left_before():
    known = [reminder("r1", "volunteer", "v-1", "v-1", "cancelled"),   # cancelled just now
             reminder("r2", "volunteer", "v-2", "v-2", "cancelled"),   # withdrew earlier
             reminder("r3", "elder", "e-1", "", "cancelled")]
    assert recipients.volunteers_of_cancelled([], known, ["r1", "r3"]) == ["v-1"]
    assert recipients.volunteers_of_cancelled(["v-3"], known, ["r1", "r3"]) == ["v-1", "v-3"]


def test_a_cancellation_without_its_window_takes_the_reminders():
    known = [reminder("r1", "volunteer", "v-1", "v-1")]
    assert recipients.window_of_cancelled({"window_start": None}, known) == {
        "window_start": START.isoformat(), "window_end": END.isoformat()}
    given = {"window_start": "2030-01-01T00:00:00+00:00", "window_end": None}
    assert recipients.window_of_cancelled(given, known) == given
    assert recipients.window_of_cancelled({}, []) == {"window_start": None, "window_end": None}


def test_a_cancellation_is_urgent_only_with_a_window_due_soon_and_not_over():
    window = {"window_start": START.isoformat(), "window_end": END.isoformat()}
    assert urgent_cancellation(window, START - dt.timedelta(hours=2))
    assert not urgent_cancellation(window, START - dt.timedelta(hours=3))
    assert not urgent_cancellation(window, END)
    assert not urgent_cancellation({"window_start": None}, START)


def test_the_elder_left_behind_by_a_volunteer_is_known_from_the_reminders():
    known = [reminder("r1", "volunteer", "v-1", "v-1"), reminder("r2", "elder", "e-1", "")]
    elder, window = recipients.elder_left_behind(known)
    assert elder == "e-1" and window == {"window_start": START.isoformat(),
                                         "window_end": END.isoformat()}
    assert recipients.elder_left_behind(known[:1]) == (None, None)
    assert recipients.window_of_no_show(known) == {"window_end": END.isoformat()}
    assert recipients.window_of_no_show([]) is None


def test_a_disputes_outcome_reaches_each_party_once():
    payload = {"opened_by": "e-1", "volunteer_id": "v-1", "elder_id": "e-1"}
    assert recipients.dispute_parties(payload, None, []) == ["e-1", "v-1"]
    older = {"opened_by": None, "volunteer_id": None}  # the parties as notify remembered them
    assert recipients.dispute_parties(older, "t-9", ["v-2", "e-2"]) == ["t-9", "v-2", "e-2"]
    assert recipients.dispute_parties(older, None, []) == []


def test_station_tasks_go_to_the_station_else_the_township():
    assert recipients.follow_up_staff({"carrier_id": "c-1", "region_code": "130102001001"}) == (
        "c-1", None)
    assert recipients.follow_up_staff({"carrier_id": None, "region_code": "130102001001"}) == (
        None, "130102001001")
    assert recipients.review_staff({"carrier_id": "c-1", "township_code": "130102001000",
                                    "region_code": "130102001001"}) == ("c-1", "130102001000")
    assert recipients.review_staff({"region_code": "130102001001"}) == (None, "130102001001")


def test_a_gift_names_its_relative():
    recipients.gift_recipient_required({"kind": "donation", "to_person_id": None})
    with pytest.raises(ValueError):
        recipients.gift_recipient_required({"kind": "gift_to_relative", "to_person_id": None})


def test_an_assignment_reminds_the_volunteer_and_once_the_elder():
    rows = reminders_to_schedule({"demand_id": "d-1", "volunteer_id": "v-1", "elder_id": "e-1",
                                  "window_start": START.isoformat(),
                                  "window_end": END.isoformat()},
                                 START - dt.timedelta(hours=30))
    assert sorted((r["lead"], r["role"], r["volunteer_id"]) for r in rows) == [
        ("1h", "elder", ""), ("1h", "volunteer", "v-1"),
        ("24h", "elder", ""), ("24h", "volunteer", "v-1")]
    late = reminders_to_schedule({"demand_id": "d-1", "volunteer_id": "v-1",
                                  "window_start": START.isoformat(),
                                  "window_end": END.isoformat()},
                                 START - dt.timedelta(hours=5))
    assert [(r["lead"], r["role"]) for r in late] == [("1h", "volunteer")]
