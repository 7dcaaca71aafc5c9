"""The read models, dropped and rebuilt from the owning services, give the same candidates.

Identity's and demand's internal listings are answered by small stand-in nameko services that
hold the same facts the test announced by events (the real listings are tested in identity's
and demand's own suites). The place is in 保定, away from the other matching tests' data.
"""
import datetime as dt
import random
import uuid
from functools import partial

import pytest
from nameko.rpc import rpc as rpc_method
from sqlalchemy import create_engine, text
from timebank_testing import wait_for as shared_wait_for

from matching.service import MatchingService
from timebank_common.db import make_event
from timebank_common.errors import NotFound

pytestmark = pytest.mark.integration

REGION = "130602001001"
OPERATOR = {"person_id": "op-bd", "roles": ["station_operator"], "scope": "130602001000"}
CENTRE = (38.874, 115.464)
wait_for = partial(shared_wait_for, timeout=15.0)
FACTS = {"people": [], "demands": [], "records": [], "priority": []}


def _page(items, key, after, limit):
    ordered = sorted(items, key=lambda i: i[key])
    if after:
        ordered = [i for i in ordered if i[key] > after]
    page = ordered[:limit]
    return {"items": page, "next_after": page[-1][key] if len(page) == limit else None}


class StandInIdentity:
    name = "identity"

    @rpc_method
    def matching_volunteers(self, after=None, limit=1000):
        return _page(FACTS["people"], "person_id", after, limit)

    @rpc_method
    def priority_elders(self, region_code):
        return [{"person_id": e, "region_code": REGION} for e in FACTS["priority"]]


class StandInDemand:
    name = "demand"

    @rpc_method
    def catalog(self):
        return [{"code": "companionship", "qualifications": []},
                {"code": "home_care", "qualifications": ["nurse"]}]

    @rpc_method
    def matching_demands(self, after=None, limit=1000):
        return _page(FACTS["demands"], "demand_id", after, limit)

    @rpc_method
    def service_records(self, region_prefix=None, period_from=None, period_to=None,
                        record_ids=None, after=None, limit=1000):
        return _page(FACTS["records"], "record_id", after, limit)


@pytest.fixture(scope="module")
def running(service_config, start_module_service):
    config = service_config("matching")
    start_module_service(MatchingService, config)
    start_module_service(StandInIdentity, service_config(None))
    start_module_service(StandInDemand, service_config(None))
    return config


@pytest.fixture
def matching(running, rpc):
    with rpc("matching") as proxy:
        yield proxy


def announce_city(matching, event_bus, rng):
    """12 volunteers, 6 demands (one a group, one needing a nurse, one for a priority elder),
    one assignment, two recorded services — as events and as the owners' listings."""
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    people = []
    for i in range(12):
        pid = f"bd-v{i:02d}-{uuid.uuid4().hex[:4]}"
        kinds = ["nurse"] if i % 4 == 0 else []
        people.append({"person_id": pid, "region_code": REGION, "qualifications": kinds})
        event_bus.publish("identity", make_event("volunteer_eligible", {
            "person_id": pid, "region_code": REGION, "qualifications": kinds}, REGION))
        matching.set_preferences(
            {"person_id": pid, "roles": ["volunteer"], "scope": REGION}, pid,
            {"home": {"lat": CENTRE[0] + rng.uniform(-0.03, 0.03),
                      "lng": CENTRE[1] + rng.uniform(-0.03, 0.03)},
             "radius_km": rng.choice([3, 5, 10]), "availability": []})
    elder_priority = f"bd-e-prio-{uuid.uuid4().hex[:4]}"
    event_bus.publish("identity", make_event("elder_priority_granted", {
        "person_id": elder_priority, "category": "empty_nest", "region_code": REGION,
        "verified_by": "op-bd"}, REGION))
    demands = []
    for j in range(6):
        start = now + dt.timedelta(days=2, hours=j)
        d = {"demand_id": str(uuid.uuid4()),
             "elder_id": elder_priority if j == 2 else f"bd-e{j}",
             "category": "home_care" if j == 1 else "companionship", "region_code": REGION,
             "window_start": start.isoformat(),
             "window_end": (start + dt.timedelta(hours=2)).isoformat(),
             "expected_minutes": 120, "volunteers_needed": 3 if j == 0 else 1,
             "location": {"lat": CENTRE[0] + rng.uniform(-0.02, 0.02),
                          "lng": CENTRE[1] + rng.uniform(-0.02, 0.02)},
             "qualifications": ["nurse"] if j == 1 else []}
        published = make_event("demand_published", d, REGION)
        event_bus.publish("demand", published)
        demands.append({**d, "open_slots": d["volunteers_needed"], "volunteer_ids": [],
                        "published_at": published["occurred_at"]})
    busy = people[3]["person_id"]  # takes one slot of the group demand (overlaps demand 1)
    group = demands[0]
    event_bus.publish("demand", make_event("demand_assigned", {
        "demand_id": group["demand_id"], "volunteer_id": busy, "elder_id": group["elder_id"],
        "window_start": group["window_start"], "window_end": group["window_end"],
        "open_slots": 2}, REGION))
    group.update(open_slots=2, volunteer_ids=[busy])
    records = []
    for k, who in enumerate((people[5]["person_id"], people[5]["person_id"])):
        record = {"record_id": str(uuid.uuid4()), "demand_id": f"bd-old-{k}",
                  "volunteer_id": who, "elder_id": "bd-e9", "minutes": 90,
                  "recorded_at": now.isoformat()}
        event_bus.publish("demand", make_event("service_recorded", record, REGION))
        records.append(record)
    FACTS.update(people=people, demands=demands, records=records, priority=[elder_priority])
    return demands


def candidates(matching, demands):
    out = {}
    for d in demands:
        try:
            out[d["demand_id"]] = matching.candidates_for(OPERATOR, d["demand_id"])["items"]
        except NotFound:
            out[d["demand_id"]] = None
    return out


def test_dropped_and_rebuilt_read_models_give_the_same_candidates(matching, running,
                                                                  event_bus):
    demands = announce_city(matching, event_bus, random.Random(7))
    busy = FACTS["demands"][0]["volunteer_ids"][0]
    served = FACTS["records"][0]["volunteer_id"]

    def settled():
        got = candidates(matching, demands)
        if any(v is None for v in got.values()):
            return False
        nurse_demand = got[demands[1]["demand_id"]]
        parts = {c["volunteer_id"]: c["parts"] for c in got[demands[0]["demand_id"]]}
        return (busy not in [c["volunteer_id"] for c in nurse_demand]
                and served in parts and parts[served]["reliability"] > 0.7)
    wait_for(settled)
    before = candidates(matching, demands)
    assert all(before.values()), "every demand has candidates"

    engine = create_engine(running["DATABASE_URL"])
    with engine.begin() as conn:  # drop the derived rows (matching's own data stays) ...
        conn.execute(text("DELETE FROM volunteers; DELETE FROM open_demands; "
                          "DELETE FROM slot_counts; DELETE FROM assignments; "
                          "DELETE FROM priority_elders; DELETE FROM monthly_minutes; "
                          "DELETE FROM volunteer_history"))
        # ... and tell the processes, so their in-memory views are emptied too (the answers
        # after the rebuild then come from the rebuilt models, not from memory)
        conn.execute(text("INSERT INTO volunteer_changes (person_id) VALUES ('*'); "
                          "INSERT INTO demand_changes (demand_id) VALUES ('*')"))
    engine.dispose()
    assert all(v is None for v in candidates(matching, demands).values())

    counts = matching.rebuild_read_models()
    assert counts["volunteers"] == 12 and counts["open_demands"] == 6
    assert counts["assignments"] == 1 and counts["service_records"] == 2
    assert candidates(matching, demands) == before
