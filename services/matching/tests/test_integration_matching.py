"""The matching read model in a real nameko container, on real PostgreSQL and RabbitMQ.

Demand events are published as the demand service's outbox relay publishes them.
"""
import datetime as dt
import uuid
from functools import partial

import eventlet
import pytest
from timebank_testing import wait_for as shared_wait_for

from matching.service import MatchingService
from timebank_common.db import make_event
from timebank_common.errors import Forbidden

pytestmark = pytest.mark.integration

REGION = "130102001001"  # 长安区, 石家庄
VOLUNTEER_SCOPE = "130102002003"
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000"}


@pytest.fixture(scope="module")
def running(service_config, start_module_service):
    start_module_service(MatchingService, service_config("matching"))


@pytest.fixture
def matching(running, rpc):
    with rpc("matching") as proxy:
        yield proxy


@pytest.fixture
def publish(event_bus):
    return lambda event: event_bus.publish("demand", event)


def volunteer():
    pid = f"v-{uuid.uuid4().hex[:8]}"
    return pid, {"person_id": pid, "roles": ["volunteer"], "scope": VOLUNTEER_SCOPE}


def published(region=REGION, needed=1, starts_in_h=24):
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=starts_in_h)
    return make_event("demand_published", {
        "demand_id": str(uuid.uuid4()), "elder_id": "e-1", "category": "companionship",
        "region_code": region, "window_start": start.isoformat(),
        "window_end": (start + dt.timedelta(hours=2)).isoformat(), "expected_minutes": 120,
        "volunteers_needed": needed, "location": {"lat": 38.04, "lng": 114.51},
    }, region)


def assigned(demand_event, open_slots):
    p = demand_event["payload"]
    return make_event("demand_assigned", {
        "demand_id": p["demand_id"], "volunteer_id": "v-x", "elder_id": p["elder_id"],
        "window_start": p["window_start"], "window_end": p["window_end"],
        "open_slots": open_slots,
    }, p["region_code"])


wait_for = partial(shared_wait_for, timeout=10.0)


def feed_ids(matching, caller, volunteer_id):
    return [i["demand_id"] for i in matching.feed_for(caller, volunteer_id)["items"]]


def test_published_demand_appears_in_the_feed_and_leaves_when_full(matching, publish):
    vid, caller = volunteer()
    event = publish(published(needed=2))
    demand_id = event["payload"]["demand_id"]
    wait_for(lambda: demand_id in feed_ids(matching, caller, vid))
    item = next(i for i in matching.feed_for(caller, vid)["items"] if i["demand_id"] == demand_id)
    assert item["open_slots"] == 2
    assert item["category"] == "companionship" and item["expected_minutes"] == 120
    assert dt.datetime.fromisoformat(item["window_start"]) == \
        dt.datetime.fromisoformat(event["payload"]["window_start"])

    publish(assigned(event, 1))
    wait_for(lambda: any(i["demand_id"] == demand_id and i["open_slots"] == 1
                         for i in matching.feed_for(caller, vid)["items"]))
    publish(assigned(event, 0))
    wait_for(lambda: demand_id not in feed_ids(matching, caller, vid))


def test_duplicate_delivery_is_harmless(matching, publish):
    vid, caller = volunteer()
    event = published(needed=3)
    demand_id = event["payload"]["demand_id"]
    one_taken = assigned(event, 2)
    for e in (event, one_taken, event, one_taken):
        publish(e)
    wait_for(lambda: demand_id in feed_ids(matching, caller, vid))
    eventlet.sleep(0.5)
    items = [i for i in matching.feed_for(caller, vid)["items"] if i["demand_id"] == demand_id]
    assert [i["open_slots"] for i in items] == [2]


def test_assignment_heard_before_publication_is_not_lost(matching, publish):
    vid, caller = volunteer()
    event = published(needed=1)
    publish(assigned(event, 0))  # the assignment queue is handled first
    eventlet.sleep(0.3)
    publish(event)
    marker = publish(published())  # same queue, after it: once it shows, both were handled
    wait_for(lambda: marker["payload"]["demand_id"] in feed_ids(matching, caller, vid))
    eventlet.sleep(0.5)
    assert event["payload"]["demand_id"] not in feed_ids(matching, caller, vid)


def test_cancelled_demand_leaves_the_feed(matching, publish):
    vid, caller = volunteer()
    event = publish(published())
    demand_id = event["payload"]["demand_id"]
    wait_for(lambda: demand_id in feed_ids(matching, caller, vid))
    publish(make_event("demand_cancelled", {"demand_id": demand_id, "elder_id": "e-1",
                                            "region_code": REGION, "reason": "不需要了",
                                            "volunteer_ids": []}, REGION))
    wait_for(lambda: demand_id not in feed_ids(matching, caller, vid))


def test_own_city_first_and_started_windows_hidden(matching, publish):
    vid, caller = volunteer()
    far = publish(published(region="130602001001", starts_in_h=1))  # 保定, sooner
    near = publish(published(starts_in_h=30))
    started = publish(published(starts_in_h=-1))
    wanted = [near["payload"]["demand_id"], far["payload"]["demand_id"]]
    wait_for(lambda: set(wanted) <= set(feed_ids(matching, caller, vid)))
    ids = feed_ids(matching, caller, vid)
    assert ids.index(wanted[0]) < ids.index(wanted[1])
    assert started["payload"]["demand_id"] not in ids


def test_only_the_volunteer_or_staff_in_scope_may_read_a_feed(matching, publish):
    vid, caller = volunteer()
    other, _ = volunteer()
    with pytest.raises(Forbidden):
        matching.feed_for(caller, other)
    with pytest.raises(Forbidden):
        matching.feed_for({"person_id": "e-1", "roles": ["elder"], "scope": REGION}, vid)

    inside = publish(published())
    outside = publish(published(region="130104001001"))  # another county of 石家庄
    wanted = {inside["payload"]["demand_id"], outside["payload"]["demand_id"]}
    wait_for(lambda: wanted <= set(feed_ids(matching, caller, vid)))
    staff_view = feed_ids(matching, OPERATOR, vid)
    assert inside["payload"]["demand_id"] in staff_view
    assert outside["payload"]["demand_id"] not in staff_view
