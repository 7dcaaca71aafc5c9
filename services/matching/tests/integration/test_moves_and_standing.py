"""A volunteer who moves within the province, or whose standing changes (identity's
``person_moved`` and ``person_status_changed``): their read-model row follows them, on real
PostgreSQL with the events delivered to matching's handlers as the broker would."""
import uuid

import pytest

from timebank_common.errors import NotFound

from .conftest import HOME, REGION

SJZ_OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000"}
TANGSHAN = "130202001001"  # 唐山市路南区
TANGSHAN_HOME = (39.630, 118.180)
TS_OPERATOR = {"person_id": "op-ts", "roles": ["station_operator"], "scope": "130202001000"}


def moved(events, person_id, to_region=TANGSHAN, from_region=REGION, profiles=("volunteer",)):
    return events("person_moved", {
        "person_id": person_id, "from_region_code": from_region, "to_region_code": to_region,
        "profiles": list(profiles), "carrier_id": None, "moved_by": "op-1",
        "moved_at": events.clock.now().isoformat()}, to_region)


def standing(events, person_id, status, previous="active", region=REGION):
    return events("person_status_changed", {
        "person_id": person_id, "region_code": region, "profiles": ["volunteer"],
        "status": status, "previous_status": previous,
        "reason": None if status == "active" else "家属告知",
        "changed_by": "op-1", "changed_at": events.clock.now().isoformat()}, region)


def candidate_ids(matching, caller, demand_id):
    return [c["volunteer_id"] for c in matching.candidates_for(caller, demand_id)["items"]]


def feed_ids(matching, caller, volunteer_id):
    return [i["demand_id"] for i in matching.feed_for(caller, volunteer_id)["items"]]


def test_a_moved_volunteer_belongs_to_the_new_region(matching, deliver, events, volunteers):
    vid = volunteers.eligible(offset_km=0.2)
    me = {"person_id": vid, "roles": ["volunteer"], "scope": REGION}
    sjz = deliver(events.published(REGION, location=HOME))["payload"]["demand_id"]
    ts = deliver(events.published(TANGSHAN, location=TANGSHAN_HOME))["payload"]["demand_id"]
    assert vid in candidate_ids(matching, SJZ_OPERATOR, sjz)
    with pytest.raises(NotFound):
        matching.get_preferences(TS_OPERATOR, vid)
    early_eligibility = events("volunteer_eligible", {  # occurred before the move ...
        "person_id": vid, "region_code": REGION, "qualifications": []}, REGION)

    deliver(moved(events, vid))
    deliver(early_eligibility)  # ... heard after it: the volunteer stays in 唐山

    # the old home no longer holds: no candidate near it, and 石家庄's staff no longer see them
    assert vid not in candidate_ids(matching, SJZ_OPERATOR, sjz)
    for read in (matching.get_preferences, matching.feed_for):
        with pytest.raises(NotFound):
            read(SJZ_OPERATOR, vid)
    # without a home, their own feed ranks around where they belong now: 唐山 first
    assert feed_ids(matching, me, vid)[0] == ts
    # 唐山's station takes over: it sets the new home, and they are its candidates
    with pytest.raises(NotFound):
        matching.get_preferences(TS_OPERATOR, vid)  # no home yet
    matching.set_preferences(TS_OPERATOR, vid, {
        "home": {"lat": TANGSHAN_HOME[0] + 0.003, "lng": TANGSHAN_HOME[1]}, "radius_km": 5})
    assert vid in candidate_ids(matching, TS_OPERATOR, ts)
    assert feed_ids(matching, TS_OPERATOR, vid) == [ts]
    assert vid not in candidate_ids(matching, SJZ_OPERATOR, sjz)


def test_a_move_heard_twice_or_of_an_elder_changes_nothing_more(matching, deliver, events,
                                                                volunteers):
    vid = volunteers.eligible(offset_km=0.2)
    sjz = deliver(events.published(REGION, location=HOME))["payload"]["demand_id"]
    elder_move = moved(events, vid, profiles=("elder",))  # the elder profile of someone else
    deliver(elder_move)
    assert vid in candidate_ids(matching, SJZ_OPERATOR, sjz)
    event = moved(events, vid, to_region="130102002003")  # another township of 长安区
    deliver(event)
    county = {"person_id": "ad-1", "roles": ["county_admin"], "scope": "130102000000"}
    matching.set_preferences(county, vid, {"home": {"lat": HOME[0], "lng": HOME[1]},
                                           "radius_km": 5})
    deliver(event)  # redelivered: the inbox skips it, the new home stays
    assert matching.get_preferences(county, vid)["home"] == {"lat": HOME[0], "lng": HOME[1]}
    assert vid in candidate_ids(matching, county, sjz)


@pytest.mark.parametrize("status", ["left", "withdrew", "deceased"])
def test_a_volunteer_who_is_not_active_drops_out_and_comes_back(matching, deliver, events,
                                                               volunteers, status):
    vid = volunteers.eligible(offset_km=0.2)
    other = volunteers.eligible(offset_km=0.4)
    demand = deliver(events.published(REGION, location=HOME, needed=2))["payload"]["demand_id"]
    assert {vid, other} <= set(candidate_ids(matching, SJZ_OPERATOR, demand))

    deliver(standing(events, vid, status))
    assert vid not in candidate_ids(matching, SJZ_OPERATOR, demand)
    assert other in candidate_ids(matching, SJZ_OPERATOR, demand)
    me = {"person_id": vid, "roles": ["volunteer"], "scope": REGION}
    assert demand not in feed_ids(matching, me, vid)  # no feed of demands they may take ...
    run = matching.dispatch(SJZ_OPERATOR, {"region_code": REGION})
    assert vid not in {p["volunteer_id"] for p in run["proposals"]}  # ... nor dispatch

    deliver(standing(events, vid, "active", previous=status))
    assert vid in candidate_ids(matching, SJZ_OPERATOR, demand)


def test_a_standing_heard_before_eligibility_keeps_the_volunteer_out(matching, deliver,
                                                                    events, volunteers):
    pid = f"v-{uuid.uuid4().hex[:8]}"
    eligible = events("volunteer_eligible", {"person_id": pid, "region_code": REGION,
                                             "qualifications": []}, REGION)
    deliver(standing(events, pid, "withdrew"))  # occurred later, heard first
    deliver(eligible)
    matching.set_preferences({"person_id": pid, "roles": ["volunteer"], "scope": REGION}, pid,
                             {"home": {"lat": HOME[0], "lng": HOME[1]}, "radius_km": 5})
    demand = deliver(events.published(REGION, location=HOME))["payload"]["demand_id"]
    assert pid not in candidate_ids(matching, SJZ_OPERATOR, demand)
    deliver(standing(events, pid, "active", previous="withdrew"))
    assert pid in candidate_ids(matching, SJZ_OPERATOR, demand)
