"""Withdrawal, no-shows, the first check-in, expiry, reliability and demand's side of the
reservation saga, in the test's process on real PostgreSQL (a rolled-back unit of work, no
broker): time passes by moving the test's clock, and the sweeps run when the test calls
them. ``identity`` is the test's ``IdentityFake`` (``conftest.identity``). Concurrent claims, two
processes sweeping at once and the ledger's replies through the broker: ``test_concurrency.py``
and ``test_broker.py``."""
import datetime as dt
import time

import pytest

from demand.adapters import assignment_repository
from timebank_common.errors import BadInput, Conflict, RuleViolation, Unavailable

from .conftest import OPERATOR, REGION, published, submission, volunteer

GRACE_SECONDS = 1
CONFIG = {"NO_SHOW_GRACE_SECONDS": GRACE_SECONDS, "IDENTITY_RPC_TIMEOUT_SECONDS": 0.3,
          "REVIEW_ESCALATION_SECONDS": 86400}


@pytest.fixture
def demand(in_process):
    return in_process(**CONFIG)


def about(events, demand_id):
    return [e for e in events if e["demand_id"] == demand_id]


def test_withdrawal_reopens_the_slot_and_counts(demand, clock, outbox):
    made = published(demand, clock.now())
    v = volunteer()
    assert demand.claim(v, made["demand_id"])["status"] == "assigned"
    with pytest.raises(BadInput):
        demand.withdraw(v, made["demand_id"], {"reason": ""})
    shown = demand.withdraw(v, made["demand_id"], {"reason": "家中临时有事"})
    assert shown["status"] == "published" and shown["open_slots"] == 1
    [mine] = shown["assignments"]
    assert (mine["status"], mine["end_reason"]) == ("withdrawn", "家中临时有事")
    with pytest.raises(Conflict) as err:
        demand.withdraw(v, made["demand_id"], {"reason": "again"})
    assert err.value.code == "invalid_transition"
    with pytest.raises(Conflict) as err:  # the same volunteer cannot take it back
        demand.claim(v, made["demand_id"])
    assert err.value.code == "assignment_ended"
    other = volunteer()
    clock.advance(minutes=1)
    assert demand.claim(other, made["demand_id"])["status"] == "assigned"

    [event] = about(outbox("assignment_withdrawn"), made["demand_id"])
    assert event == {"demand_id": made["demand_id"], "volunteer_id": v["person_id"],
                     "reason": "家中临时有事", "open_slots": 1, "region_code": REGION}
    [counts] = demand.reliability([v["person_id"]])
    assert counts == {"volunteer_id": v["person_id"], "assigned": 1, "completed": 0,
                      "withdrawn": 1, "no_shows": 0, "reliability": 0.0}
    operator_view = demand.get(OPERATOR, made["demand_id"])
    assert [a["reliability"]["withdrawn"] for a in operator_view["assignments"]] == [1, 0]


def test_no_show_reopens_and_is_announced_once(demand, clock, outbox):
    start = clock.now() + dt.timedelta(hours=1)
    made = published(demand, clock.now(), window_start=start.isoformat(),
                     window_end=(start + dt.timedelta(minutes=90)).isoformat())
    late, punctual = volunteer(), volunteer()
    demand.claim(late, made["demand_id"])
    demand.mark_no_shows()
    assert about(outbox("assignment_no_show"), made["demand_id"]) == []  # not yet started
    clock.set(start + dt.timedelta(seconds=GRACE_SECONDS))
    demand.mark_no_shows()
    demand.mark_no_shows()  # the sweep again: nothing more
    [event] = about(outbox("assignment_no_show"), made["demand_id"])
    assert event == {
        "demand_id": made["demand_id"], "volunteer_id": late["person_id"],
        "elder_id": made["elder_id"], "window_start": made["window_start"],
        "region_code": REGION, "demand_cancelled": False}
    shown = demand.get(OPERATOR, made["demand_id"])
    assert shown["status"] == "published" and shown["open_slots"] == 1
    assert shown["assignments"][0]["status"] == "no_show"
    with pytest.raises(Conflict):
        demand.check_in(late, made["demand_id"], {})
    assert demand.reliability([late["person_id"]])[0]["no_shows"] == 1
    # the window is still open: someone else takes it and is not a no-show once checked in
    demand.claim(punctual, made["demand_id"])
    assert demand.check_in(punctual, made["demand_id"], {})["status"] == "in_service"
    clock.advance(minutes=30)
    demand.mark_no_shows()
    assert len(about(outbox("assignment_no_show"), made["demand_id"])) == 1


def test_the_first_check_in_announces_the_start_once_even_before_the_window(demand, clock,
                                                                            outbox):
    """A group demand for three with two taken: the first volunteer checks in before the
    window. The service is under way, the last slot closes, and ``demand_started`` (open_slots
    0) tells matching; the second check-in and a repeat announce nothing more."""
    made = published(demand, clock.now(), volunteers_needed=3, category="culture_sports")
    first, second = volunteer(), volunteer()
    demand.claim(first, made["demand_id"])
    demand.claim(second, made["demand_id"])
    shown = demand.check_in(first, made["demand_id"], {})
    assert (shown["status"], shown["open_slots"]) == ("in_service", 0)
    [envelope] = [e for e in outbox() if e["event_type"] == "demand_started"]
    assert envelope["region_code"] == REGION
    event = envelope["payload"]
    assert {k: v for k, v in event.items() if k not in ("started_at", "submitted_at")} == {
        "demand_id": made["demand_id"], "volunteer_id": first["person_id"],
        "window_start": made["window_start"], "open_slots": 0, "slots_closed": 1,
        "region_code": REGION, "category": "culture_sports"}
    [told] = [p for p in outbox("demand_published") if p["demand_id"] == made["demand_id"]]
    submitted = dt.datetime.fromisoformat(event["submitted_at"])  # reporting's waiting times
    assert dt.datetime.fromisoformat(told["submitted_at"]) == submitted
    assert submitted <= dt.datetime.fromisoformat(told["published_at"]) <= \
        dt.datetime.fromisoformat(event["started_at"])
    assert dt.datetime.fromisoformat(event["started_at"]) < \
        dt.datetime.fromisoformat(made["window_start"])  # before the window
    with pytest.raises(Conflict):  # nobody else can take the slot matching offered
        demand.claim(volunteer(), made["demand_id"])
    demand.check_in(second, made["demand_id"], {})
    demand.check_in(first, made["demand_id"], {})  # a repeat
    assert len(outbox("demand_started")) == 1


def test_a_category_withdrawn_after_publication_still_serves_its_published_demands(
        demand, clock, identity):
    """Withdrawing a category stops new demands of it; one already reviewed and published
    can still be taken, under the category's rules (a professional one needs its
    qualification) — not a crash."""
    code = "home_care"
    care = published(demand, clock.now(), category=code)
    companion = published(demand, clock.now() + dt.timedelta(hours=6))
    province = {"person_id": "pa-1", "roles": ["province_admin"], "scope": "130000000000"}
    withdrawn = demand.update_category(province, code, {"active": False})
    assert withdrawn["active"] is False
    try:
        untrained = volunteer()
        with pytest.raises(RuleViolation) as refused:
            demand.claim(untrained, care["demand_id"])
        assert refused.value.code == "qualification_required"
        nurse = volunteer()
        identity.add_volunteer(nurse["person_id"], qualifications=["nurse"])
        assert demand.claim(nurse, care["demand_id"])["status"] == "assigned"
        assert demand.claim(untrained, companion["demand_id"])["status"] == "assigned"
    finally:
        demand.update_category(province, code, {"active": True})


def test_an_elder_funded_assignment_asks_the_ledger_to_reserve(demand, clock, outbox):
    """demand's side of the saga: the request in the assignment's transaction, the release
    with the cancellation (the ledger's replies through the broker: ``test_broker.py``)."""
    made = published(demand, clock.now(), funding="own_hours")
    claimed = demand.claim(volunteer(), made["demand_id"])
    [assignment] = claimed["assignments"]
    assert assignment["reservation_status"] == "requested"
    [request] = outbox("reservation_requested")
    assert request["reservation_id"] == f"reservation:{assignment['assignment_id']}"
    assert (request["minutes"], request["funding_source"]) == (60, "own_hours")
    window_end = dt.datetime.fromisoformat(made["window_end"])
    assert dt.datetime.fromisoformat(request["expires_at"]) == window_end + dt.timedelta(days=1)
    demand.cancel(OPERATOR, made["demand_id"], {"reason": "老人住院"})
    assert outbox("reservation_released") == [{
        "assignment_id": assignment["assignment_id"], "reservation_id": request["reservation_id"],
        "demand_id": made["demand_id"], "reason": "cancelled"}]


def test_issuance_funded_demand_reserves_nothing(demand, clock, outbox):
    made = published(demand, clock.now())
    claimed = demand.claim(volunteer(), made["demand_id"])
    assert claimed["assignments"][0]["reservation_status"] is None
    assert outbox("reservation_requested") == []


def test_identity_not_answering_is_unavailable_and_changes_nothing(demand, clock, identity):
    made = published(demand, clock.now())
    slow = volunteer()
    identity.silent("check_volunteer")  # identity takes the question, never answers; we wait 0.3
    with pytest.raises(Unavailable) as err:
        demand.claim(slow, made["demand_id"])
    assert err.value.code == "identity_unavailable"
    assert demand.get(OPERATOR, made["demand_id"])["assignments"] == []


def test_a_volunteers_list_waits_for_identity_no_longer_than_the_timeout(demand, clock,
                                                                          identity):
    """The list asks identity for the volunteer's region (their city's published demands)
    through the same timed path as every other identity question."""
    made = published(demand, clock.now())
    slow = volunteer()
    identity.silent("check_volunteer", when=lambda person_id: person_id == slow["person_id"])
    started = time.monotonic()
    with pytest.raises(Unavailable) as err:
        demand.list(slow, {"status": "published"})
    assert err.value.code == "identity_unavailable"
    assert time.monotonic() - started < 1.5  # the timeout is 0.3 s; identity, never
    shown = demand.list(volunteer(), {"status": "published", "page_size": 100})["items"]
    assert made["demand_id"] in [d["demand_id"] for d in shown]


def test_no_show_figures_for_statistics(demand, clock, uow_factory):
    """What demand statistics will show: no-shows, withdrawals, rate over started services."""
    prefix = "1301020010"  # this test's own demands get their own window period
    start = clock.now() + dt.timedelta(days=40)
    made = [published(demand, clock.now(), start_in_hours=24 * 40 + i * 3) for i in range(2)]
    v1, v2 = volunteer(), volunteer()
    demand.claim(v1, made[0]["demand_id"])
    demand.withdraw(v1, made[0]["demand_id"], {"reason": "出差"})
    demand.claim(v2, made[1]["demand_id"])
    with uow_factory("demand")() as uow:
        figures = assignment_repository.no_show_figures(
            uow, prefix, start - dt.timedelta(hours=1), start + dt.timedelta(days=1))
    assert figures == {"no_shows": 0, "withdrawals": 1, "no_show_rate": None}


def test_demands_nobody_serves_expire_when_their_window_ends(demand, clock, outbox):
    """A demand nobody claimed, one reopened by a withdrawal with nobody left, and one never
    reviewed (escalated) are cancelled with reason ``expired`` once their window is over;
    one a volunteer still holds is the no-show rule's (reason ``no_show``), never expired as
    well. Statistics count the expired ones. (Each once with two processes sweeping at once:
    ``test_broker.py``.)"""
    county = {"person_id": "ca-1", "roles": ["county_admin"], "scope": "130102000000"}
    today = clock.now().astimezone(dt.timezone(dt.timedelta(hours=8))).date().isoformat()
    expired_before = demand.demand_stats(county, None, today, today)["completion"]["expired"]

    unclaimed = published(demand, clock.now())
    reopened = published(demand, clock.now(), funding="own_hours")
    gone = volunteer()
    demand.claim(gone, reopened["demand_id"])
    demand.withdraw(gone, reopened["demand_id"], {"reason": "家中临时有事"})
    unreviewed = demand.submit(OPERATOR, submission(clock.now()))
    taken = published(demand, clock.now())
    holder = volunteer()
    demand.claim(holder, taken["demand_id"])

    clock.advance(hours=27)  # every window (24 to 26 hours ahead) is over
    for _ in range(2):  # each timer twice: nothing more the second time
        demand.escalate_unreviewed()
        demand.mark_no_shows()
        demand.expire_unserved()

    cancelled = outbox("demand_cancelled")
    for made in (unclaimed, reopened, unreviewed):
        [event] = about(cancelled, made["demand_id"])
        assert event["reason"] == "expired" and event["elder_id"] == made["elder_id"]
        assert event["volunteer_ids"] == [] and event["region_code"] == REGION
    [no_show] = about(cancelled, taken["demand_id"])
    assert no_show["reason"] == "no_show"

    for made in (unclaimed, reopened, unreviewed):
        shown = demand.get(OPERATOR, made["demand_id"])
        assert (shown["status"], shown["cancel_reason"], shown["open_slots"]) == (
            "cancelled", "expired", 0)
        with pytest.raises(Conflict):
            demand.claim(volunteer(), made["demand_id"])
    assert [a["status"] for a in demand.get(OPERATOR, reopened["demand_id"])["assignments"]] \
        == ["withdrawn"]  # kept, for the volunteer's reliability
    escalation = demand.get(OPERATOR, unreviewed["demand_id"])["escalation"]
    assert escalation["closed_reason"] == "expired" and escalation["closed_at"]
    shown = demand.get(OPERATOR, taken["demand_id"])
    assert (shown["status"], shown["cancel_reason"]) == ("cancelled", "no_show")
    completion = demand.demand_stats(county, None, today, today)["completion"]
    assert completion["expired"] - expired_before == 3


def test_mine_lists_a_volunteers_services_in_every_status_in_one_call(demand, clock):
    """``mine=true``: the demands the volunteer is assigned to, whatever their status, and not
    the published ones of their city they could claim (the volunteer's "my services")."""
    claimed = published(demand, clock.now())
    open_one = published(demand, clock.now())
    v = volunteer()
    demand.claim(v, claimed["demand_id"])
    everything = {d["demand_id"] for d in
                  demand.list(v, {"page_size": 100})["items"]}
    assert {claimed["demand_id"], open_one["demand_id"]} <= everything
    mine = demand.list(v, {"mine": True, "page_size": 100})
    assert [d["demand_id"] for d in mine["items"]] == [claimed["demand_id"]]
    assert mine["total"] == 1
    assert demand.list(volunteer(), {"mine": True})["items"] == []
    assert demand.list(OPERATOR, {"mine": True})["items"] == []  # staff: nothing of their own
