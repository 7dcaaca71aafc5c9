"""Each matching process keeps its own volunteer index and applies every change as a delta.

Two matching containers share one database and one RabbitMQ vhost, as two processes of the
service do: an event is handled by one of them, and the other learns of it only through the
change log. Each container is asked directly (``entrypoint_hook``), so the test knows which
index answered. The place is 辛集 (130181), away from the other matching tests' data.
"""
import datetime as dt
import time
import uuid
from dataclasses import astuple, replace
from functools import partial

import pytest
from nameko.rpc import rpc as rpc_method
from nameko.testing.services import entrypoint_hook
from sqlalchemy import text
from timebank_testing import wait_for as shared_wait_for

from matching.adapters import catalogue, change_log, match_inputs, preferences, service_history, volunteers
from matching.domain.volunteer_index import VolunteerIndex
from matching.domain.dispatch import plan_dispatch
from matching.domain.feed import rank_feed
from matching.domain.city_feed import FEED_SIZE
from matching.adapters.index_cache import CHANGE_LOG_KEPT, IndexCache
from matching.adapters.shared_index import SharedIndex
from matching.service import MatchingService
from timebank_common.db import UnitOfWork, make_engine, make_event, utcnow
from timebank_common.errors import NotFound

pytestmark = pytest.mark.integration

REGION = "130181001001"
OPERATOR = {"person_id": "op-xj", "roles": ["station_operator"], "scope": "130181001000"}
CENTRE = (37.943, 115.218)
wait_for = partial(shared_wait_for, timeout=15.0)


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
def two_processes(service_config, start_module_service):
    config = service_config("matching", INDEX_FOLLOW_SECONDS=0.2)
    a = start_module_service(MatchingService, config)
    b = start_module_service(MatchingService, dict(config, WEB_SERVER_ADDRESS=
                                                   service_config(None)["WEB_SERVER_ADDRESS"]))
    start_module_service(StandInDemand, service_config(None))
    return a, b, config


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
    publish("identity", make_event("volunteer_eligible", {
        "person_id": pid, "region_code": REGION, "qualifications": []}, REGION))
    call(container, "set_preferences", {"person_id": pid, "roles": ["volunteer"],
                                        "scope": REGION}, pid, {
        "home": {"lat": CENTRE[0] + north_km / 111.2, "lng": CENTRE[1] + east_km / 88.0},
        "radius_km": radius, "availability": []})
    return pid


def demand(publish, starts_in_h=48, north_km=0.0, needed=1, hours=2):
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=starts_in_h)).replace(
        minute=0, second=0, microsecond=0)
    event = make_event("demand_published", {
        "demand_id": str(uuid.uuid4()), "elder_id": f"xj-e-{uuid.uuid4().hex[:6]}",
        "category": "companionship", "region_code": REGION, "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=hours)).isoformat(), "expected_minutes": 60,
        "volunteers_needed": needed,
        "location": {"lat": CENTRE[0] + north_km / 111.2, "lng": CENTRE[1]},
        "qualifications": []}, REGION)
    publish("demand", event)
    return event["payload"]


def test_both_processes_see_every_change_as_a_delta(two_processes, event_bus):
    a, b, _ = two_processes
    publish = event_bus.publish
    d = demand(publish)
    wait_for(lambda: ids_at(a, d["demand_id"]) is not None)
    builds = (cache_of(a).builds, cache_of(b).builds)

    both_see = lambda test: wait_for(lambda: all(test(ids_at(c, d["demand_id"]))  # noqa: E731
                                                 for c in (a, b)))
    near = volunteer(a, publish, north_km=0.3)  # preferences written through process a
    far = volunteer(b, publish, north_km=2.0)  # ... and through process b
    both_see(lambda ids: ids is not None and near in ids and far in ids)
    assert ids_at(a, d["demand_id"]).index(near) < ids_at(a, d["demand_id"]).index(far)

    # an assignment overlapping the window: busy in both indexes
    other = f"xj-other-{uuid.uuid4().hex[:6]}"
    publish("demand", make_event("demand_assigned", {
        "demand_id": other, "volunteer_id": near, "elder_id": "xj-e-9",
        "window_start": d["window_start"], "window_end": d["window_end"], "open_slots": 0},
        REGION))
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
    publish("identity", make_event("volunteer_suspended", {
        "person_id": far, "region_code": REGION, "reasons": ["screening_flagged"]}, REGION))
    both_see(lambda ids: far not in ids)

    # the assignment withdrawn: free again; a completed service raises reliability in both
    publish("demand", make_event("assignment_withdrawn", {
        "demand_id": other, "volunteer_id": near, "open_slots": None}, REGION))
    publish("demand", make_event("service_recorded", {
        "record_id": str(uuid.uuid4()), "demand_id": f"xj-old-{uuid.uuid4().hex[:4]}",
        "volunteer_id": near, "elder_id": "xj-e-8", "minutes": 60,
        "recorded_at": dt.datetime.now(dt.UTC).isoformat()}, REGION))

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


def test_a_change_committed_late_is_still_applied(two_processes):
    """A transaction that began before a catch-up and commits after it: found next time."""
    _, _, config = two_processes
    engine = make_engine(config["DATABASE_URL"])
    cache = IndexCache()
    pid = f"xj-late-{uuid.uuid4().hex[:6]}"
    try:
        with UnitOfWork(engine) as uow:
            volunteers.note_volunteer(uow, pid, REGION, True, [], utcnow())
            uow.commit()
        with UnitOfWork(engine) as uow:
            assert pid not in cache.current(uow, utcnow()).volunteers  # no home yet
        late = UnitOfWork(engine).__enter__()
        preferences.save_preferences(late, pid, {"home": {"lat": CENTRE[0], "lng": CENTRE[1]},
                                           "radius_km": 3, "availability": []}, utcnow())
        with UnitOfWork(engine) as uow:
            service_history.add_history(uow, pid, completed=1)  # a later transaction, committed first
            uow.commit()
        with UnitOfWork(engine) as uow:
            assert pid not in cache.current(uow, utcnow()).volunteers  # home not committed yet
        late.commit()
        late.__exit__(None, None, None)
        with UnitOfWork(engine) as uow:
            found = cache.current(uow, utcnow()).volunteers.get(pid)
        assert found is not None and found.radius_km == 3 and found.completed == 1
        assert cache.builds == 1
    finally:
        engine.dispose()


def test_candidates_feed_and_dispatch_answer_as_loading_from_the_database(two_processes,
                                                                         event_bus):
    """The index's answers equal those computed from volunteers loaded afresh from the
    database (what the service did before it kept an index)."""
    a, _, config = two_processes
    publish = event_bus.publish
    people = [volunteer(a, publish, north_km=0.4 * i - 2, east_km=(i % 3) - 1,
                        radius=(3, 5, 10)[i % 3]) for i in range(10)]
    demands = [demand(publish, starts_in_h=300 + 2 * j, north_km=0.5 * j - 1,
                      needed=2 if j == 0 else 1) for j in range(4)]
    publish("demand", make_event("demand_assigned", {
        "demand_id": f"xj-busy-{uuid.uuid4().hex[:6]}", "volunteer_id": people[4],
        "elder_id": "xj-e-7", "window_start": demands[1]["window_start"],
        "window_end": demands[1]["window_end"], "open_slots": 0}, REGION))
    wait_for(lambda: all(ids_at(a, d["demand_id"]) for d in demands)
             and people[4] not in ids_at(a, demands[1]["demand_id"]))
    me = {"person_id": people[0], "roles": ["volunteer"], "scope": REGION}

    engine = make_engine(config["DATABASE_URL"])
    try:
        now = utcnow()
        served = {d["demand_id"]: call(a, "candidates_for", OPERATOR, d["demand_id"])["items"]
                  for d in demands}
        feed = call(a, "feed_for", me, people[0])["items"]
        run = call(a, "dispatch", OPERATOR, {"region_code": REGION, "auto_apply": False})
        with UnitOfWork(engine) as uow:
            for d in demands:
                _, target = match_inputs.demand_to_match(uow, d["demand_id"])
                loaded = VolunteerIndex(match_inputs.volunteers_near(uow, [(target.lat, target.lng)],
                                                              now))
                assert served[d["demand_id"]] == [vars(c) for c in
                                                  loaded.candidates(target, 20, now)]
            home = preferences.get_preferences(uow, people[0])["home"]
            mine = next(v for v in match_inputs.volunteers_near(uow, [(home["lat"], home["lng"])], now)
                        if v.person_id == people[0])
            every = match_inputs.open_demands_to_match(uow)  # every open demand, with its category's
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


def test_the_change_log_is_pruned_after_a_day(two_processes):
    _, _, config = two_processes
    engine = make_engine(config["DATABASE_URL"])
    old, recent = f"xj-old-{uuid.uuid4().hex[:6]}", f"xj-new-{uuid.uuid4().hex[:6]}"
    try:
        with UnitOfWork(engine) as uow:
            uow.execute(text("INSERT INTO volunteer_changes (person_id, at) VALUES "
                             "(:old, now() - interval '2 days'), (:recent, now())"),
                        {"old": old, "recent": recent})
            uow.execute(text("INSERT INTO demand_changes (demand_id, at) VALUES "
                             "(:old, now() - interval '2 days')"), {"old": old})
            uow.commit()

        def pruned_and_left() -> set:
            # a row goes only once no open transaction anywhere on the server is older than
            # it (another test's or process's write may be open this instant): prune again
            with UnitOfWork(engine) as uow:
                change_log.prune(uow, CHANGE_LOG_KEPT)
                uow.commit()
            with UnitOfWork(engine) as uow:
                return set(uow.execute(text(
                    "SELECT person_id FROM volunteer_changes WHERE person_id IN (:old, :recent) "
                    "UNION ALL SELECT demand_id FROM demand_changes WHERE demand_id = :old"),
                    {"old": old, "recent": recent}).scalars())

        left = pruned_and_left()
        deadline = time.monotonic() + 20
        while left != {recent} and time.monotonic() < deadline:
            time.sleep(0.2)
            left = pruned_and_left()
        assert left == {recent}
    finally:
        engine.dispose()
