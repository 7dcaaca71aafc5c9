"""The read models, dropped and rebuilt from the owning services, give the same candidates.

Identity's listings are answered by the shared ``IdentityFake``, demand's by a small stand-in,
both holding the same facts the test announced by events (the real listings are tested in
identity's and demand's own suites). The place is in 保定."""
import datetime as dt
import random
import uuid

import pytest
from sqlalchemy import text
from timebank_testing.identity_fake import IdentityFake

from timebank_common.errors import NotFound

from .conftest import CATALOGUE, StandInDemand, in_process

REGION = "130602001001"
OPERATOR = {"person_id": "op-bd", "roles": ["station_operator"], "scope": "130602001000"}
CENTRE = (38.874, 115.464)


def _page(items, key, after, limit):
    ordered = sorted(items, key=lambda i: i[key])
    if after:
        ordered = [i for i in ordered if i[key] > after]
    page = ordered[:limit]
    return {"items": page, "next_after": page[-1][key] if len(page) == limit else None}


class StandInDemandListings(StandInDemand):
    def __init__(self, facts):
        super().__init__()
        self.facts = facts

    def catalog(self):
        return CATALOGUE

    def matching_demands(self, after=None, limit=1000):
        return _page(self.facts["demands"], "demand_id", after, limit)

    def service_records(self, region_prefix=None, period_from=None, period_to=None,
                        record_ids=None, after=None, limit=1000):
        return _page(self.facts["records"], "record_id", after, limit)


@pytest.fixture
def facts():
    return {"demands": [], "records": []}


@pytest.fixture
def identity(clock):
    return IdentityFake(clock=clock)


@pytest.fixture
def matching(db, clock, facts, identity):
    return in_process(db, clock, StandInDemandListings(facts), identity)


def announce_city(matching, deliver, events, clock, facts, identity, rng):
    """12 volunteers, 6 demands (one a group, one needing a nurse, one for a priority elder),
    one assignment, two recorded services — as events and as the owners' listings (identity's
    registered in the fake, demand's in ``facts``)."""
    now = clock.now().replace(minute=0, second=0, microsecond=0)
    people = []
    for i in range(12):
        pid = f"bd-v{i:02d}-{uuid.uuid4().hex[:4]}"
        kinds = ["nurse"] if i % 4 == 0 else []
        people.append({"person_id": pid, "region_code": REGION, "qualifications": kinds})
        identity.add_volunteer(pid, region_code=REGION, qualifications=kinds)
        deliver(events("volunteer_eligible", {
            "person_id": pid, "region_code": REGION, "qualifications": kinds}, REGION))
        matching.set_preferences(
            {"person_id": pid, "roles": ["volunteer"], "scope": REGION}, pid,
            {"home": {"lat": CENTRE[0] + rng.uniform(-0.03, 0.03),
                      "lng": CENTRE[1] + rng.uniform(-0.03, 0.03)},
             "radius_km": rng.choice([3, 5, 10]), "availability": []})
    elder_priority = f"bd-e-prio-{uuid.uuid4().hex[:4]}"
    deliver(events("elder_priority_granted", {
        "person_id": elder_priority, "category": "empty_nest", "region_code": REGION,
        "verified_by": "op-bd"}, REGION))
    identity.add_elder(elder_priority, region_code=REGION, hardship=["empty_nest"])
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
        published = deliver(events("demand_published", d, REGION))
        demands.append({**d, "open_slots": d["volunteers_needed"], "volunteer_ids": [],
                        "published_at": published["occurred_at"]})
    busy = people[3]["person_id"]  # takes one slot of the group demand (overlaps demand 1)
    group = demands[0]
    deliver(events("demand_assigned", {
        "demand_id": group["demand_id"], "volunteer_id": busy, "elder_id": group["elder_id"],
        "window_start": group["window_start"], "window_end": group["window_end"],
        "open_slots": 2}, REGION))
    group.update(open_slots=2, volunteer_ids=[busy])
    records = []
    for k, who in enumerate((people[5]["person_id"], people[5]["person_id"])):
        record = {"record_id": str(uuid.uuid4()), "demand_id": f"bd-old-{k}",
                  "volunteer_id": who, "elder_id": "bd-e9", "minutes": 90,
                  "recorded_at": now.isoformat()}
        deliver(events("service_recorded", record, REGION))
        records.append(record)
    facts.update(demands=demands, records=records)
    return demands


def candidates(matching, demands):
    out = {}
    for d in demands:
        try:
            out[d["demand_id"]] = matching.candidates_for(OPERATOR, d["demand_id"])["items"]
        except NotFound:
            out[d["demand_id"]] = None
    return out


def test_dropped_and_rebuilt_read_models_give_the_same_candidates(matching, deliver, events,
                                                                  clock, facts, db, identity):
    demands = announce_city(matching, deliver, events, clock, facts, identity,
                            random.Random(7))
    busy = facts["demands"][0]["volunteer_ids"][0]
    served = facts["records"][0]["volunteer_id"]
    before = candidates(matching, demands)
    assert all(before.values()), "every demand has candidates"
    nurse_demand = before[demands[1]["demand_id"]]
    parts = {c["volunteer_id"]: c["parts"] for c in before[demands[0]["demand_id"]]}
    assert busy not in [c["volunteer_id"] for c in nurse_demand]
    assert parts[served]["reliability"] > 0.7

    with db() as uow:  # drop the derived rows (matching's own data stays) ...
        uow.execute(text("DELETE FROM volunteers; DELETE FROM open_demands; "
                         "DELETE FROM slot_counts; DELETE FROM assignments; "
                         "DELETE FROM priority_elders; DELETE FROM monthly_minutes; "
                         "DELETE FROM volunteer_history"))
        # ... and tell the processes, so their in-memory views are emptied too (the answers
        # after the rebuild then come from the rebuilt models, not from memory)
        uow.execute(text("INSERT INTO volunteer_changes (person_id) VALUES ('*'); "
                         "INSERT INTO demand_changes (demand_id) VALUES ('*')"))
        uow.commit()
    assert all(v is None for v in candidates(matching, demands).values())

    counts = matching.rebuild_read_models()
    assert counts["volunteers"] == 12 and counts["open_demands"] == 6
    assert counts["assignments"] == 1 and counts["service_records"] == 2
    assert counts["priority_elders"] == 1
    assert candidates(matching, demands) == before


def test_moves_and_standings_as_deltas_equal_a_fresh_build(matching, deliver, events, clock,
                                                           facts, db, identity):
    """Moves and status changes heard as events leave the read models as identity's listings
    rebuild them: the moved volunteer in the new region without the old home, the deceased
    one and the one who withdrew out, the one who came back in, the elder whose only hardship
    category was withdrawn no priority elder."""
    demands = announce_city(matching, deliver, events, clock, facts, identity,
                            random.Random(11))
    people = sorted(identity.people)
    volunteers = [p for p in people if identity.people[p].volunteer]
    mover, gone, withdrew, back = volunteers[0], volunteers[1], volunteers[2], volunteers[6]
    tangshan = "130202001001"
    deliver(events("person_moved", {
        "person_id": mover, "from_region_code": REGION, "to_region_code": tangshan,
        "profiles": ["volunteer"], "carrier_id": None, "moved_by": "op-bd",
        "moved_at": clock.now().isoformat()}, tangshan))
    identity.move(mover, tangshan)
    for person, status, previous in ((gone, "deceased", "active"),
                                     (withdrew, "withdrew", "active"),
                                     (back, "left", "active"), (back, "active", "left")):
        deliver(events("person_status_changed", {
            "person_id": person, "region_code": REGION, "profiles": ["volunteer"],
            "status": status, "previous_status": previous, "reason": None,
            "changed_by": "op-bd", "changed_at": clock.now().isoformat()}, REGION))
        identity.set_status(person, status)
    [elder] = [p for p in people if identity.people[p].elder]  # no longer 空巢
    deliver(events("elder_priority_revoked", {
        "person_id": elder, "category": "empty_nest", "region_code": REGION,
        "reason": "子女已返乡", "revoked_by": "op-bd"}, REGION))
    identity.people[elder].hardship = []
    ts_operator = {"person_id": "op-ts", "roles": ["station_operator"],
                   "scope": "130202001000"}
    before = candidates(matching, demands)
    stayer = volunteers[3]
    stayer_feed = matching.feed_for(OPERATOR, stayer)
    assert not any(i["priority_elder"] for i in stayer_feed["items"])
    ids = {c["volunteer_id"] for items in before.values() for c in items or []}
    assert not ids & {mover, gone, withdrew} and back in ids
    mover_feed = matching.feed_for(ts_operator, mover)

    counts = matching.rebuild_read_models()
    assert counts["volunteers"] == 10  # the deceased and the withdrawn are not listed
    assert counts["priority_elders"] == 0
    assert candidates(matching, demands) == before
    assert matching.feed_for(OPERATOR, stayer) == stayer_feed
    assert matching.feed_for(ts_operator, mover) == mover_feed
    with pytest.raises(NotFound):
        matching.get_preferences(OPERATOR, mover)
