"""The elder's choice of payer: chosen at submission (by the elder, their proxy, or the
operator on the elder's behalf), never at review; the shortfall of the chosen source shown at
review and a fallback to issuance only with an explicit reason, carried to the ledger and
counted. In the test's process on a rolled-back unit of work, the ledger a stand-in
(``conftest.LedgerStandIn``)."""
import datetime as dt

import pytest

from timebank_common.clock import CHINA
from timebank_common.errors import BadInput, RuleViolation

from .conftest import OPERATOR, PLACE, named_id, new_id, submission, volunteer

TOWNSHIP_ADMIN = {"person_id": "adm-t", "roles": ["township_admin"], "scope": "130102001000"}
PROXY = named_id("funding-proxy")


@pytest.fixture
def demand(in_process):
    return in_process()


def test_the_payer_is_chosen_at_submission_and_says_by_whom(demand, clock, identity):
    own = submission(clock.now(), channel="app", funding_source="own_hours")
    mine = demand.submit({"person_id": own["elder_id"], "roles": ["elder"]}, own)
    assert (mine["funding_source"], mine["funding_chosen_by"]) == ("own_hours", "elder")

    proxied = submission(clock.now(), channel="app", elder_id=identity.add_elder(),
                         funding_source="grant")
    identity.add_proxy(PROXY, proxied["elder_id"])
    theirs = demand.submit({"person_id": PROXY, "roles": ["relative"]}, proxied)
    assert (theirs["funding_source"], theirs["funding_chosen_by"]) == ("grant", "proxy")

    by_phone = demand.submit(OPERATOR, submission(clock.now(), funding_source="donation_pool"))
    assert (by_phone["funding_source"], by_phone["funding_chosen_by"]) == ("donation_pool",
                                                                           "operator")
    nobody = demand.submit(OPERATOR, submission(clock.now()))
    assert (nobody["funding_source"], nobody["funding_chosen_by"]) == ("issuance", None)


def test_review_does_not_choose_the_payer(demand, clock):
    made = demand.submit(OPERATOR, submission(clock.now(), funding_source="own_hours"))
    with pytest.raises(BadInput) as e:
        demand.review(OPERATOR, made["demand_id"], {"decision": "approve",
                                                    "funding_source": "issuance"})
    assert e.value.code == "funding_chosen_at_submission" and "提交" in e.value.zh
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "submitted"


def test_a_shortfall_is_shown_and_a_fallback_needs_its_reason(demand, clock, ledger, outbox):
    elder_id = new_id("elder")
    ledger.set(elder_id, earned=50, reserved=20)  # 30 minutes the elder can still spend
    made = demand.submit(OPERATOR, submission(clock.now(), elder_id=elder_id,
                                              funding_source="own_hours"))
    seen = demand.funding_check(OPERATOR, made["demand_id"])  # before deciding
    assert seen == {"demand_id": made["demand_id"], "funding_source": "own_hours",
                    "funding_chosen_by": "operator", "needed_minutes": 60,
                    "available_minutes": 30, "shortfall_minutes": 30,
                    "fallback_reason_required": True}
    with pytest.raises(RuleViolation) as e:
        demand.review(OPERATOR, made["demand_id"], {"decision": "approve"})
    assert e.value.code == "funding_shortfall"
    assert e.value.details == {"funding_source": "own_hours", "needed_minutes": 60,
                               "available_minutes": 30, "shortfall_minutes": 30}
    caller, asked_about = ledger.asked[-1]  # the ledger is asked as the reviewer
    assert (caller["person_id"], asked_about) == ("op-1", elder_id)
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "submitted"

    reason = "老人自有时长不足，经电话确认同意差额由公共时长补足"
    shown = demand.review(OPERATOR, made["demand_id"], {"decision": "approve",
                                                        "fallback_reason": reason})
    assert (shown["status"], shown["funding_source"], shown["fallback_reason"]) == (
        "published", "own_hours", reason)
    assert (shown["funding_available_minutes"], shown["funding_shortfall_minutes"]) == (30, 30)
    # reporting's funding figures: the payer and chooser on submission, the fallback on review
    [submitted] = [p for p in outbox("demand_submitted") if p["demand_id"] == made["demand_id"]]
    assert (submitted["funding_source"], submitted["funding_chosen_by"]) == ("own_hours",
                                                                             "operator")
    [published] = [p for p in outbox("demand_published") if p["demand_id"] == made["demand_id"]]
    assert (published["fallback_reason"], published["funding_shortfall_minutes"]) == (reason,
                                                                                      30)

    v = volunteer()
    demand.claim(v, made["demand_id"])
    [request] = [p for p in outbox("reservation_requested")
                 if p["demand_id"] == made["demand_id"]]
    assert (request["funding_source"], request["fallback_reason"]) == ("own_hours", reason)

    clock.set(dt.datetime.fromisoformat(made["window_start"]))
    demand.check_in(v, made["demand_id"], dict(PLACE))
    clock.advance(minutes=60)
    demand.check_out(v, made["demand_id"], dict(PLACE))
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"})
    assert record["status"] == "sent", record["flags"]
    [recorded] = [p for p in outbox("service_recorded") if p["demand_id"] == made["demand_id"]]
    assert recorded["fallback_reason"] == reason

    today = clock.now().astimezone(CHINA).date()
    figures = demand.demand_stats(TOWNSHIP_ADMIN, period_from=(
        today - dt.timedelta(days=3)).isoformat(), period_to=today.isoformat())["funding"]
    assert figures["fallbacks"] >= 1 and figures["fallback_shortfall_minutes"] >= 30
    assert figures["by_source"]["own_hours"] >= 1 and figures["chosen_by"]["operator"] >= 1


def test_covered_sources_and_the_citys_hours_need_no_reason(demand, clock, ledger):
    elder_id = new_id("elder")
    ledger.set(elder_id, grant=120)
    group = demand.submit(OPERATOR, submission(clock.now(), elder_id=elder_id,
                                               funding_source="grant",
                                               category="culture_sports", volunteers_needed=2))
    shown = demand.review(OPERATOR, group["demand_id"], {"decision": "approve"})
    assert (shown["funding_shortfall_minutes"], shown["fallback_reason"]) == (0, None)
    asked = len(ledger.asked)
    public = demand.submit(OPERATOR, submission(clock.now()))
    demand.review(OPERATOR, public["demand_id"], {"decision": "approve"})
    assert len(ledger.asked) == asked  # issuance: the ledger is not asked


def test_an_elder_without_an_account_has_nothing_to_spend(demand, clock, ledger):
    elder_id = new_id("elder")
    ledger.unknown(elder_id)
    made = demand.submit(OPERATOR, submission(clock.now(), elder_id=elder_id,
                                              funding_source="own_hours"))
    with pytest.raises(RuleViolation) as e:
        demand.review(OPERATOR, made["demand_id"], {"decision": "approve"})
    assert e.value.details["available_minutes"] == 0


def test_a_series_carries_the_payer_chosen_when_it_was_made(demand, clock):
    today = clock.now().astimezone(CHINA).date()
    made = demand.create_series(OPERATOR, {
        "elder_id": new_id("series"), "category": "emotional_comfort",
        "description": "每周上门陪伴", "address": "石家庄市长安区建设北大街12号",
        "frequency": "weekly", "weekdays": [1, 4], "start_date": today.isoformat(),
        "end_date": (today + dt.timedelta(days=30)).isoformat(), "time_of_day": "10:00",
        "window_minutes": 60, "expected_minutes": 60, "channel": "phone",
        "funding_source": "grant"})
    assert (made["funding_source"], made["funding_chosen_by"]) == ("grant", "operator")
    dated = [o["demand_id"] for o in made["occurrences"] if o["demand_id"]]
    assert dated
    for demand_id in dated:
        shown = demand.get(OPERATOR, demand_id)
        assert (shown["funding_source"], shown["funding_chosen_by"]) == ("grant", "operator")
