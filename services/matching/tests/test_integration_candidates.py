"""Candidates, dispatch and statistics in a real matching container (PostgreSQL, RabbitMQ).

Identity and demand events are published as their outbox relays publish them; demand's
``assign`` is answered by a small stand-in nameko service (as demand's own tests stand in for
identity) that records what it was asked.
"""
import datetime as dt
import uuid
from functools import partial

import eventlet
import pytest
from nameko.rpc import rpc as rpc_method
from timebank_testing import wait_for as shared_wait_for

from matching.service import MatchingService
from timebank_common.db import make_event
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound

pytestmark = pytest.mark.integration

REGION = "130102001001"
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000"}
ADMIN = {"person_id": "adm-1", "roles": ["county_admin"], "scope": "130102000000"}
ELSEWHERE = {"person_id": "op-2", "roles": ["station_operator"], "scope": "130104001000"}
HOME = (38.040, 114.510)
wait_for = partial(shared_wait_for, timeout=10.0)
ASSIGNED: list[tuple[str, str]] = []


class StandInDemand:
    name = "demand"

    @rpc_method
    def catalog(self):
        return [{"code": "companionship", "qualifications": []},
                {"code": "home_care", "qualifications": ["nurse"]}]

    @rpc_method
    def assign(self, caller, demand_id, volunteer_id):
        ASSIGNED.append((demand_id, volunteer_id))
        return {"demand_id": demand_id}


@pytest.fixture(scope="module")
def running(service_config, start_module_service):
    start_module_service(MatchingService, service_config("matching"))
    start_module_service(StandInDemand, service_config(None))


@pytest.fixture
def matching(running, rpc):
    with rpc("matching") as proxy:
        yield proxy


@pytest.fixture
def publish(event_bus):
    return lambda source, event: event_bus.publish(source, event)


def eligible_volunteer(matching, publish, offset_km=0.5, radius=5.0, kinds=(), availability=()):
    pid = f"v-{uuid.uuid4().hex[:8]}"
    publish("identity", make_event("volunteer_eligible", {
        "person_id": pid, "region_code": REGION, "qualifications": list(kinds)}, REGION))
    matching.set_preferences({"person_id": pid, "roles": ["volunteer"], "scope": REGION}, pid, {
        "home": {"lat": HOME[0] + offset_km / 111.2, "lng": HOME[1]}, "radius_km": radius,
        "availability": list(availability)})
    return pid


def demand(publish, starts_in_h=48, needed=1, kinds=(), hours=2, category="companionship"):
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=starts_in_h)).replace(
        minute=0, second=0, microsecond=0)
    event = make_event("demand_published", {
        "demand_id": str(uuid.uuid4()), "elder_id": f"e-{uuid.uuid4().hex[:6]}",
        "category": category, "region_code": REGION, "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=hours)).isoformat(), "expected_minutes": 60,
        "volunteers_needed": needed, "location": {"lat": HOME[0], "lng": HOME[1]},
        "qualifications": list(kinds)}, REGION)
    publish("demand", event)
    return event["payload"]


def candidate_ids(matching, demand_id):
    try:
        return [c["volunteer_id"] for c in matching.candidates_for(OPERATOR, demand_id)["items"]]
    except NotFound:
        return None


def test_candidates_follow_the_hard_rules_and_explain_their_score(matching, publish):
    near = eligible_volunteer(matching, publish, offset_km=0.3)
    far = eligible_volunteer(matching, publish, offset_km=2.0)
    out_of_reach = eligible_volunteer(matching, publish, offset_km=4.0, radius=1.0)
    nurse = eligible_volunteer(matching, publish, offset_km=1.0, kinds=["nurse"])
    suspended = eligible_volunteer(matching, publish, offset_km=0.2)
    publish("identity", make_event("volunteer_suspended", {
        "person_id": suspended, "region_code": REGION, "reasons": ["screening_flagged"]}, REGION))
    d = demand(publish)
    wait_for(lambda: (ids := candidate_ids(matching, d["demand_id"])) and far in ids
             and suspended not in ids)
    ids = candidate_ids(matching, d["demand_id"])
    assert ids.index(near) < ids.index(far)
    assert out_of_reach not in ids and nurse in ids
    first = matching.candidates_for(OPERATOR, d["demand_id"])["items"][0]
    assert set(first["parts"]) == {"distance", "reliability", "rating", "fairness", "continuity"}

    care = demand(publish, kinds=["nurse"])
    wait_for(lambda: candidate_ids(matching, care["demand_id"]) is not None)
    assert nurse in candidate_ids(matching, care["demand_id"])
    assert near not in candidate_ids(matching, care["demand_id"])
    # a professional category: the catalogue says a nurse is needed, even if the event does not
    home_care = demand(publish, category="home_care")
    wait_for(lambda: candidate_ids(matching, home_care["demand_id"]) is not None)
    assert candidate_ids(matching, home_care["demand_id"]) == [nurse]


def test_busy_volunteers_and_unavailable_hours_are_left_out(matching, publish):
    d = demand(publish, starts_in_h=72)
    start = dt.datetime.fromisoformat(d["window_start"])
    busy = eligible_volunteer(matching, publish, offset_km=0.1)
    other_day = (start.astimezone(dt.timezone(dt.timedelta(hours=8))).weekday() + 1) % 7
    away = eligible_volunteer(matching, publish, offset_km=0.1, availability=[
        {"weekday": other_day, "start": "00:00", "end": "24:00"}])
    free = eligible_volunteer(matching, publish, offset_km=0.2)
    publish("demand", make_event("demand_assigned", {
        "demand_id": "elsewhere-1", "volunteer_id": busy, "elder_id": "e-9",
        "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=1)).isoformat(), "open_slots": 0}, REGION))
    wait_for(lambda: (ids := candidate_ids(matching, d["demand_id"])) and free in ids
             and busy not in ids)
    assert away not in candidate_ids(matching, d["demand_id"])


def test_history_and_continuity_raise_the_score(matching, publish):
    plain = eligible_volunteer(matching, publish, offset_km=0.5)
    liked = eligible_volunteer(matching, publish, offset_km=0.5)
    d = demand(publish)
    publish("demand", make_event("evaluation_submitted", {
        "demand_id": "old-1", "volunteer_id": liked, "elder_id": d["elder_id"], "score": 5},
        REGION))

    def parts():
        items = matching.candidates_for(OPERATOR, d["demand_id"])["items"]
        return {c["volunteer_id"]: c for c in items}
    wait_for(lambda: candidate_ids(matching, d["demand_id"]) is not None
             and liked in parts() and parts()[liked]["parts"]["continuity"] == 1.0)
    assert parts()[liked]["score"] > parts()[plain]["score"]


def test_candidates_need_an_operator_in_scope(matching, publish):
    d = demand(publish)
    wait_for(lambda: candidate_ids(matching, d["demand_id"]) is not None)
    with pytest.raises(Forbidden):
        matching.candidates_for(ELSEWHERE, d["demand_id"])
    with pytest.raises(Forbidden):
        matching.candidates_for({"person_id": "x", "roles": ["volunteer"], "scope": REGION},
                                d["demand_id"])
    with pytest.raises(NotFound):
        matching.candidates_for(OPERATOR, "no-such-demand")
    with pytest.raises(BadInput):
        matching.set_preferences(OPERATOR, "v-1", {"home": {"lat": 38}, "radius_km": 99})


def test_dispatch_holds_proposals_then_an_operator_approves_or_rejects(matching, publish):
    for offset in (0.2, 0.4, 0.6):
        eligible_volunteer(matching, publish, offset_km=offset)
    group = demand(publish, starts_in_h=200, needed=2)
    overlapping = demand(publish, starts_in_h=201)
    wait_for(lambda: candidate_ids(matching, overlapping["demand_id"]) is not None)
    run = matching.dispatch(OPERATOR, {"region_code": REGION, "auto_apply": False})
    mine = [p for p in run["proposals"]
            if p["demand_id"] in (group["demand_id"], overlapping["demand_id"])]
    by_volunteer = {}
    for p in mine:
        by_volunteer.setdefault(p["volunteer_id"], []).append(p["demand_id"])
    assert all(len(ds) == 1 for ds in by_volunteer.values())  # no overlapping assignments
    assert {p["status"] for p in mine} == {"held"}
    assert len(mine) == 3  # both slots of the group demand and the overlapping one

    held = matching.proposals(OPERATOR, "held")["items"]
    first, second = mine[0], mine[1]
    assert first["proposal_id"] in {p["proposal_id"] for p in held}
    approved = matching.decide_proposal(OPERATOR, first["proposal_id"], {"decision": "approve"})
    assert approved["status"] == "applied"
    assert (first["demand_id"], first["volunteer_id"]) in ASSIGNED
    with pytest.raises(Conflict):
        matching.decide_proposal(OPERATOR, first["proposal_id"], {"decision": "reject"})
    rejected = matching.decide_proposal(OPERATOR, second["proposal_id"], {"decision": "reject"})
    assert rejected["status"] == "rejected"
    assert (second["demand_id"], second["volunteer_id"]) not in ASSIGNED
    with pytest.raises(Forbidden):
        matching.dispatch(ELSEWHERE, {"region_code": REGION})


def test_auto_apply_region_setting_and_statistics(matching, publish):
    eligible_volunteer(matching, publish, offset_km=0.3)
    d = demand(publish, starts_in_h=400)
    wait_for(lambda: candidate_ids(matching, d["demand_id"]) is not None)
    with pytest.raises(Forbidden):
        matching.set_dispatch_setting(OPERATOR, REGION, {"auto_apply": True})
    matching.set_dispatch_setting(ADMIN, "130102000000", {"auto_apply": True})
    try:
        run = matching.dispatch(OPERATOR, {"region_code": REGION})
    finally:
        matching.set_dispatch_setting(ADMIN, "130102000000", {"auto_apply": False})
    assert run["auto_apply"] is True
    mine = [p for p in run["proposals"] if p["demand_id"] == d["demand_id"]]
    assert mine and mine[0]["status"] == "applied" and run["applied"] >= 1
    stats = matching.matching_stats(ADMIN, "130102000000")
    assert stats["published"] >= 1 and stats["with_candidate"] >= 1
    assert stats["dispatch"]["proposals"]["applied"] >= 1
    assert stats["time_to_first_candidate_seconds"]["median"] is not None
    with pytest.raises(Forbidden):
        matching.matching_stats(OPERATOR, REGION)


def test_feed_of_a_volunteer_with_a_home_lists_only_what_they_may_take(matching, publish):
    vid = eligible_volunteer(matching, publish, offset_km=0.0, radius=3.0)
    me = {"person_id": vid, "roles": ["volunteer"], "scope": REGION}
    plain = demand(publish, starts_in_h=500)
    needs_nurse = demand(publish, starts_in_h=501, kinds=["nurse"])
    publish("identity", make_event("elder_priority_granted", {
        "person_id": "e-prio", "category": "empty_nest", "region_code": REGION,
        "verified_by": "op-1"}, REGION))
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=502)).replace(minute=0, second=0,
                                                                        microsecond=0)
    priority = make_event("demand_published", {
        "demand_id": str(uuid.uuid4()), "elder_id": "e-prio", "category": "companionship",
        "region_code": REGION, "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=1)).isoformat(), "expected_minutes": 60,
        "volunteers_needed": 1, "location": {"lat": HOME[0], "lng": HOME[1]}}, REGION)
    wait_for(lambda: candidate_ids(matching, plain["demand_id"]) is not None)
    eventlet.sleep(0.3)  # the priority grant is on identity's queue, ahead of the publication
    publish("demand", priority)
    pid = priority["payload"]["demand_id"]
    wait_for(lambda: pid in [i["demand_id"] for i in matching.feed_for(me, vid)["items"]])
    items = matching.feed_for(me, vid)["items"]
    ids = [i["demand_id"] for i in items]
    assert needs_nurse["demand_id"] not in ids
    assert ids.index(pid) < ids.index(plain["demand_id"])  # same band: priority elder first
    assert next(i for i in items if i["demand_id"] == pid)["priority_elder"] is True


def _started_by_an_early_check_in(published_payload, taken_by):
    """``demand_started`` as demand makes it, with demand's event contract: the volunteers
    taken, the first checking in 20 minutes before the window; the service under way, no slot
    stays open (those still open before the check-in are ``slots_closed``)."""
    from demand.contracts import DEMAND_STARTED

    p = published_payload
    start = dt.datetime.fromisoformat(p["window_start"])
    early = start - dt.timedelta(minutes=20)
    return make_event("demand_started", DEMAND_STARTED.dump({
        "demand_id": p["demand_id"], "volunteer_id": taken_by[0], "started_at": early,
        "window_start": start, "open_slots": 0,
        "slots_closed": p["volunteers_needed"] - len(taken_by),
        "region_code": p["region_code"]}), p["region_code"])


def test_a_demand_started_by_an_early_check_in_leaves_feeds_and_candidates(matching, publish):
    """A group demand for three with one volunteer on it still shows two open slots; when
    that volunteer checks in before the window the service is under way and demand refuses
    claims, so the demand must leave every feed (a volunteer with a home: the in-memory view;
    one without: the city-level feed) and the candidates at once, not at the window start."""
    vid = eligible_volunteer(matching, publish, offset_km=0.0, radius=3.0)
    near = {"person_id": vid, "roles": ["volunteer"], "scope": REGION}
    homeless = f"v-{uuid.uuid4().hex[:8]}"
    city = {"person_id": homeless, "roles": ["volunteer"], "scope": REGION}
    group = demand(publish, starts_in_h=530, needed=3)
    other = demand(publish, starts_in_h=531)  # a demand nobody started: stays offered

    def offered(caller, person):
        return [i["demand_id"] for i in matching.feed_for(caller, person)["items"]]

    wait_for(lambda: {group["demand_id"], other["demand_id"]} <= set(offered(near, vid)))
    publish("demand", make_event("demand_assigned", {
        "demand_id": group["demand_id"], "volunteer_id": "v-first", "elder_id":
        group["elder_id"], "window_start": group["window_start"],
        "window_end": group["window_end"], "open_slots": 2}, REGION))
    wait_for(lambda: [i["open_slots"] for i in matching.feed_for(near, vid)["items"]
                      if i["demand_id"] == group["demand_id"]] == [2])
    assert group["demand_id"] in offered(city, homeless)
    assert vid in candidate_ids(matching, group["demand_id"])

    publish("demand", _started_by_an_early_check_in(group, ["v-first"]))
    wait_for(lambda: group["demand_id"] not in offered(near, vid))
    assert group["demand_id"] not in offered(city, homeless)
    assert candidate_ids(matching, group["demand_id"]) is None  # 404: not open
    assert other["demand_id"] in offered(near, vid)
