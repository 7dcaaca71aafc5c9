"""Demands from submission to the record, in the test's process on real PostgreSQL (a
rolled-back unit of work, no broker): scope and visibility, duplicates and the catalogue,
claims refused, the events written, and the internal listings of the ledger and matching.
``identity`` is the test's ``IdentityFake`` (``conftest.identity``); what crosses the broker
is ``test_broker.py``."""
import datetime as dt
import uuid

import pytest

from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound, RuleViolation

from .conftest import (
    OPERATOR,
    REGION,
    VOLUNTEER_REGION,
    named_id,
    new_id,
    published,
    submission,
    volunteer,
)

OTHER_COUNTY_OPERATOR = {**OPERATOR, "person_id": "op-2", "scope": "130104001000"}
INELIGIBLE = named_id("ineligible-volunteer")  # not enough training yet


@pytest.fixture
def demand(in_process, identity):
    identity.add_volunteer(INELIGIBLE, eligible=False, reasons=[{
        "code": "training_short", "zh": "培训学时不足：已完成4小时，须达到8小时",
        "en": "Not enough training: 4 of 8 hours completed"}])
    return in_process()


def test_full_path_records_the_service_and_writes_service_recorded_once(demand, clock,
                                                                          outbox):
    now = clock.now()
    made = demand.submit(OPERATOR, submission(now, funding_source="grant"))
    assert made["status"] == "submitted" and made["region_code"] == REGION
    assert made["carrier_id"] == "carrier-7"  # elder has none: the operator's station
    # the payer was chosen at submission, by the operator on the phone for the elder
    assert (made["funding_source"], made["funding_chosen_by"]) == ("grant", "operator")
    shown = demand.review(OPERATOR, made["demand_id"], {"decision": "approve"})
    assert shown["status"] == "published"

    v = volunteer()
    claimed = demand.claim(v, made["demand_id"])
    assert claimed["status"] == "assigned" and claimed["open_slots"] == 0
    assert demand.claim(v, made["demand_id"]) == claimed  # a redelivered claim changes nothing

    clock.set(dt.datetime.fromisoformat(made["window_start"]))
    started = demand.check_in(v, made["demand_id"], {
        "at": clock.now().isoformat(), "lat": 38.05, "lng": 114.52})
    assert started["status"] == "in_service"
    assert demand.check_in(v, made["demand_id"], {})["assignments"] == started["assignments"]
    clock.advance(minutes=65)
    ended = demand.check_out(v, made["demand_id"], {"lat": 38.05, "lng": 114.52})
    assert ended["status"] == "awaiting_record"

    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone", "note": "老人满意"})
    assert record["minutes"] == 60 and record["flags"] == []
    again = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"})
    assert again["record_id"] == record["record_id"]
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "recorded"

    [payload] = outbox("service_recorded")  # a repeated record writes no second event
    assert payload == {
        "record_id": record["record_id"], "demand_id": made["demand_id"],
        "volunteer_id": v["person_id"], "volunteer_region_code": VOLUNTEER_REGION,
        "elder_id": made["elder_id"], "minutes": 60, "category": "emotional_comfort",
        "funding_source": "grant", "fallback_reason": None, "carrier_id": "carrier-7",
        "recorded_by": "op-1",
        "recorded_at": record["recorded_at"],
        # the first check-in and the check-out (65 minutes later)
        "started_at": started["assignments"][0]["checked_in_at"],
        "ended_at": ended["assignments"][0]["checked_out_at"],
        # a grant-funded service: the ledger posts the reservation made at the claim
        "reservation_id": f"reservation:{claimed['assignments'][0]['assignment_id']}",
    }
    [envelope] = [e for e in outbox() if e["event_type"] == "service_recorded"]
    assert envelope["region_code"] == REGION and envelope["v"] == 1


def test_record_before_check_out_is_refused(demand, clock):
    made = published(demand, clock.now())
    v = volunteer()
    demand.claim(v, made["demand_id"])
    with pytest.raises(Conflict) as e:
        demand.record(OPERATOR, made["demand_id"],
                      {"volunteer_id": v["person_id"], "minutes": 60, "confirmation": "app"})
    assert e.value.code == "invalid_transition" and e.value.details["status"] == "assigned"


def test_review_outside_scope_answers_as_an_unknown_demand(demand, clock):
    made = demand.submit(OPERATOR, submission(clock.now()))
    with pytest.raises(NotFound) as e:
        demand.review(OTHER_COUNTY_OPERATOR, made["demand_id"],
                      {"decision": "approve"})
    assert e.value.code == "demand_not_found"
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "submitted"


def test_duplicate_demand_is_refused_with_the_existing_id(demand, clock):
    first = demand.submit(OPERATOR, submission(clock.now()))
    with pytest.raises(Conflict) as e:
        demand.submit(OPERATOR, submission(clock.now(), elder_id=first["elder_id"]))
    assert e.value.code == "duplicate_demand"
    assert e.value.details["demand_id"] == first["demand_id"]
    # another category in the same window is a different need
    demand.submit(OPERATOR, submission(clock.now(), elder_id=first["elder_id"],
                                       category="assistance"))


def test_housekeeping_and_unknown_categories_are_refused(demand, clock):
    with pytest.raises(BadInput) as e:
        demand.submit(OPERATOR, submission(clock.now(), category="housekeeping"))
    assert e.value.code == "category_not_offered" and "家政" in e.value.zh
    with pytest.raises(BadInput) as e:
        demand.submit(OPERATOR, submission(clock.now(), category="massage"))
    assert e.value.code == "unknown_category"


def test_elder_submits_own_demand_in_app_only(demand, clock):
    data = submission(clock.now(), channel="app")
    elder = {"person_id": data["elder_id"], "roles": ["elder"], "scope": None}
    assert demand.submit(elder, data)["channel"] == "app"
    with pytest.raises(Forbidden):
        demand.submit(elder, submission(clock.now(), channel="app"))  # someone else's


def test_ineligible_and_overlapping_volunteers_are_refused(demand, clock):
    first = published(demand, clock.now())
    with pytest.raises(RuleViolation) as e:
        demand.claim(volunteer(INELIGIBLE), first["demand_id"])
    assert e.value.code == "volunteer_not_eligible"
    assert e.value.details["reasons"][0]["code"] == "training_short"  # identity's reason

    v = volunteer()
    demand.claim(v, first["demand_id"])
    clash = published(demand, clock.now(), start_in_hours=25)  # overlaps the first window
    with pytest.raises(RuleViolation) as e:
        demand.assign(OPERATOR, clash["demand_id"], v["person_id"])
    assert e.value.code == "overlapping_assignment"
    later = published(demand, clock.now(), start_in_hours=30)
    assert demand.assign(OPERATOR, later["demand_id"], v["person_id"])["status"] == "assigned"


def test_professional_service_needs_a_qualification(demand, clock):
    made = published(demand, clock.now(), category="legal_aid")
    with pytest.raises(RuleViolation) as e:
        demand.claim(volunteer(), made["demand_id"])
    assert e.value.code == "qualification_required"


def test_lists_are_limited_to_what_each_caller_may_see(demand, clock):
    mine = published(demand, clock.now())
    ids = [d["demand_id"] for d in demand.list(OPERATOR, {"status": "published",
                                                          "page_size": 100})["items"]]
    assert mine["demand_id"] in ids
    assert demand.list(OTHER_COUNTY_OPERATOR, {})["total"] == 0
    seen = demand.list(volunteer(), {"status": "published", "page_size": 100})["items"]
    entry = next(d for d in seen if d["demand_id"] == mine["demand_id"])
    assert entry["address"].endswith("****") and entry["location"] is None
    elder = {"person_id": mine["elder_id"], "roles": ["elder"]}
    assert [d["demand_id"] for d in demand.list(elder, {})["items"]] == [mine["demand_id"]]
    with pytest.raises(NotFound):
        demand.get(OTHER_COUNTY_OPERATOR, mine["demand_id"])


def test_a_proxy_lists_the_demands_of_the_elders_they_act_for(demand, clock, identity):
    now = clock.now()
    mother, father, stranger = (new_id("elder") for _ in range(3))
    visit = published(demand, now, elder_id=mother)
    talk = demand.submit(OPERATOR, submission(now, elder_id=mother,
                                              category="health_education"))
    walk = published(demand, now, elder_id=father, category="outing_companion")
    published(demand, now, elder_id=stranger)
    daughter = {"person_id": new_id("daughter"), "roles": ["relative"], "scope": None}
    identity.add_proxy(daughter["person_id"], mother)
    identity.add_proxy(daughter["person_id"], father)

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
    identity.remove_proxy(daughter["person_id"], mother)
    identity.remove_proxy(daughter["person_id"], father)
    assert demand.list(daughter, {})["total"] == 0


def served_and_recorded(demand, now, minutes):
    made = published(demand, now)
    v = volunteer()
    demand.claim(v, made["demand_id"])
    demand.check_in(v, made["demand_id"], {"at": (now - dt.timedelta(minutes=70)).isoformat()})
    demand.check_out(v, made["demand_id"], {"at": (now - dt.timedelta(minutes=5)).isoformat()})
    return demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": minutes, "confirmation": "phone"})


def test_service_records_for_reconciliation_by_region_period_and_id(demand, clock):
    made = [served_and_recorded(demand, clock.now(), m) for m in (40, 50, 60)]
    ids = sorted(r["record_id"] for r in made)
    today = clock.now().astimezone(dt.timezone(dt.timedelta(hours=8))).date()
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


def test_matching_can_page_through_demands_still_ahead(demand, clock):
    """The internal listing matching rebuilds its read model from."""
    group = published(demand, clock.now(), category="culture_sports", volunteers_needed=2)
    taker = volunteer()
    demand.claim(taker, group["demand_id"])
    waiting = demand.submit(OPERATOR, submission(clock.now()))  # not reviewed: not listed
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
