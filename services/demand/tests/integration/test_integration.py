"""The demand service in a real nameko container, on real PostgreSQL and RabbitMQ.

``identity`` is a small stand-in defined here (fixed elders and volunteers); the
end-to-end suite uses the real one.
"""
import datetime as dt
import uuid

import eventlet
import pytest
from sqlalchemy import create_engine, select

from demand.service import DemandService
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound, RuleViolation
from timebank_common.messaging_tables import outbox_table
from timebank_common.service import rpc as rpc_method

pytestmark = pytest.mark.integration

REGION = "130102001001"  # a community in 长安区, 石家庄
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000",
            "carrier_id": "carrier-7", "name": "站点操作员"}
OTHER_COUNTY_OPERATOR = {**OPERATOR, "person_id": "op-2", "scope": "130104001000"}
INELIGIBLE = "ineligible-volunteer"
RELATIVE = "vol-relative"  # a direct relative of every elder (stand-in)
PROXY = "proxy-1"  # may act for every elder (stand-in)
ACTING_FOR: dict[str, list[str]] = {}  # identity's elders_acted_for (stand-in), set by tests


class FakeIdentity:
    name = "identity"

    @rpc_method
    def get_elder(self, caller, person_id):
        if person_id == "nobody":
            raise NotFound("elder_not_found", "老人不存在", "No such elder")
        return {"person_id": person_id, "name": "张大爷", "region_code": REGION,
                "carrier_id": None, "phone_only": True}

    @rpc_method
    def check_volunteer(self, person_id):
        if person_id == INELIGIBLE:
            return {"person_id": person_id, "name": "李四", "region_code": REGION,
                    "eligible": False, "reasons": [{"code": "training_incomplete",
                                                    "zh": "培训未完成", "en": "training incomplete"}]}
        return {"person_id": person_id, "name": "志愿者", "region_code": "130102002003",
                "eligible": True, "reasons": []}

    @rpc_method
    def are_direct_relatives(self, person_a, person_b):
        related = RELATIVE in (person_a, person_b)
        return {"related": related, "kind": "child" if related else None}

    @rpc_method
    def may_act_for(self, person_id, elder_id):
        return person_id == PROXY

    @rpc_method
    def elders_acted_for(self, person_id):
        return sorted(ACTING_FOR.get(person_id, []))


@pytest.fixture(scope="module")
def running(service_config, start_module_service):
    """The demand service with a stand-in identity, started once for the module."""
    start_module_service(FakeIdentity, service_config(None, max_workers=20))
    start_module_service(DemandService, service_config("demand", max_workers=20))


@pytest.fixture
def demand(running, rpc):
    with rpc("demand") as proxy:
        yield proxy


@pytest.fixture
def recorded_events(event_bus):
    """Messages published on demand.events with routing key service_recorded."""
    return event_bus.listen("demand", "service_recorded").drain


def volunteer(person_id=None):
    return {"person_id": person_id or f"vol-{uuid.uuid4().hex[:8]}", "roles": ["volunteer"],
            "scope": None, "carrier_id": None}


def submission(start_in_hours=24, **changes):
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=start_in_hours)
    data = {
        "elder_id": f"elder-{uuid.uuid4().hex[:8]}", "category": "emotional_comfort",
        "description": "陪老人聊天", "address": "石家庄市长安区建设北大街12号",
        "location": {"lat": 38.05, "lng": 114.52},
        "window_start": start.isoformat(), "window_end": (start + dt.timedelta(hours=2)).isoformat(),
        "expected_minutes": 60, "channel": "phone",
    }
    data.update(changes)
    return data


def published(proxy, **changes):
    made = proxy.submit(OPERATOR, submission(**changes))
    return proxy.review(OPERATOR, made["demand_id"],
                        {"decision": "approve", "funding_source": "issuance"})


def test_full_path_records_service_and_publishes_service_recorded(
        demand, recorded_events, database_url):
    made = demand.submit(OPERATOR, submission())
    assert made["status"] == "submitted" and made["region_code"] == REGION
    assert made["carrier_id"] == "carrier-7"  # elder has none: the operator's station
    shown = demand.review(OPERATOR, made["demand_id"],
                          {"decision": "approve", "funding_source": "grant"})
    assert shown["status"] == "published"

    v = volunteer()
    claimed = demand.claim(v, made["demand_id"])
    assert claimed["status"] == "assigned" and claimed["open_slots"] == 0
    assert demand.claim(v, made["demand_id"]) == claimed  # a redelivered claim changes nothing

    now = dt.datetime.now(dt.UTC)
    started = demand.check_in(v, made["demand_id"], {
        "at": (now - dt.timedelta(minutes=70)).isoformat(), "lat": 38.05, "lng": 114.52})
    assert started["status"] == "in_service"
    assert demand.check_in(v, made["demand_id"], {})["assignments"] == started["assignments"]
    ended = demand.check_out(v, made["demand_id"], {"at": (now - dt.timedelta(minutes=5)).isoformat()})
    assert ended["status"] == "awaiting_record"

    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone", "note": "老人满意"})
    assert record["minutes"] == 60 and record["flags"] == []
    again = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"})
    assert again["record_id"] == record["record_id"]
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "recorded"

    events = recorded_events(expected=1)
    eventlet.sleep(0.5)
    events = recorded_events(expected=2, timeout=0.3)
    assert len(events) == 1, "a repeated record must not publish a second event"
    event = events[0]
    assert event["region_code"] == REGION and event["event_type"] == "service_recorded"
    assert event["payload"] == {
        "record_id": record["record_id"], "demand_id": made["demand_id"],
        "volunteer_id": v["person_id"], "volunteer_region_code": "130102002003",
        "elder_id": made["elder_id"], "minutes": 60, "category": "emotional_comfort",
        "funding_source": "grant", "carrier_id": "carrier-7", "recorded_by": "op-1",
        "recorded_at": record["recorded_at"],
        # a grant-funded service: the ledger posts the reservation made at the claim
        "reservation_id": f"reservation:{claimed['assignments'][0]['assignment_id']}",
    }
    engine = create_engine(database_url("demand"))
    with engine.connect() as c:
        sent = c.execute(select(outbox_table.c.sent_at).where(
            outbox_table.c.id == uuid.UUID(event["event_id"]))).scalar_one()
    engine.dispose()
    assert sent is not None


def test_record_before_check_out_is_refused(demand):
    made = published(demand)
    v = volunteer()
    demand.claim(v, made["demand_id"])
    with pytest.raises(Conflict) as e:
        demand.record(OPERATOR, made["demand_id"],
                      {"volunteer_id": v["person_id"], "minutes": 60, "confirmation": "app"})
    assert e.value.code == "invalid_transition" and e.value.details["status"] == "assigned"


def test_review_outside_scope_is_refused(demand):
    made = demand.submit(OPERATOR, submission())
    with pytest.raises(Forbidden) as e:
        demand.review(OTHER_COUNTY_OPERATOR, made["demand_id"],
                      {"decision": "approve", "funding_source": "issuance"})
    assert e.value.code == "out_of_scope"
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "submitted"


def test_duplicate_demand_is_refused_with_the_existing_id(demand):
    first = demand.submit(OPERATOR, submission())
    with pytest.raises(Conflict) as e:
        demand.submit(OPERATOR, submission(elder_id=first["elder_id"]))
    assert e.value.code == "duplicate_demand"
    assert e.value.details["demand_id"] == first["demand_id"]
    # another category in the same window is a different need
    demand.submit(OPERATOR, submission(elder_id=first["elder_id"], category="assistance"))


def test_housekeeping_and_unknown_categories_are_refused(demand):
    with pytest.raises(BadInput) as e:
        demand.submit(OPERATOR, submission(category="housekeeping"))
    assert e.value.code == "category_not_offered" and "家政" in e.value.zh
    with pytest.raises(BadInput) as e:
        demand.submit(OPERATOR, submission(category="massage"))
    assert e.value.code == "unknown_category"


def test_elder_submits_own_demand_in_app_only(demand):
    data = submission(channel="app")
    elder = {"person_id": data["elder_id"], "roles": ["elder"], "scope": None}
    assert demand.submit(elder, data)["channel"] == "app"
    with pytest.raises(Forbidden):
        demand.submit(elder, submission(channel="app"))  # someone else's


def test_only_n_of_many_parallel_claims_win(demand):
    made = published(demand, category="culture_sports", volunteers_needed=2)
    volunteers = [volunteer() for _ in range(6)]
    calls = [demand.claim.call_async(v, made["demand_id"]) for v in volunteers]
    won, refused = 0, 0
    for call in calls:
        try:
            call.result()
            won += 1
        except Conflict:
            refused += 1
    assert (won, refused) == (2, 4)
    final = demand.get(OPERATOR, made["demand_id"])
    assert final["status"] == "assigned" and len(final["assignments"]) == 2


def test_ineligible_and_overlapping_volunteers_are_refused(demand):
    first = published(demand)
    with pytest.raises(RuleViolation) as e:
        demand.claim(volunteer(INELIGIBLE), first["demand_id"])
    assert e.value.code == "volunteer_not_eligible"
    assert e.value.details["reasons"][0]["code"] == "training_incomplete"

    v = volunteer()
    demand.claim(v, first["demand_id"])
    clash = published(demand, start_in_hours=25)  # overlaps the first window by an hour
    with pytest.raises(RuleViolation) as e:
        demand.assign(OPERATOR, clash["demand_id"], v["person_id"])
    assert e.value.code == "overlapping_assignment"
    later = published(demand, start_in_hours=30)
    assert demand.assign(OPERATOR, later["demand_id"], v["person_id"])["status"] == "assigned"


def test_professional_service_needs_a_qualification(demand):
    made = published(demand, category="legal_aid")
    with pytest.raises(RuleViolation) as e:
        demand.claim(volunteer(), made["demand_id"])
    assert e.value.code == "qualification_required"


def test_lists_are_limited_to_what_each_caller_may_see(demand):
    mine = published(demand)
    other_county = {**OTHER_COUNTY_OPERATOR}
    ids = [d["demand_id"] for d in demand.list(OPERATOR, {"status": "published",
                                                          "page_size": 100})["items"]]
    assert mine["demand_id"] in ids
    assert demand.list(other_county, {})["total"] == 0
    v = volunteer()
    seen = demand.list(v, {"status": "published", "page_size": 100})["items"]
    entry = next(d for d in seen if d["demand_id"] == mine["demand_id"])
    assert entry["address"].endswith("****") and entry["location"] is None
    elder = {"person_id": mine["elder_id"], "roles": ["elder"]}
    assert [d["demand_id"] for d in demand.list(elder, {})["items"]] == [mine["demand_id"]]
    with pytest.raises(NotFound):
        demand.get(other_county, mine["demand_id"])


def test_a_proxy_lists_the_demands_of_the_elders_they_act_for(demand):
    mother, father, stranger = (f"elder-{uuid.uuid4().hex[:8]}" for _ in range(3))
    visit = published(demand, elder_id=mother)
    talk = demand.submit(OPERATOR, submission(elder_id=mother, category="health_education"))
    walk = published(demand, elder_id=father, category="outing_companion")
    published(demand, elder_id=stranger)
    daughter = {"person_id": f"daughter-{uuid.uuid4().hex[:6]}", "roles": ["relative"],
                "scope": None}
    ACTING_FOR[daughter["person_id"]] = [mother, father]

    listed = demand.list(daughter, {"page_size": 100})
    assert listed["total"] == 3
    assert {d["demand_id"] for d in listed["items"]} == {
        visit["demand_id"], talk["demand_id"], walk["demand_id"]}
    assert all(not d["address"].endswith("****") for d in listed["items"])  # as the elder
    assert [d["demand_id"] for d in demand.list(daughter, {"status": "submitted"})["items"]] \
        == [talk["demand_id"]]
    # the gateway's filters (DESIGN.md §9), as it sends them: category too, unset ones as None
    only_walks = demand.list(daughter, {"status": None, "region_code": None, "page": 1,
                                        "page_size": 20, "category": "outing_companion"})
    assert [d["demand_id"] for d in only_walks["items"]] == [walk["demand_id"]]
    # a proxy who also volunteers keeps the volunteer's view besides
    both = {**daughter, "roles": ["relative", "volunteer"]}
    seen = {d["demand_id"] for d in demand.list(both, {"page_size": 100})["items"]}
    assert {visit["demand_id"], talk["demand_id"], walk["demand_id"]} <= seen
    # a proxy of nobody any more sees nothing (not an error)
    ACTING_FOR[daughter["person_id"]] = []
    assert demand.list(daughter, {})["total"] == 0


def served_and_recorded(demand, minutes):
    made = published(demand)
    v = volunteer()
    demand.claim(v, made["demand_id"])
    now = dt.datetime.now(dt.UTC)
    demand.check_in(v, made["demand_id"], {"at": (now - dt.timedelta(minutes=70)).isoformat()})
    demand.check_out(v, made["demand_id"], {"at": (now - dt.timedelta(minutes=5)).isoformat()})
    return demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": minutes, "confirmation": "phone"})


def test_service_records_for_reconciliation_by_region_period_and_id(demand):
    made = [served_and_recorded(demand, m) for m in (40, 50, 60)]
    ids = sorted(r["record_id"] for r in made)
    today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    seen, after = [], None
    while True:  # paged by record id
        page = demand.service_records(region_prefix="130102", period_from=today.isoformat(),
                                      period_to=today.isoformat(), after=after, limit=2)
        seen.extend(page["items"])
        after = page["next_after"]
        if after is None:
            break
    mine = [r for r in seen if r["record_id"] in ids]
    assert [r["record_id"] for r in mine] == ids
    assert {r["minutes"] for r in mine} == {40, 50, 60}
    assert set(mine[0]) == {"record_id", "demand_id", "volunteer_id", "minutes", "recorded_at",
                            "region_code"}
    assert all(r["region_code"] == REGION for r in mine)
    assert [r["record_id"] for r in seen] == sorted(r["record_id"] for r in seen)

    by_id = demand.service_records(record_ids=[ids[0], str(uuid.uuid4())])
    assert [r["record_id"] for r in by_id["items"]] == [ids[0]] and by_id["next_after"] is None
    elsewhere = demand.service_records(region_prefix="130104", record_ids=ids)
    assert elsewhere["items"] == []
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    assert demand.service_records(region_prefix="130102", period_from=yesterday,
                                  period_to=yesterday, record_ids=ids)["items"] == []
    with pytest.raises(BadInput):
        demand.service_records(region_prefix="13x", period_from=today.isoformat())


def test_matching_can_page_through_demands_still_ahead(demand):
    """The internal listing matching rebuilds its read model from."""
    group = published(demand, category="culture_sports", volunteers_needed=2)
    taker = volunteer()
    demand.claim(taker, group["demand_id"])
    waiting = demand.submit(OPERATOR, submission())  # not reviewed: not listed
    seen, after = {}, None
    while True:
        page = demand.matching_demands(after, 50)
        seen.update({d["demand_id"]: d for d in page["items"]})
        if page["next_after"] is None:
            break
        after = page["next_after"]
    listed = seen[group["demand_id"]]
    assert listed["open_slots"] == 1 and listed["volunteer_ids"] == [taker["person_id"]]
    assert listed["location"] == {"lat": 38.05, "lng": 114.52}
    assert listed["volunteers_needed"] == 2 and listed["published_at"]
    assert waiting["demand_id"] not in seen
    with pytest.raises(BadInput):
        demand.matching_demands(None, 0)
