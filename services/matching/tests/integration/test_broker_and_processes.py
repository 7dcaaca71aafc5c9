"""What needs RabbitMQ and several processes: every consumed event reaches its handler through
the broker, and each matching process keeps its own in-memory views current by deltas.

Two matching containers share one database and one RabbitMQ vhost, as two processes of the
service do: an event is handled by one of them, and the other learns of it only through the
change log. Each container is asked directly (``entrypoint_hook``), so the test knows which
view answered. Both read the same ``FixedClock``. The place is 辛集 (130181), away from the
data other modules commit to this database.
"""
import datetime as dt
import uuid
from dataclasses import astuple, replace
from functools import partial

import pytest
from nameko.testing.services import entrypoint_hook
from sqlalchemy import text
from timebank_testing import wait_for as shared_wait_for

from matching.adapters import catalogue, match_inputs, preferences
from matching.adapters.index_cache import IndexCache
from matching.adapters.shared_index import SharedIndex
from matching.domain.city_feed import FEED_SIZE
from matching.domain.dispatch import plan_dispatch
from matching.domain.feed import rank_feed
from matching.domain.volunteer_index import VolunteerIndex
from matching.service import MatchingService
from timebank_common.clock import FixedClock
from timebank_common.db import UnitOfWork, make_engine, make_event
from timebank_common.errors import NotFound
from timebank_common.rpc import rpc as rpc_method

REGION = "130181001001"
OPERATOR = {"person_id": "op-xj", "roles": ["station_operator"], "scope": "130181001000"}
CENTRE = (37.943, 115.218)
wait_for = partial(shared_wait_for, timeout=15.0)
CONSUMED = {
    "identity": ("volunteer_eligible", "volunteer_suspended", "qualification_verified",
                 "qualification_expired", "elder_priority_granted", "elder_priority_revoked",
                 "person_moved", "person_status_changed"),
    "demand": ("demand_published", "demand_assigned", "demand_cancelled", "demand_started",
               "assignment_withdrawn", "assignment_no_show", "service_recorded",
               "evaluation_submitted"),
}


class StandInDemand:
    name = "demand"

    @rpc_method
    def catalog(self):
        return [{"code": "companionship", "qualifications": []},
                {"code": "home_care", "qualifications": ["nurse"]}]

    @rpc_method
    def assign(self, caller, demand_id, volunteer_id):
        return {"demand_id": demand_id}


@pytest.fixture(scope="module")
def clock():
    return FixedClock(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC))  # Monday, 10:00 in China


@pytest.fixture(scope="module")
def two_processes(service_config, start_module_service, clock):
    config = service_config("matching", INDEX_FOLLOW_SECONDS=0.2, CLOCK=clock)
    a = start_module_service(MatchingService, config)
    b = start_module_service(MatchingService, dict(config, WEB_SERVER_ADDRESS=
                                                   service_config(None)["WEB_SERVER_ADDRESS"]))
    start_module_service(StandInDemand, service_config(None))
    return a, b, config


@pytest.fixture
def publish(event_bus, clock):
    """``publish(source, type, payload)``: as the producer's outbox relay would, the event
    time read from the shared clock (a microsecond later each)."""
    def send(source, event_type, payload):
        envelope = make_event(event_type, payload, REGION)
        envelope["occurred_at"] = clock.advance(microseconds=1).isoformat()
        return event_bus.publish(source, envelope)
    return send


def cache_of(container) -> IndexCache:
    return next(d for d in container.dependencies if isinstance(d, SharedIndex)).cache


def call(container, entrypoint, *args):
    with entrypoint_hook(container, entrypoint) as hook:
        return hook(*args)


def ids_at(container, demand_id):
    try:
        return [c["volunteer_id"] for c in
                call(container, "candidates_for", OPERATOR, demand_id)["items"]]
    except NotFound:
        return None


def volunteer(container, publish, north_km=0.5, east_km=0.0, radius=5.0):
    pid = f"xj-{uuid.uuid4().hex[:8]}"
    publish("identity", "volunteer_eligible", {
        "person_id": pid, "region_code": REGION, "qualifications": []})
    call(container, "set_preferences", {"person_id": pid, "roles": ["volunteer"],
                                        "scope": REGION}, pid, {
        "home": {"lat": CENTRE[0] + north_km / 111.2, "lng": CENTRE[1] + east_km / 88.0},
        "radius_km": radius, "availability": []})
    return pid


def demand(publish, clock, starts_in_h=48, north_km=0.0, needed=1, hours=2):
    start = (clock.now() + dt.timedelta(hours=starts_in_h)).replace(
        minute=0, second=0, microsecond=0)
    return publish("demand", "demand_published", {
        "demand_id": str(uuid.uuid4()), "elder_id": f"xj-e-{uuid.uuid4().hex[:6]}",
        "category": "companionship", "region_code": REGION, "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=hours)).isoformat(), "expected_minutes": 60,
        "volunteers_needed": needed,
        "location": {"lat": CENTRE[0] + north_km / 111.2, "lng": CENTRE[1]},
        "qualifications": []})["payload"]


def test_every_consumed_event_reaches_its_handler_through_the_broker(two_processes, publish,
                                                                     clock):
    """Each of the 16 events matching consumes, published as its producer does, is handled
    by the handler named for it (its inbox record says so); what each handler does is tested
    in-process (test_feed, test_candidates, test_dispatch)."""
    _, _, config = two_processes
    person, elder, demand_id = (f"xj-w-{uuid.uuid4().hex[:6]}", f"xj-we-{uuid.uuid4().hex[:6]}",
                                str(uuid.uuid4()))
    start = clock.now() + dt.timedelta(days=3)
    window = {"window_start": start.isoformat(),
              "window_end": (start + dt.timedelta(hours=1)).isoformat()}
    payloads = {
        "volunteer_eligible": {"person_id": person, "region_code": REGION,
                               "qualifications": []},
        "qualification_verified": {"person_id": person, "kind": "nurse",
                                   "qualification_id": "q-1", "region_code": REGION,
                                   "valid_until": "2099-12-31"},
        "qualification_expired": {"person_id": person, "kind": "nurse",
                                   "qualification_id": "q-1", "region_code": REGION},
        "volunteer_suspended": {"person_id": person, "region_code": REGION,
                                "reasons": ["screening_flagged"]},
        "elder_priority_granted": {"person_id": elder, "category": "empty_nest",
                                   "region_code": REGION, "verified_by": None},
        "elder_priority_revoked": {"person_id": elder, "category": "empty_nest",
                                   "region_code": REGION, "reason": "子女已返乡",
                                   "revoked_by": "op-1"},
        "person_moved": {"person_id": person, "from_region_code": REGION,
                         "to_region_code": "130202001001", "profiles": ["volunteer"],
                         "carrier_id": None, "moved_by": "op-1",
                         "moved_at": clock.now().isoformat()},
        "person_status_changed": {"person_id": person, "region_code": "130202001001",
                                  "profiles": ["volunteer"], "status": "left",
                                  "previous_status": "active", "reason": "搬离",
                                  "changed_by": "op-1", "changed_at": clock.now().isoformat()},
        "demand_published": {"demand_id": demand_id, "elder_id": elder,
                             "category": "companionship", "region_code": REGION, **window,
                             "expected_minutes": 60, "volunteers_needed": 2},
        "demand_assigned": {"demand_id": demand_id, "volunteer_id": person, **window,
                            "open_slots": 1},
        "assignment_withdrawn": {"demand_id": demand_id, "volunteer_id": person,
                                 "open_slots": None},
        "assignment_no_show": {"demand_id": demand_id, "volunteer_id": person,
                               "window_start": window["window_start"]},
        "demand_started": {"demand_id": demand_id, "open_slots": 0},
        "demand_cancelled": {"demand_id": demand_id},
        "service_recorded": {"record_id": str(uuid.uuid4()), "demand_id": demand_id,
                             "volunteer_id": person, "minutes": 30,
                             "recorded_at": clock.now().isoformat()},
        "evaluation_submitted": {"demand_id": demand_id, "volunteer_id": person,
                                 "elder_id": elder, "score": 5},
    }
    assert sorted(payloads) == sorted(t for types in CONSUMED.values() for t in types)
    sent = {publish(source, t, payloads[t])["event_id"]: f"matching.on_{t}"
            for source, types in CONSUMED.items() for t in types}
    engine = make_engine(config["DATABASE_URL"])

    def handled():
        with UnitOfWork(engine) as uow:
            return dict(uow.execute(text(
                "SELECT event_id, consumer FROM inbox WHERE event_id = ANY(:ids)"),
                {"ids": list(sent)}).all())
    try:
        wait_for(lambda: len(handled()) == len(sent))
        assert handled() == sent
    finally:
        engine.dispose()


def test_both_processes_see_every_change_as_a_delta(two_processes, publish, clock):
    a, b, _ = two_processes
    d = demand(publish, clock)
    wait_for(lambda: ids_at(a, d["demand_id"]) is not None)
    builds = (cache_of(a).builds, cache_of(b).builds)

    both_see = lambda test: wait_for(lambda: all(test(ids_at(c, d["demand_id"]))  # noqa: E731
                                                 for c in (a, b)))
    near = volunteer(a, publish, north_km=0.3)  # preferences written through process a
    far = volunteer(b, publish, north_km=2.0)  # ... and through process b
    both_see(lambda ids: ids is not None and near in ids and far in ids)
    assert ids_at(a, d["demand_id"]).index(near) < ids_at(a, d["demand_id"]).index(far)

    # an assignment overlapping the window: busy in both views
    other = f"xj-other-{uuid.uuid4().hex[:6]}"
    publish("demand", "demand_assigned", {
        "demand_id": other, "volunteer_id": near, "elder_id": "xj-e-9",
        "window_start": d["window_start"], "window_end": d["window_end"], "open_slots": 0})
    both_see(lambda ids: near not in ids and far in ids)

    # a move out of reach, then back; then suspended
    call(b, "set_preferences", {"person_id": far, "roles": ["volunteer"], "scope": REGION},
         far, {"home": {"lat": CENTRE[0] + 0.5, "lng": CENTRE[1]}, "radius_km": 5,
               "availability": []})
    both_see(lambda ids: far not in ids)
    call(a, "set_preferences", {"person_id": far, "roles": ["volunteer"], "scope": REGION},
         far, {"home": {"lat": CENTRE[0] + 1.0 / 111.2, "lng": CENTRE[1]}, "radius_km": 5,
               "availability": []})
    both_see(lambda ids: far in ids)
    publish("identity", "volunteer_suspended", {
        "person_id": far, "region_code": REGION, "reasons": ["screening_flagged"]})
    both_see(lambda ids: far not in ids)

    # the assignment withdrawn: free again; a completed service raises reliability in both
    publish("demand", "assignment_withdrawn", {
        "demand_id": other, "volunteer_id": near, "open_slots": None})
    publish("demand", "service_recorded", {
        "record_id": str(uuid.uuid4()), "demand_id": f"xj-old-{uuid.uuid4().hex[:4]}",
        "volunteer_id": near, "elder_id": "xj-e-8", "minutes": 60,
        "recorded_at": clock.now().isoformat()})

    def reliable_everywhere():
        for c in (a, b):
            items = call(c, "candidates_for", OPERATOR, d["demand_id"])["items"]
            parts = {i["volunteer_id"]: i["parts"] for i in items}
            if parts.get(near, {}).get("reliability", 0) <= 0.5:
                return False
        return True
    wait_for(reliable_everywhere)
    assert (cache_of(a).builds, cache_of(b).builds) == builds  # deltas only, no reload
    assert cache_of(a).deltas and cache_of(b).deltas


def test_candidates_feed_and_dispatch_answer_as_loading_from_the_database(two_processes,
                                                                         publish, clock):
    """The views' answers (kept current by deltas) equal those computed from volunteers
    loaded afresh from the database (what the service did before it kept views)."""
    a, _, config = two_processes
    people = [volunteer(a, publish, north_km=0.4 * i - 2, east_km=(i % 3) - 1,
                        radius=(3, 5, 10)[i % 3]) for i in range(10)]
    demands = [demand(publish, clock, starts_in_h=300 + 2 * j, north_km=0.5 * j - 1,
                      needed=2 if j == 0 else 1) for j in range(4)]
    publish("demand", "demand_assigned", {
        "demand_id": f"xj-busy-{uuid.uuid4().hex[:6]}", "volunteer_id": people[4],
        "elder_id": "xj-e-7", "window_start": demands[1]["window_start"],
        "window_end": demands[1]["window_end"], "open_slots": 0})
    wait_for(lambda: all(ids_at(a, d["demand_id"]) for d in demands)
             and people[4] not in ids_at(a, demands[1]["demand_id"]))
    me = {"person_id": people[0], "roles": ["volunteer"], "scope": REGION}

    engine = make_engine(config["DATABASE_URL"])
    try:
        now = clock.now()
        served = {d["demand_id"]: call(a, "candidates_for", OPERATOR, d["demand_id"])["items"]
                  for d in demands}
        feed = call(a, "feed_for", me, people[0])["items"]
        run = call(a, "dispatch", OPERATOR, {"region_code": REGION, "auto_apply": False})
        with UnitOfWork(engine) as uow:
            for d in demands:
                _, target = match_inputs.demand_to_match(uow, d["demand_id"])
                loaded = VolunteerIndex(match_inputs.volunteers_near(
                    uow, [(target.lat, target.lng)], now))
                assert served[d["demand_id"]] == [vars(c) for c in
                                                  loaded.candidates(target, 20, now)]
            home = preferences.get_preferences(uow, people[0])["home"]
            mine = next(v for v in match_inputs.volunteers_near(
                uow, [(home["lat"], home["lng"])], now) if v.person_id == people[0])
            every = match_inputs.open_demands_to_match(uow)  # with its category's kinds
            needs = catalogue.category_requirements_of(uow, {x.category for x in every})
            every = [replace(x, qualifications=x.qualifications | frozenset(needs[x.category]))
                     for x in every]
            assert [(i["demand_id"], i["distance_km"]) for i in feed] == [
                (e.demand.demand_id, e.distance_km) for e in rank_feed(mine, every, now,
                                                                       FEED_SIZE)]
            assert {d["demand_id"] for d in demands} <= {i["demand_id"] for i in feed}
            to_dispatch = [replace(x, qualifications=frozenset())
                           for x in match_inputs.demands_to_dispatch(uow, REGION, now)]
            loaded = VolunteerIndex(match_inputs.volunteers_near(
                uow, [(x.lat, x.lng) for x in to_dispatch], now))
        expected = plan_dispatch(to_dispatch, loaded, now)
        assert sorted((p["demand_id"], p["volunteer_id"], p["distance_km"])
                      for p in run["proposals"]) == sorted(astuple(p)[:3] for p in expected)
        assert len(expected) >= 5  # both slots of the group demand and the three others
    finally:
        engine.dispose()


def test_the_first_candidate_is_published_through_the_outbox(two_processes, publish, clock,
                                                             event_bus):
    """matching's own event leaves through its outbox relay to ``matching.events``, as
    reporting receives it."""
    a, _, _ = two_processes
    found = event_bus.listen("matching", "first_candidate_found")
    volunteer(a, publish, north_km=0.3)
    d = demand(publish, clock, starts_in_h=72)
    wait_for(lambda: bool(ids_at(a, d["demand_id"])))  # published, heard, with a candidate
    mine = [e for e in found.drain(expected=1) if e["payload"]["demand_id"] == d["demand_id"]]
    assert len(mine) == 1 and mine[0]["event_type"] == "first_candidate_found"
    assert mine[0]["region_code"] == REGION
    assert mine[0]["payload"]["seconds_since_publication"] is not None
