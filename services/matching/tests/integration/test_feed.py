"""A volunteer's feed, kept current from demand's and identity's events (delivered to
matching's handlers as the broker would), on real PostgreSQL."""
import datetime as dt
import uuid

import pytest

from timebank_common.errors import BadInput, Forbidden, NotFound

from .conftest import HOME, REGION

VOLUNTEER_SCOPE = "130102002003"
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000"}
COUNTY_ADMIN = {"person_id": "ad-1", "roles": ["county_admin"], "scope": "130102000000"}


def volunteer_without_home():
    pid = f"v-{uuid.uuid4().hex[:8]}"
    return pid, {"person_id": pid, "roles": ["volunteer"], "scope": VOLUNTEER_SCOPE}


def feed_ids(matching, caller, volunteer_id):
    return [i["demand_id"] for i in matching.feed_for(caller, volunteer_id)["items"]]


def test_published_demand_appears_in_the_feed_and_leaves_when_full(matching, deliver, events):
    vid, caller = volunteer_without_home()
    event = deliver(events.published(REGION, needed=2, expected_minutes=120))
    demand_id = event["payload"]["demand_id"]
    item = next(i for i in matching.feed_for(caller, vid)["items"] if i["demand_id"] == demand_id)
    assert item["open_slots"] == 2
    assert item["category"] == "companionship" and item["expected_minutes"] == 120
    assert dt.datetime.fromisoformat(item["window_start"]) == \
        dt.datetime.fromisoformat(event["payload"]["window_start"])

    deliver(events.assigned(event, 1))
    assert [i["open_slots"] for i in matching.feed_for(caller, vid)["items"]
            if i["demand_id"] == demand_id] == [1]
    deliver(events.assigned(event, 0))
    assert demand_id not in feed_ids(matching, caller, vid)


def test_duplicate_delivery_is_harmless(matching, deliver, events):
    vid, caller = volunteer_without_home()
    event = events.published(REGION, needed=3)
    one_taken = events.assigned(event, 2)
    for e in (event, one_taken, event, one_taken):  # each redelivered once: recorded once
        deliver(e)
    items = [i for i in matching.feed_for(caller, vid)["items"]
             if i["demand_id"] == event["payload"]["demand_id"]]
    assert [i["open_slots"] for i in items] == [2]


def test_assignment_heard_before_publication_is_not_lost(matching, deliver, events):
    """The two arrive on different queues: the assignment's may be handled first."""
    vid, caller = volunteer_without_home()
    event = events.published(REGION, needed=1)
    deliver(events.assigned(event, 0))
    deliver(event)
    assert event["payload"]["demand_id"] not in feed_ids(matching, caller, vid)


def test_cancelled_demand_leaves_the_feed(matching, deliver, events):
    vid, caller = volunteer_without_home()
    demand_id = deliver(events.published(REGION))["payload"]["demand_id"]
    assert demand_id in feed_ids(matching, caller, vid)
    deliver(events("demand_cancelled", {"demand_id": demand_id, "elder_id": "e-1",
                                        "region_code": REGION, "reason": "不需要了",
                                        "volunteer_ids": []}, REGION))
    assert demand_id not in feed_ids(matching, caller, vid)


def test_own_city_first_and_started_windows_hidden(matching, deliver, events):
    vid, caller = volunteer_without_home()
    far = deliver(events.published("130602001001", starts_in_h=1))  # 保定, sooner
    near = deliver(events.published(REGION, starts_in_h=30))
    started = deliver(events.published(REGION, starts_in_h=-1))
    ids = feed_ids(matching, caller, vid)
    assert ids.index(near["payload"]["demand_id"]) < ids.index(far["payload"]["demand_id"])
    assert started["payload"]["demand_id"] not in ids


def test_only_the_volunteer_or_staff_in_scope_may_read_a_feed(matching, deliver, events,
                                                             identity):
    vid, caller = volunteer_without_home()
    identity.add_volunteer(vid, region_code=VOLUNTEER_SCOPE)  # known to identity only
    other, _ = volunteer_without_home()
    with pytest.raises(Forbidden):
        matching.feed_for(caller, other)
    with pytest.raises(NotFound) as outside:  # a volunteer of another township ...
        matching.feed_for(OPERATOR, vid)
    with pytest.raises(NotFound) as nobody:  # ... is answered as one nobody has
        matching.feed_for(OPERATOR, "v-nobody")
    assert outside.value.to_body()["error"] == nobody.value.to_body()["error"] == \
        "volunteer_not_found"
    with pytest.raises(Forbidden):
        matching.feed_for({"person_id": "e-1", "roles": ["elder"], "scope": REGION}, vid)
    with pytest.raises(BadInput):
        matching.feed_for(caller, "")

    inside = deliver(events.published(REGION))
    outside = deliver(events.published("130104001001"))  # another county of 石家庄
    assert {inside["payload"]["demand_id"], outside["payload"]["demand_id"]} <= \
        set(feed_ids(matching, caller, vid))
    staff_view = feed_ids(matching, COUNTY_ADMIN, vid)
    assert inside["payload"]["demand_id"] in staff_view
    assert outside["payload"]["demand_id"] not in staff_view


def test_feed_of_a_volunteer_with_a_home_lists_only_what_they_may_take(matching, deliver,
                                                                       events, volunteers):
    vid = volunteers.eligible(offset_km=0.0, radius=3.0)
    me = {"person_id": vid, "roles": ["volunteer"], "scope": REGION}
    plain = deliver(events.published(REGION, starts_in_h=500, location=HOME, on_the_hour=True))
    needs_nurse = deliver(events.published(REGION, starts_in_h=501, location=HOME,
                                           on_the_hour=True, category="home_care"))
    deliver(events("elder_priority_granted", {
        "person_id": "e-prio", "category": "empty_nest", "region_code": REGION,
        "verified_by": "op-1"}, REGION))
    priority = deliver(events.published(REGION, starts_in_h=502, hours=1, location=HOME,
                                        on_the_hour=True, elder_id="e-prio"))
    items = matching.feed_for(me, vid)["items"]
    ids = [i["demand_id"] for i in items]
    pid = priority["payload"]["demand_id"]
    assert needs_nurse["payload"]["demand_id"] not in ids
    assert ids.index(pid) < ids.index(plain["payload"]["demand_id"])  # same band: priority first
    assert next(i for i in items if i["demand_id"] == pid)["priority_elder"] is True


def _started_by_an_early_check_in(events, published_payload, taken_by):
    """``demand_started`` as demand makes it, with demand's event contract: the volunteers
    taken, the first checking in 20 minutes before the window; the service under way, no slot
    stays open (those still open before the check-in are ``slots_closed``)."""
    from demand.contracts import DEMAND_STARTED

    p = published_payload
    start = dt.datetime.fromisoformat(p["window_start"])
    early = start - dt.timedelta(minutes=20)
    return events("demand_started", DEMAND_STARTED.dump({
        "demand_id": p["demand_id"], "volunteer_id": taken_by[0], "started_at": early,
        "window_start": start, "open_slots": 0,
        "slots_closed": p["volunteers_needed"] - len(taken_by),
        "region_code": p["region_code"]}), p["region_code"])


def test_a_demand_started_by_an_early_check_in_leaves_feeds_and_candidates(matching, deliver,
                                                                          events, volunteers):
    """A group demand for three with one volunteer on it still shows two open slots; when
    that volunteer checks in before the window the service is under way and demand refuses
    claims, so the demand must leave every feed (a volunteer with a home: the in-memory view;
    one without: the city-level feed) and the candidates at once, not at the window start."""
    vid = volunteers.eligible(offset_km=0.0, radius=3.0)
    near = {"person_id": vid, "roles": ["volunteer"], "scope": REGION}
    homeless = f"v-{uuid.uuid4().hex[:8]}"
    city = {"person_id": homeless, "roles": ["volunteer"], "scope": REGION}
    group = deliver(events.published(REGION, starts_in_h=530, needed=3, location=HOME,
                                     on_the_hour=True))
    other = deliver(events.published(REGION, starts_in_h=531, location=HOME,
                                     on_the_hour=True))  # nobody started it: stays offered
    group_id, other_id = group["payload"]["demand_id"], other["payload"]["demand_id"]

    def offered(caller, person):
        return [i["demand_id"] for i in matching.feed_for(caller, person)["items"]]

    def candidate_ids():
        return [c["volunteer_id"]
                for c in matching.candidates_for(OPERATOR, group_id)["items"]]

    assert {group_id, other_id} <= set(offered(near, vid))
    deliver(events.assigned(group, 2, volunteer_id="v-first"))
    assert [i["open_slots"] for i in matching.feed_for(near, vid)["items"]
            if i["demand_id"] == group_id] == [2]
    assert group_id in offered(city, homeless)
    assert vid in candidate_ids()

    deliver(_started_by_an_early_check_in(events, group["payload"], ["v-first"]))
    assert group_id not in offered(near, vid)
    assert group_id not in offered(city, homeless)
    with pytest.raises(NotFound, match="open demand"):  # 404: not open
        candidate_ids()
    assert other_id in offered(near, vid)


def test_a_priority_elder_whose_categories_are_all_withdrawn_weighs_as_any(matching, deliver,
                                                                          events, volunteers):
    """identity's ``elder_priority_revoked``: the elder keeps priority while any category
    is held; a grant heard after a later revocation does not bring it back."""
    vid = volunteers.eligible(offset_km=0.0, radius=3.0)
    me = {"person_id": vid, "roles": ["volunteer"], "scope": REGION}
    elder = f"e-{uuid.uuid4().hex[:6]}"

    def word(kind, category):
        payload = {"person_id": elder, "category": category, "region_code": REGION}
        payload.update({"verified_by": "op-1"} if kind == "granted" else
                       {"reason": "情况已变化", "revoked_by": "op-1"})
        return events(f"elder_priority_{kind}", payload, REGION)

    deliver(word("granted", "empty_nest"))
    deliver(word("granted", "disability"))
    demand_id = deliver(events.published(REGION, starts_in_h=30, location=HOME,
                                         elder_id=elder))["payload"]["demand_id"]

    def priority():
        items = matching.feed_for(me, vid)["items"]
        return next(i for i in items if i["demand_id"] == demand_id)["priority_elder"]
    assert priority() is True
    late_grant = word("granted", "empty_nest")  # occurred before the revocation below
    deliver(word("revoked", "empty_nest"))
    assert priority() is True  # still 残疾
    deliver(word("revoked", "disability"))
    assert priority() is False
    deliver(late_grant)
    assert priority() is False
    deliver(word("granted", "disability"))
    assert priority() is True
