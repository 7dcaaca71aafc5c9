"""Candidates for a demand: the hard rules, the explained score, who may ask; on real
PostgreSQL, the events delivered to matching's handlers as the broker would."""
import datetime as dt

import pytest

from timebank_common.clock import CHINA
from timebank_common.errors import BadInput, Forbidden, NotFound

from .conftest import HOME, REGION

OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000"}
ELSEWHERE = {"person_id": "op-2", "roles": ["station_operator"], "scope": "130104001000"}


@pytest.fixture
def demand(deliver, events):
    """A published demand at HOME (payload), in 48 hours unless said otherwise."""
    def publish(starts_in_h=48, **kwargs):
        return deliver(events.published(REGION, starts_in_h=starts_in_h, location=HOME,
                                        on_the_hour=True, **kwargs))["payload"]
    return publish


def candidate_ids(matching, demand_id):
    return [c["volunteer_id"] for c in matching.candidates_for(OPERATOR, demand_id)["items"]]


def test_candidates_follow_the_hard_rules_and_explain_their_score(matching, deliver, events,
                                                                  volunteers, demand,
                                                                  demand_service):
    near = volunteers.eligible(offset_km=0.3)
    far = volunteers.eligible(offset_km=2.0)
    out_of_reach = volunteers.eligible(offset_km=4.0, radius=1.0)
    nurse = volunteers.eligible(offset_km=1.0, kinds=["nurse"])
    suspended = volunteers.eligible(offset_km=0.2)
    deliver(events("volunteer_suspended", {
        "person_id": suspended, "region_code": REGION, "reasons": ["screening_flagged"]},
        REGION))
    d = demand()
    ids = candidate_ids(matching, d["demand_id"])
    assert ids.index(near) < ids.index(far)
    assert out_of_reach not in ids and nurse in ids and suspended not in ids
    first = matching.candidates_for(OPERATOR, d["demand_id"])["items"][0]
    assert set(first["parts"]) == {"distance", "reliability", "rating", "fairness", "continuity"}
    asked = demand_service.catalogue_asked
    candidate_ids(matching, d["demand_id"])
    assert demand_service.catalogue_asked == asked  # the catalogue, once asked, is kept

    # a professional category: the catalogue says a nurse is needed (the event does not)
    home_care = demand(category="home_care")
    assert near not in candidate_ids(matching, home_care["demand_id"])
    assert candidate_ids(matching, home_care["demand_id"]) == [nurse]


def test_qualifications_verified_and_expired_change_the_candidates(matching, deliver, events,
                                                                   volunteers, demand):
    helper = volunteers.eligible(offset_km=0.5)
    care = demand(category="home_care")
    assert helper not in candidate_ids(matching, care["demand_id"])
    held = {"person_id": helper, "kind": "nurse", "qualification_id": "q-1", "region_code": REGION}
    deliver(events("qualification_verified", {**held, "valid_until": "2099-12-31"}, REGION))
    assert helper in candidate_ids(matching, care["demand_id"])
    deliver(events("qualification_expired", held, REGION))
    assert helper not in candidate_ids(matching, care["demand_id"])


def test_busy_volunteers_and_unavailable_hours_are_left_out(matching, deliver, events,
                                                            volunteers, demand):
    d = demand(starts_in_h=72)
    start = dt.datetime.fromisoformat(d["window_start"])
    busy = volunteers.eligible(offset_km=0.1)
    other_day = (start.astimezone(CHINA).weekday() + 1) % 7
    away = volunteers.eligible(offset_km=0.1, availability=[
        {"weekday": other_day, "start": "00:00", "end": "24:00"}])
    free = volunteers.eligible(offset_km=0.2)
    deliver(events("demand_assigned", {
        "demand_id": "elsewhere-1", "volunteer_id": busy, "elder_id": "e-9",
        "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=1)).isoformat(), "open_slots": 0}, REGION))
    ids = candidate_ids(matching, d["demand_id"])
    assert free in ids and busy not in ids and away not in ids

    # the other assignment withdrawn (a no-show likewise ends it): free again
    deliver(events("assignment_withdrawn", {
        "demand_id": "elsewhere-1", "volunteer_id": busy, "open_slots": None}, REGION))
    assert busy in candidate_ids(matching, d["demand_id"])


def test_history_and_continuity_raise_the_score(matching, deliver, events, volunteers, demand):
    plain = volunteers.eligible(offset_km=0.5)
    liked = volunteers.eligible(offset_km=0.5)
    d = demand()
    deliver(events("evaluation_submitted", {
        "demand_id": "old-1", "volunteer_id": liked, "elder_id": d["elder_id"], "score": 5},
        REGION))

    def parts():
        items = matching.candidates_for(OPERATOR, d["demand_id"])["items"]
        return {c["volunteer_id"]: c for c in items}
    assert parts()[liked]["parts"]["continuity"] == 1.0
    assert parts()[liked]["score"] > parts()[plain]["score"]


def test_completed_services_and_no_shows_move_reliability(matching, deliver, events,
                                                          volunteers, demand, clock):
    steady = volunteers.eligible(offset_km=0.5)
    absent = volunteers.eligible(offset_km=0.5)
    d = demand()
    deliver(events("service_recorded", {
        "record_id": "r-1", "demand_id": "old-2", "volunteer_id": steady, "elder_id": "e-8",
        "minutes": 60, "recorded_at": clock.now().isoformat()}, REGION))
    deliver(events("assignment_no_show", {
        "demand_id": "old-3", "volunteer_id": absent, "elder_id": "e-8",
        "window_start": clock.now().isoformat(), "region_code": REGION,
        "demand_cancelled": False}, REGION))
    items = {c["volunteer_id"]: c["parts"]
             for c in matching.candidates_for(OPERATOR, d["demand_id"])["items"]}
    assert items[steady]["reliability"] > 0.5 > items[absent]["reliability"]
    assert items[steady]["fairness"] < items[absent]["fairness"]  # 60 minutes this month


def test_candidates_need_an_operator_in_scope(matching, volunteers, demand):
    d = demand()
    with pytest.raises(NotFound) as outside:  # answered as a demand nobody has
        matching.candidates_for(ELSEWHERE, d["demand_id"])
    with pytest.raises(NotFound) as nobody:
        matching.candidates_for(ELSEWHERE, "no-such-demand")
    assert outside.value.code == nobody.value.code == "open_demand_not_found"
    with pytest.raises(Forbidden):
        matching.candidates_for({"person_id": "x", "roles": ["volunteer"], "scope": REGION},
                                d["demand_id"])
    with pytest.raises(NotFound):
        matching.candidates_for(OPERATOR, "no-such-demand")
    with pytest.raises(BadInput):
        matching.set_preferences(OPERATOR, "v-1", {"home": {"lat": 38}, "radius_km": 99})


@pytest.mark.parametrize("home", [{"lat": 91, "lng": 114.5}, {"lat": 38.0, "lng": 200},
                                  {"lat": 0, "lng": 0}, {"lat": -38.04, "lng": 114.51},
                                  {"lat": "nan", "lng": 114.5}])
def test_an_impossible_home_is_refused(matching, volunteers, home):
    vid = volunteers.eligible()
    me = {"person_id": vid, "roles": ["volunteer"], "scope": REGION}
    with pytest.raises(BadInput):
        matching.set_preferences(me, vid, {"home": home, "radius_km": 3})
    assert matching.get_preferences(me, vid)["home"]["lat"] == pytest.approx(HOME[0], abs=0.01)


def test_preferences_are_the_volunteers_own(matching, volunteers):
    vid = volunteers.eligible(offset_km=0.0, radius=3.0)
    me = {"person_id": vid, "roles": ["volunteer"], "scope": REGION}
    assert matching.get_preferences(me, vid) == {
        "volunteer_id": vid, "home": {"lat": HOME[0], "lng": HOME[1]}, "radius_km": 3.0,
        "availability": []}
    assert matching.get_preferences(OPERATOR, vid)["radius_km"] == 3.0  # staff may read
    other = {"person_id": "v-other", "roles": ["volunteer"], "scope": REGION}
    with pytest.raises(Forbidden):
        matching.get_preferences(other, vid)
    with pytest.raises(Forbidden):
        matching.set_preferences(other, vid, {"home": {"lat": 38, "lng": 114}})
    with pytest.raises(NotFound):
        matching.get_preferences(OPERATOR, "v-never-set")


def test_staff_read_and_change_preferences_only_of_volunteers_in_their_scope(
        matching, volunteers, identity):
    """The leak of issue 13: staff of any city could read and overwrite any volunteer's home."""
    vid = volunteers.eligible(offset_km=0.0, radius=3.0)  # 育才社区 (matching knows them)
    unknown_here = identity.add_volunteer(region_code=REGION)  # identity knows them only
    other_city = identity.add_volunteer(region_code="130202001001")  # 唐山
    tangshan = {"person_id": "op-ts", "roles": ["station_operator"], "scope": "130202001000"}
    city_admin = {"person_id": "ad-ts", "roles": ["city_admin"], "scope": "130200000000"}
    auditor = {"person_id": "au-ts", "roles": ["auditor"], "scope": "130200000000"}
    new_home = {"home": {"lat": 39.63, "lng": 118.18}, "radius_km": 5}
    for caller in (tangshan, city_admin):
        refusals = []
        for target in (vid, "v-nobody-has-this"):
            with pytest.raises(NotFound) as refused:
                matching.set_preferences(caller, target, new_home)
            refusals.append(refused.value.to_body())
            with pytest.raises(NotFound):
                matching.get_preferences(caller, target)
        assert refusals[0] == {**refusals[1], "details": refusals[0]["details"]}
        assert refusals[0]["error"] == "volunteer_not_found"
    with pytest.raises(NotFound):  # longer than any person id: not even identity is asked
        matching.get_preferences(OPERATOR, "v" * 80)
    with pytest.raises(NotFound):
        matching.get_preferences(auditor, vid)
    assert matching.get_preferences(OPERATOR, vid)["home"] == {"lat": HOME[0], "lng": HOME[1]}

    # a volunteer matching has not heard of yet is placed by identity's person_standing
    assert matching.set_preferences(OPERATOR, unknown_here, new_home)["radius_km"] == 5
    with pytest.raises(NotFound):
        matching.set_preferences(OPERATOR, other_city, new_home)
    assert matching.set_preferences(city_admin, other_city, new_home)["radius_km"] == 5
    assert matching.get_preferences(auditor, other_city)["radius_km"] == 5
