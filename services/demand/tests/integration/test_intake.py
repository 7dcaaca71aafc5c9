"""Intake in the test's process on real PostgreSQL (a rolled-back unit of work, no broker):
catalogue editing, submission on every channel, adjustment and review, escalation of
unreviewed demands, recurring series and the statistics. ``identity`` is the test's
``IdentityFake`` (``conftest.identity``). Several processes escalating or generating at once:
``test_broker.py`` and ``test_concurrency.py``."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import func, select

from demand.adapters.tables import demands
from timebank_common.clock import CHINA
from timebank_common.errors import (
    BadInput,
    Conflict,
    Forbidden,
    NotFound,
    RuleViolation,
    Unavailable,
)

from .conftest import OPERATOR, REGION, named_id, new_id, submission, volunteer

OTHER_COUNTY_OPERATOR = {**OPERATOR, "person_id": "op-2", "scope": "130104001000"}
STATS_OPERATOR = {**OPERATOR, "person_id": "op-3", "scope": "130105001000"}
TOWNSHIP = {"person_id": "tw-1", "roles": ["township_admin"], "scope": "130102001000"}
PROVINCE = {"person_id": "pa-1", "roles": ["province_admin"], "scope": "130000000000"}
CITY_CLIENT = {"person_id": None, "client_id": "sjz-civil-affairs", "roles": ["api_client"],
               "scope": "130100000000"}
OTHER_CITY_CLIENT = {**CITY_CLIENT, "client_id": "ts-civil-affairs", "scope": "130200000000"}
INTAKE_CONFIG = {"IDENTITY_RPC_TIMEOUT_SECONDS": 0.3, "REVIEW_ESCALATION_SECONDS": 2,
                 "SERIES_HORIZON_DAYS": 14}
STATS_REGION = "130105001002"  # 新华区
INTAKE_PROXY = named_id("proxy-relative-1")  # a relative who acts for an elder (registered per test)
NOBODY = named_id("nobody")  # a person with no elder profile
NOT_AN_ELDER = named_id("volunteer-not-elder")  # a volunteer with no elder profile
YOUNG = named_id("young-1")  # an elder profile, but 45 years old


@pytest.fixture
def demand(in_process, identity):
    identity.add_person(NOBODY)
    identity.add_volunteer(NOT_AN_ELDER)
    identity.add_elder(YOUNG, age=45)
    return in_process(**INTAKE_CONFIG)


@pytest.fixture
def count_demands(uow_factory):
    def count(elder):
        with uow_factory("demand")() as uow:
            return uow.execute(select(func.count()).select_from(demands)
                               .where(demands.c.elder_id == elder)).scalar_one()
    return count


# --- catalogue -----------------------------------------------------------------------------
def test_province_admin_edits_the_catalogue_and_every_change_is_kept(demand, clock):
    code = f"tai_chi_{uuid.uuid4().hex[:8]}"
    made = demand.create_category(PROVINCE, {
        "code": code, "name_zh": "太极拳教学", "name_en": "Tai chi lessons",
        "default_minutes": 60, "group_allowed": True})
    assert made["active"] is True and made["professional"] is False
    with pytest.raises(Conflict) as e:
        demand.create_category(PROVINCE, {"code": code, "name_zh": "重复", "name_en": "Again",
                                          "default_minutes": 60})
    assert e.value.code == "category_exists"
    assert code in [c["code"] for c in demand.catalog()]

    data = submission(clock.now(), category=code, volunteers_needed=3)
    assert demand.submit(OPERATOR, data)["category"] == code

    clock.advance(minutes=1)
    renamed = demand.update_category(PROVINCE, code, {"name_zh": "太极拳", "default_minutes": 90})
    assert renamed["name_zh"] == "太极拳" and renamed["default_minutes"] == 90
    clock.advance(minutes=1)
    withdrawn = demand.update_category(PROVINCE, code, {"active": False})
    assert withdrawn["active"] is False
    assert code not in [c["code"] for c in demand.catalog()]
    with pytest.raises(BadInput) as e:
        demand.submit(OPERATOR, submission(clock.now(), category=code))
    assert e.value.code == "unknown_category"
    page = demand.catalog_page(PROVINCE, {"include_inactive": True})
    assert code in [c["code"] for c in page["categories"]]
    assert code not in [c["code"] for c in demand.catalog_page(None)["categories"]]
    clock.advance(minutes=1)
    demand.update_category(PROVINCE, code, {"active": True})

    history = demand.catalogue_history(PROVINCE, {"code": code})["items"]
    assert [h["action"] for h in history] == ["reactivate", "deactivate", "update", "create"]
    assert history[2]["before"]["name_zh"] == "太极拳教学" and history[2]["after"]["name_zh"] == "太极拳"
    assert {h["changed_by"] for h in history} == {"pa-1"}


def test_catalogue_edits_are_refused_to_others_and_when_inconsistent(demand):
    with pytest.raises(Forbidden):
        demand.create_category(OPERATOR, {"code": "chess", "name_zh": "象棋", "name_en": "Chess",
                                          "default_minutes": 60})
    with pytest.raises(BadInput) as e:
        demand.create_category(PROVINCE, {"code": "housekeeping", "name_zh": "家政",
                                          "name_en": "Housekeeping", "default_minutes": 60})
    assert e.value.code == "category_not_offered"
    with pytest.raises(BadInput) as e:
        demand.update_category(PROVINCE, "home_care", {"qualifications": []})
    assert e.value.code == "category_inconsistent"
    with pytest.raises(NotFound):
        demand.update_category(PROVINCE, "no_such_code", {"active": False})
    assert "home_care" in [c["code"] for c in demand.catalog()]  # nothing changed


def test_the_catalogue_says_what_is_not_offered(demand):
    page = demand.catalog_page(None)
    assert "家政" in page["not_offered"]["zh"] and "housekeeping" in page["not_offered"]["codes"]
    assert page["categories"][0]["code"] == "emotional_comfort"


# --- submission on every channel -------------------------------------------------------------
@pytest.mark.parametrize("channel", ["phone", "station"])
def test_an_operator_submits_for_an_elder_by_phone_or_at_the_station(demand, clock, channel):
    made = demand.submit(OPERATOR, submission(clock.now(), channel=channel))
    assert made["channel"] == channel and made["status"] == "submitted"
    assert made["submitted_by"] == "op-1" and made["carrier_id"] == "carrier-7"
    with pytest.raises(Forbidden):  # an elder of another county
        demand.submit(OTHER_COUNTY_OPERATOR, submission(clock.now(), channel=channel))
    with pytest.raises(Forbidden):  # a volunteer is no operator
        demand.submit({"person_id": "v-1", "roles": ["volunteer"]},
                      submission(clock.now(), channel=channel))


def test_in_the_app_the_elder_or_their_proxy_relative_submits(demand, clock, count_demands,
                                                              identity):
    own = submission(clock.now(), channel="app")
    me = {"person_id": own["elder_id"], "roles": ["elder"]}
    assert demand.submit(me, own)["submitted_by"] == own["elder_id"]

    proxied = submission(clock.now(), channel="app", elder_id=identity.add_elder())
    identity.add_proxy(INTAKE_PROXY, proxied["elder_id"])
    made = demand.submit({"person_id": INTAKE_PROXY, "roles": ["relative"]}, proxied)
    assert made["elder_id"] == proxied["elder_id"] and made["submitted_by"] == INTAKE_PROXY
    # the proxy follows the demand they submitted, address and all, as the elder would
    shown = demand.get({"person_id": INTAKE_PROXY, "roles": ["relative"]}, made["demand_id"])
    assert (shown["status"], shown["address"]) == ("submitted", proxied["address"])
    with pytest.raises(NotFound):  # a relative who does not act for this elder sees nothing
        demand.get({"person_id": "someone", "roles": ["relative", "volunteer"]},
                   made["demand_id"])

    stranger = submission(clock.now(), channel="app")
    with pytest.raises(Forbidden) as e:
        demand.submit({"person_id": "someone", "roles": ["relative"]}, stranger)
    assert e.value.code == "elder_only"
    assert count_demands(stranger["elder_id"]) == 0


def test_a_municipal_api_client_submits_in_its_city_only(demand, clock):
    made = demand.submit(CITY_CLIENT, submission(clock.now(), channel="api"))
    assert made["channel"] == "api" and made["submitted_by"] == "sjz-civil-affairs"
    with pytest.raises(Forbidden):
        demand.submit(OTHER_CITY_CLIENT, submission(clock.now(), channel="api"))
    with pytest.raises(Forbidden):  # api clients use the api channel
        demand.submit(CITY_CLIENT, submission(clock.now(), channel="phone"))


@pytest.mark.parametrize("changes, error, code", [
    ({"elder_id": NOBODY}, NotFound, "elder_not_found"),
    ({"elder_id": NOT_AN_ELDER}, NotFound, "elder_not_found"),
    ({"elder_id": YOUNG}, RuleViolation, "not_an_elder"),
    ({"category": "housekeeping"}, BadInput, "category_not_offered"),
    ({"category": "no_such_thing"}, BadInput, "unknown_category"),
    ({"start_in_hours": -1}, BadInput, "window_in_past"),
    ({"expected_minutes": 5}, BadInput, "expected_minutes_out_of_range"),
    ({"expected_minutes": 180}, BadInput, "window_too_short"),
    ({"volunteers_needed": 0}, BadInput, "volunteers_needed_out_of_range"),
    ({"volunteers_needed": 3}, BadInput, "group_not_allowed"),
    ({"channel": "fax"}, BadInput, "validation_failed"),
    ({"elder_id": "elder-7"}, BadInput, "validation_failed"),  # not an id: refused before SQL
])
def test_bad_submissions_are_refused_and_store_nothing(demand, clock, count_demands, changes,
                                                       error, code):
    start_in_hours = changes.pop("start_in_hours", 24)
    data = submission(clock.now(), start_in_hours, **changes)
    with pytest.raises(error) as e:
        demand.submit(OPERATOR, data)
    assert e.value.code == code
    assert count_demands(data["elder_id"]) == 0


def test_identity_not_answering_gives_unavailable_not_a_hang(demand, clock, count_demands,
                                                             identity):
    data = submission(clock.now())
    identity.silent("get_elder")  # identity takes the question and does not answer; we wait 0.3
    with pytest.raises(Unavailable) as e:
        demand.submit(OPERATOR, data)
    assert e.value.code == "identity_unavailable"
    assert count_demands(data["elder_id"]) == 0


def test_window_that_ends_before_it_starts_is_refused(demand, clock):
    data = submission(clock.now())
    data["window_end"], data["window_start"] = data["window_start"], data["window_end"]
    with pytest.raises(BadInput) as e:
        demand.submit(OPERATOR, data)
    assert e.value.code == "window_invalid"


def test_a_duplicate_is_refused_with_the_existing_demand_id_on_any_channel(demand, clock):
    first = demand.submit(OPERATOR, submission(clock.now()))
    again = submission(clock.now(), channel="app", elder_id=first["elder_id"],
                       window_start=first["window_start"], window_end=first["window_end"])
    with pytest.raises(Conflict) as e:
        demand.submit({"person_id": first["elder_id"], "roles": ["elder"]}, again)
    assert e.value.code == "duplicate_demand" and e.value.details["demand_id"] == first["demand_id"]



def test_only_an_overlapping_window_is_a_duplicate_at_its_edges(demand, clock):
    """The elder's demands of the category are read bounded by the new window (never the
    elder's whole history): one ending exactly when the new one starts is not a duplicate,
    one ending a minute later is (the half-open windows of ``rules.overlaps``)."""
    first = demand.submit(OPERATOR, submission(clock.now()))
    end = dt.datetime.fromisoformat(first["window_end"])
    touching = submission(clock.now(), elder_id=first["elder_id"],
                          window_start=end.isoformat(),
                          window_end=(end + dt.timedelta(hours=1)).isoformat())
    assert demand.submit(OPERATOR, touching)["status"] == "submitted"
    start = dt.datetime.fromisoformat(first["window_start"])
    overlapping = submission(clock.now(), elder_id=first["elder_id"],
                             window_start=(start - dt.timedelta(hours=1)).isoformat(),
                             window_end=(start + dt.timedelta(minutes=1)).isoformat())
    with pytest.raises(Conflict) as e:
        demand.submit(OPERATOR, overlapping)
    assert e.value.code == "duplicate_demand" and e.value.details["demand_id"] == first["demand_id"]

# --- adjustment and review ------------------------------------------------------------------
def test_operator_adjusts_before_review_and_history_is_shown_with_the_demand(demand, clock,
                                                                             outbox):
    made = demand.submit(OPERATOR, submission(clock.now()))
    new_start = dt.datetime.fromisoformat(made["window_start"]) + dt.timedelta(days=1)
    shown = demand.adjust(OPERATOR, made["demand_id"], {
        "window_start": new_start.isoformat(),
        "window_end": (new_start + dt.timedelta(hours=3)).isoformat(),
        "expected_minutes": 120, "reason": "电话核实：老人希望改到后天上午，时间长一些"})
    assert shown["expected_minutes"] == 120
    assert [c["field"] for c in shown["changes"]] == ["expected_minutes", "window_end",
                                                      "window_start"]
    assert {c["reason"] for c in shown["changes"]} == {"电话核实：老人希望改到后天上午，时间长一些"}
    assert shown["changes"][0] | {"changed_at": None} == {
        "field": "expected_minutes", "before": 60, "after": 120, "changed_by": "op-1",
        "reason": "电话核实：老人希望改到后天上午，时间长一些", "changed_at": None}

    clock.advance(minutes=5)
    reviewed = demand.review(OPERATOR, made["demand_id"], {
        "decision": "approve",
        "adjust": {"description": "陪老人聊天，读报", "reason": "老人补充了需求"}})
    assert reviewed["status"] == "published" and reviewed["description"] == "陪老人聊天，读报"
    assert len(reviewed["changes"]) == 4
    got = demand.get(OPERATOR, made["demand_id"])
    assert got["changes"] == reviewed["changes"] and got["funding_source"] == "issuance"

    events = outbox("demand_adjusted")
    assert [len(e["changes"]) for e in events] == [3, 1]
    assert events[0]["demand_id"] == made["demand_id"]
    assert events[1]["reason"] == "老人补充了需求"


def test_bad_adjustments_are_refused_and_change_nothing(demand, clock):
    made = demand.submit(OPERATOR, submission(clock.now()))
    with pytest.raises(BadInput) as e:  # the reason is mandatory
        demand.adjust(OPERATOR, made["demand_id"], {"description": "改"})
    assert e.value.code == "validation_failed"
    with pytest.raises(BadInput) as e:
        demand.adjust(OPERATOR, made["demand_id"], {"description": made["description"],
                                                    "reason": "无"})
    assert e.value.code == "nothing_changed"
    with pytest.raises(BadInput) as e:
        demand.adjust(OPERATOR, made["demand_id"], {"expected_minutes": 300, "reason": "更长"})
    assert e.value.code == "window_too_short"
    with pytest.raises(BadInput) as e:
        demand.adjust(OPERATOR, made["demand_id"], {"category": "housekeeping", "reason": "打扫"})
    assert e.value.code == "category_not_offered"
    with pytest.raises(NotFound):  # out of scope: as if it did not exist
        demand.adjust(OTHER_COUNTY_OPERATOR, made["demand_id"], {"description": "改",
                                                                 "reason": "越权"})
    with pytest.raises(BadInput):  # a bad adjustment at review: the review does not happen
        demand.review(OPERATOR, made["demand_id"], {
            "decision": "approve",
            "adjust": {"volunteers_needed": 2, "reason": "两人"}})
    unchanged = demand.get(OPERATOR, made["demand_id"])
    assert unchanged["status"] == "submitted" and unchanged["changes"] == []
    assert unchanged["description"] == made["description"]

    demand.review(OPERATOR, made["demand_id"], {"decision": "reject", "reason": "老人已入住养老院"})
    with pytest.raises(Conflict) as e:  # reviewed: too late to adjust
        demand.adjust(OPERATOR, made["demand_id"], {"description": "改", "reason": "晚了"})
    assert e.value.code == "invalid_transition"


def test_adjusting_onto_another_demand_of_the_elder_is_a_duplicate(demand, clock):
    first = demand.submit(OPERATOR, submission(clock.now(), start_in_hours=48))
    second = demand.submit(OPERATOR, submission(clock.now(), start_in_hours=24,
                                                elder_id=first["elder_id"]))
    with pytest.raises(Conflict) as e:
        demand.adjust(OPERATOR, second["demand_id"], {
            "window_start": first["window_start"], "window_end": first["window_end"],
            "reason": "改到后天"})
    assert e.value.details["demand_id"] == first["demand_id"]


# --- escalation -----------------------------------------------------------------------------
def test_an_unreviewed_demand_is_escalated_to_its_township_and_closed_by_review(
        demand, clock, outbox):
    """``REVIEW_ESCALATION_SECONDS`` (here 2) after submission the timer escalates a demand
    still waiting for review, once; review or cancellation closes the escalation. (Two
    processes' timers at once: ``test_broker.py``.)"""
    made = demand.submit(OPERATOR, submission(clock.now()))
    cancelled = demand.submit(OPERATOR, submission(clock.now()))
    demand.escalate_unreviewed()
    assert outbox("demand_review_overdue") == []  # not yet
    clock.advance(seconds=2)
    demand.escalate_unreviewed()
    demand.escalate_unreviewed()  # the timer again: still one
    events = [e for e in outbox("demand_review_overdue") if e["demand_id"] == made["demand_id"]]
    assert len(events) == 1
    payload = events[0]
    assert payload["township_code"] == "130102001000" and payload["region_code"] == REGION
    assert payload["carrier_id"] == "carrier-7" and payload["submitted_at"] == made["created_at"]

    open_ids = [e["demand_id"] for e in demand.escalations(TOWNSHIP)["items"]]
    assert made["demand_id"] in open_ids
    with pytest.raises(Forbidden):
        demand.escalations(OPERATOR)
    with pytest.raises(Forbidden):
        demand.escalations(TOWNSHIP, {"region_code": "130104001000"})

    demand.review(OPERATOR, made["demand_id"], {"decision": "approve"})
    demand.cancel(OPERATOR, cancelled["demand_id"], {"reason": "老人住院"})
    open_ids = [e["demand_id"] for e in demand.escalations(TOWNSHIP)["items"]]
    assert made["demand_id"] not in open_ids and cancelled["demand_id"] not in open_ids
    closed = {e["demand_id"]: e for e in demand.escalations(
        TOWNSHIP, {"include_closed": True, "limit": 500})["items"]}
    assert closed[made["demand_id"]]["closed_reason"] == "reviewed"
    assert closed[cancelled["demand_id"]]["closed_reason"] == "cancelled"
    assert demand.get(OPERATOR, made["demand_id"])["escalation"]["closed_reason"] == "reviewed"


# --- recurring series -------------------------------------------------------------------------
def weekly_series(now, **changes):
    today = now.astimezone(CHINA).date()
    data = {"elder_id": new_id("series"), "category": "emotional_comfort",
            "description": "每周上门陪伴", "address": "石家庄市长安区建设北大街12号",
            "frequency": "weekly", "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=40)).isoformat(),
            "time_of_day": "23:59", "window_minutes": 60, "expected_minutes": 60,
            "channel": "phone"}
    data.update(changes)
    return data


def test_a_series_creates_one_reviewable_demand_per_occurrence_on_the_horizon(demand, clock):
    made = demand.create_series(OPERATOR, weekly_series(clock.now(), weekdays=[1, 4]))
    assert made["status"] == "active" and made["region_code"] == REGION
    dated = [o for o in made["occurrences"] if o["demand_id"]]
    assert 3 <= len(dated) <= 5  # Mondays and Thursdays of the next 14 days
    for occurrence in dated:
        assert dt.date.fromisoformat(occurrence["date"]).isoweekday() in (1, 4)
        assert occurrence["status"] == "submitted"
        one = demand.get(OPERATOR, occurrence["demand_id"])
        start = dt.datetime.fromisoformat(one["window_start"]).astimezone(CHINA)
        assert (start.date().isoformat(), start.time()) == (occurrence["date"], dt.time(23, 59))
    assert demand.get_series(OPERATOR, made["series_id"]) == made
    assert made["series_id"] in [s["series_id"] for s in demand.list_series(OPERATOR)["items"]]
    with pytest.raises(NotFound):
        demand.get_series(OTHER_COUNTY_OPERATOR, made["series_id"])


def test_an_occurrence_clashing_with_a_demand_is_skipped_and_cancel_stops_the_series(demand,
                                                                                     clock):
    data = weekly_series(clock.now())
    tomorrow = dt.date.fromisoformat(data["start_date"]) + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(23, 30), CHINA)
    existing = demand.submit(OPERATOR, submission(
        clock.now(), elder_id=data["elder_id"], window_start=start.isoformat(),
        window_end=(start + dt.timedelta(hours=1)).isoformat()))
    made = demand.create_series(OPERATOR, data)
    by_date = {o["date"]: o for o in made["occurrences"]}
    assert by_date[tomorrow.isoformat()]["skipped_reason"] == "duplicate_demand"

    live = [o for o in made["occurrences"] if o["demand_id"]]
    taken = live[0]["demand_id"]
    demand.review(OPERATOR, taken, {"decision": "approve"})
    demand.claim(volunteer(), taken)
    with pytest.raises(NotFound):  # a volunteer cannot see, nor stop, the elder's series
        demand.cancel_series({"person_id": "v-9", "roles": ["volunteer"]}, made["series_id"],
                             {"reason": "x"})
    stopped = demand.cancel_series(OPERATOR, made["series_id"], {"reason": "老人搬去子女家"})
    assert stopped["status"] == "cancelled" and stopped["cancel_reason"] == "老人搬去子女家"
    statuses = {o["demand_id"]: o["status"] for o in stopped["occurrences"] if o["demand_id"]}
    assert statuses.pop(taken) == "assigned"  # taken by a volunteer: the station decides
    assert set(statuses.values()) == {"cancelled"}
    assert demand.get(OPERATOR, existing["demand_id"])["status"] == "submitted"  # not the series'
    assert demand.cancel_series(OPERATOR, made["series_id"], {"reason": "again"}) == stopped


@pytest.mark.parametrize("changes, code", [
    ({"frequency": "weekly", "weekdays": []}, "weekdays_invalid"),
    ({"end_date": "2020-01-01", "start_date": "2019-12-01"}, "series_already_ended"),
    ({"window_minutes": 30}, "window_too_short"),
    ({"category": "housekeeping"}, "category_not_offered"),
    ({"frequency": "every_n_days", "interval_days": 0}, "interval_invalid"),
])
def test_bad_series_are_refused(demand, clock, changes, code):
    with pytest.raises(BadInput) as e:
        demand.create_series(OPERATOR, weekly_series(clock.now(), **changes))
    assert e.value.code == code


# --- statistics ---------------------------------------------------------------------------------
def test_demand_stats_for_a_region_and_period(demand, clock, identity):
    county = {"person_id": "ca-1", "roles": ["county_admin"], "scope": "130105000000"}
    now = clock.now()

    def new_elder():
        return identity.add_elder(new_id("stats"), region_code=STATS_REGION)

    served = demand.submit(STATS_OPERATOR, submission(now, elder_id=new_elder()))
    demand.review(STATS_OPERATOR, served["demand_id"],
                  {"decision": "approve"})
    v = volunteer()
    demand.claim(v, served["demand_id"])
    demand.check_in(v, served["demand_id"], {"at": (now - dt.timedelta(minutes=65)).isoformat()})
    demand.check_out(v, served["demand_id"], {"at": (now - dt.timedelta(minutes=2)).isoformat()})
    demand.record(STATS_OPERATOR, served["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"})
    dropped = demand.submit(STATS_OPERATOR, submission(now, elder_id=new_elder(),
                                                       category="outing_companion",
                                                       funding_source="grant"))
    demand.review(STATS_OPERATOR, dropped["demand_id"], {"decision": "approve"})
    demand.claim(volunteer(), dropped["demand_id"])
    demand.cancel(STATS_OPERATOR, dropped["demand_id"], {"reason": "老人身体不适"})
    refused = demand.submit(STATS_OPERATOR, submission(now, elder_id=new_elder()))
    demand.review(STATS_OPERATOR, refused["demand_id"],
                  {"decision": "reject", "reason": "非本辖区"})

    today = now.astimezone(CHINA).date().isoformat()
    stats = demand.demand_stats(county, "130105000000", today, today)
    assert stats["region_code"] == "130105000000" and stats["period"] == {"from": today, "to": today}
    assert stats["demands"]["by_status"] == {"rejected": 1, "recorded": 1, "cancelled": 1}
    assert stats["demands"]["by_category"] == {"emotional_comfort": 2, "outing_companion": 1}
    assert stats["timing"]["submission_to_publication"]["count"] == 2
    assert stats["timing"]["submission_to_first_assignment"]["count"] == 2
    assert stats["completion"] == {"completed": 1, "cancelled_after_assignment": 1,
                                   "expired": 0, "rate": 0.5}
    assert stats["satisfaction"] == {"evaluations": 0, "average_score": None, "low_scores": 0}
    assert stats["disputes"] == {"disputes_opened": 0, "disputes_resolved": 0, "by_outcome": {}}
    assert stats["reliability"]["no_shows"] == 0 and stats["reliability"]["withdrawals"] == 0
    yesterday = (now.astimezone(CHINA).date() - dt.timedelta(days=1)).isoformat()
    assert demand.demand_stats(county, None, yesterday, yesterday)["demands"]["total"] == 0
    with pytest.raises(Forbidden):
        demand.demand_stats(county, "130102000000")
    with pytest.raises(Forbidden):
        demand.demand_stats(OPERATOR, "130102001000")
    with pytest.raises(BadInput):
        demand.demand_stats(county, None, today, yesterday)
