"""Intake in a real nameko container on real PostgreSQL and RabbitMQ: catalogue editing,
submission on every channel, adjustment and review, escalation of unreviewed demands,
recurring series and the statistics. ``identity`` is a stand-in defined here."""
import datetime as dt
import uuid

import eventlet
import pytest
from sqlalchemy import create_engine, func, select

from demand.adapters.tables import demand_escalations, demands, series_occurrences
from demand.app.intake import series as intake
from demand.service import DemandService
from timebank_common.db import UnitOfWork
from timebank_common.errors import (
    BadInput,
    Conflict,
    Forbidden,
    NotFound,
    RuleViolation,
    Unavailable,
)
from timebank_common.service import rpc as rpc_method

pytestmark = pytest.mark.integration

REGION = "130102001001"  # a community in 长安区, 石家庄
STATS_REGION = "130105001002"  # 新华区: only this module's stats elders live there
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000",
            "carrier_id": "carrier-7"}
OTHER_COUNTY_OPERATOR = {**OPERATOR, "person_id": "op-2", "scope": "130104001000"}
STATS_OPERATOR = {**OPERATOR, "person_id": "op-3", "scope": "130105001000"}
TOWNSHIP = {"person_id": "tw-1", "roles": ["township_admin"], "scope": "130102001000"}
PROVINCE = {"person_id": "pa-1", "roles": ["province_admin"], "scope": "130000000000"}
CITY_CLIENT = {"person_id": None, "client_id": "sjz-civil-affairs", "roles": ["api_client"],
               "scope": "130100000000"}
OTHER_CITY_CLIENT = {**CITY_CLIENT, "client_id": "ts-civil-affairs", "scope": "130200000000"}
PROXY = "proxy-relative-1"
NOT_AN_ELDER = "volunteer-not-elder"


class FakeIdentity:
    name = "identity"

    @rpc_method
    def get_elder(self, caller, person_id):
        if person_id.startswith("slow-"):
            eventlet.sleep(3)
        if person_id in ("nobody", NOT_AN_ELDER):
            raise NotFound("elder_not_found", "此人没有老年人档案", "This person has no elder profile")
        region = STATS_REGION if person_id.startswith("stats-") else REGION
        age = 45 if person_id.startswith("young-") else 78
        return {"person_id": person_id, "region_code": region, "carrier_id": None, "age": age,
                "seen_caller": caller}

    @rpc_method
    def may_act_for(self, person_id, elder_id):
        return person_id == PROXY and elder_id.startswith("proxied-")

    @rpc_method
    def check_volunteer(self, person_id):
        return {"person_id": person_id, "region_code": REGION, "eligible": True, "reasons": []}

    @rpc_method
    def are_direct_relatives(self, person_a, person_b):
        return {"related": False, "kind": None}


# no EVENT_DELIVERY_LIMIT: every demand container of a session declares the same queues
INTAKE_CONFIG = {"IDENTITY_RPC_TIMEOUT_SECONDS": 1, "REVIEW_ESCALATION_SECONDS": 2,
                 "REVIEW_ESCALATION_CHECK_SECONDS": 3600, "SERIES_GENERATION_SECONDS": 3600,
                 "SERIES_HORIZON_DAYS": 14}


@pytest.fixture(scope="module")
def running(service_config, start_module_service):
    start_module_service(FakeIdentity, service_config(None, max_workers=20))
    start_module_service(DemandService, service_config("demand", max_workers=20, **INTAKE_CONFIG))


@pytest.fixture
def demand(running, rpc):
    with rpc("demand") as proxy:
        yield proxy


@pytest.fixture(scope="module")
def engine(database_url):
    made = create_engine(database_url("demand"))
    yield made
    made.dispose()


def elder_id(prefix="elder"):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def submission(start_in_hours=24, **changes):
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=start_in_hours)
    data = {
        "elder_id": elder_id(), "category": "emotional_comfort", "description": "陪老人聊天",
        "address": "石家庄市长安区建设北大街12号", "location": {"lat": 38.05, "lng": 114.52},
        "window_start": start.isoformat(), "window_end": (start + dt.timedelta(hours=2)).isoformat(),
        "expected_minutes": 60, "channel": "phone",
    }
    data.update(changes)
    return data


def count_demands(engine, elder):
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(demands)
                         .where(demands.c.elder_id == elder)).scalar_one()


# --- catalogue -----------------------------------------------------------------------------
def test_province_admin_edits_the_catalogue_and_every_change_is_kept(demand):
    code = f"tai_chi_{uuid.uuid4().hex[:6]}"
    made = demand.create_category(PROVINCE, {
        "code": code, "name_zh": "太极拳教学", "name_en": "Tai chi lessons",
        "default_minutes": 60, "group_allowed": True})
    assert made["active"] is True and made["professional"] is False
    with pytest.raises(Conflict) as e:
        demand.create_category(PROVINCE, {"code": code, "name_zh": "重复", "name_en": "Again",
                                          "default_minutes": 60})
    assert e.value.code == "category_exists"
    assert code in [c["code"] for c in demand.catalog()]

    data = submission(category=code, volunteers_needed=3)
    assert demand.submit(OPERATOR, data)["category"] == code

    renamed = demand.update_category(PROVINCE, code, {"name_zh": "太极拳", "default_minutes": 90})
    assert renamed["name_zh"] == "太极拳" and renamed["default_minutes"] == 90
    withdrawn = demand.update_category(PROVINCE, code, {"active": False})
    assert withdrawn["active"] is False
    assert code not in [c["code"] for c in demand.catalog()]
    with pytest.raises(BadInput) as e:
        demand.submit(OPERATOR, submission(category=code))
    assert e.value.code == "unknown_category"
    page = demand.catalog_page(PROVINCE, {"include_inactive": True})
    assert code in [c["code"] for c in page["categories"]]
    assert code not in [c["code"] for c in demand.catalog_page(None)["categories"]]
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
def test_an_operator_submits_for_an_elder_by_phone_or_at_the_station(demand, channel):
    made = demand.submit(OPERATOR, submission(channel=channel))
    assert made["channel"] == channel and made["status"] == "submitted"
    assert made["submitted_by"] == "op-1" and made["carrier_id"] == "carrier-7"
    with pytest.raises(Forbidden):  # an elder of another county
        demand.submit(OTHER_COUNTY_OPERATOR, submission(channel=channel))
    with pytest.raises(Forbidden):  # a volunteer is no operator
        demand.submit({"person_id": "v-1", "roles": ["volunteer"]}, submission(channel=channel))


def test_in_the_app_the_elder_or_their_proxy_relative_submits(demand, engine):
    own = submission(channel="app")
    me = {"person_id": own["elder_id"], "roles": ["elder"]}
    assert demand.submit(me, own)["submitted_by"] == own["elder_id"]

    proxied = submission(channel="app", elder_id=elder_id("proxied"))
    made = demand.submit({"person_id": PROXY, "roles": ["relative"]}, proxied)
    assert made["elder_id"] == proxied["elder_id"] and made["submitted_by"] == PROXY
    # the proxy follows the demand they submitted, address and all, as the elder would
    shown = demand.get({"person_id": PROXY, "roles": ["relative"]}, made["demand_id"])
    assert (shown["status"], shown["address"]) == ("submitted", proxied["address"])
    with pytest.raises(NotFound):  # a relative who does not act for this elder sees nothing
        demand.get({"person_id": "someone", "roles": ["relative", "volunteer"]},
                   made["demand_id"])

    stranger = submission(channel="app")
    with pytest.raises(Forbidden) as e:
        demand.submit({"person_id": "someone", "roles": ["relative"]}, stranger)
    assert e.value.code == "elder_only"
    assert count_demands(engine, stranger["elder_id"]) == 0


def test_a_municipal_api_client_submits_in_its_city_only(demand):
    made = demand.submit(CITY_CLIENT, submission(channel="api"))
    assert made["channel"] == "api" and made["submitted_by"] == "sjz-civil-affairs"
    with pytest.raises(Forbidden):
        demand.submit(OTHER_CITY_CLIENT, submission(channel="api"))
    with pytest.raises(Forbidden):  # api clients use the api channel
        demand.submit(CITY_CLIENT, submission(channel="phone"))


@pytest.mark.parametrize("changes, error, code", [
    ({"elder_id": "nobody"}, NotFound, "elder_not_found"),
    ({"elder_id": NOT_AN_ELDER}, NotFound, "elder_not_found"),
    ({"elder_id": "young-1"}, RuleViolation, "not_an_elder"),
    ({"category": "housekeeping"}, BadInput, "category_not_offered"),
    ({"category": "no_such_thing"}, BadInput, "unknown_category"),
    ({"start_in_hours": -1}, BadInput, "window_in_past"),
    ({"expected_minutes": 5}, BadInput, "expected_minutes_out_of_range"),
    ({"expected_minutes": 180}, BadInput, "window_too_short"),
    ({"volunteers_needed": 0}, BadInput, "volunteers_needed_out_of_range"),
    ({"volunteers_needed": 3}, BadInput, "group_not_allowed"),
    ({"channel": "fax"}, BadInput, "validation_failed"),
])
def test_bad_submissions_are_refused_and_store_nothing(demand, engine, changes, error, code):
    start_in_hours = changes.pop("start_in_hours", 24)
    data = submission(start_in_hours, **changes)
    with pytest.raises(error) as e:
        demand.submit(OPERATOR, data)
    assert e.value.code == code
    assert count_demands(engine, data["elder_id"]) == 0


def test_identity_not_answering_gives_unavailable_not_a_hang(demand, engine):
    data = submission(elder_id=elder_id("slow"))
    with pytest.raises(Unavailable) as e:
        demand.submit(OPERATOR, data)
    assert e.value.code == "identity_unavailable"
    assert count_demands(engine, data["elder_id"]) == 0


def test_window_that_ends_before_it_starts_is_refused(demand):
    data = submission()
    data["window_end"], data["window_start"] = data["window_start"], data["window_end"]
    with pytest.raises(BadInput) as e:
        demand.submit(OPERATOR, data)
    assert e.value.code == "window_invalid"


def test_a_duplicate_is_refused_with_the_existing_demand_id_on_any_channel(demand):
    first = demand.submit(OPERATOR, submission())
    again = submission(channel="app", elder_id=first["elder_id"],
                       window_start=first["window_start"], window_end=first["window_end"])
    with pytest.raises(Conflict) as e:
        demand.submit({"person_id": first["elder_id"], "roles": ["elder"]}, again)
    assert e.value.code == "duplicate_demand" and e.value.details["demand_id"] == first["demand_id"]


# --- adjustment and review ------------------------------------------------------------------
def test_operator_adjusts_before_review_and_history_is_shown_with_the_demand(demand, event_bus):
    adjusted_events = event_bus.listen("demand", "demand_adjusted")
    made = demand.submit(OPERATOR, submission())
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

    reviewed = demand.review(OPERATOR, made["demand_id"], {
        "decision": "approve", "funding_source": "own_hours",
        "adjust": {"description": "陪老人聊天，读报", "reason": "老人补充了需求"}})
    assert reviewed["status"] == "published" and reviewed["description"] == "陪老人聊天，读报"
    assert len(reviewed["changes"]) == 4
    got = demand.get(OPERATOR, made["demand_id"])
    assert got["changes"] == reviewed["changes"] and got["funding_source"] == "own_hours"

    events = adjusted_events.drain(expected=2)
    assert [len(e["payload"]["changes"]) for e in events] == [3, 1]
    assert events[0]["payload"]["demand_id"] == made["demand_id"]
    assert events[1]["payload"]["reason"] == "老人补充了需求"


def test_bad_adjustments_are_refused_and_change_nothing(demand):
    made = demand.submit(OPERATOR, submission())
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
    with pytest.raises(Forbidden):
        demand.adjust(OTHER_COUNTY_OPERATOR, made["demand_id"], {"description": "改",
                                                                 "reason": "越权"})
    with pytest.raises(BadInput):  # a bad adjustment at review: the review does not happen
        demand.review(OPERATOR, made["demand_id"], {
            "decision": "approve", "funding_source": "grant",
            "adjust": {"volunteers_needed": 2, "reason": "两人"}})
    unchanged = demand.get(OPERATOR, made["demand_id"])
    assert unchanged["status"] == "submitted" and unchanged["changes"] == []
    assert unchanged["description"] == made["description"]

    demand.review(OPERATOR, made["demand_id"], {"decision": "reject", "reason": "老人已入住养老院"})
    with pytest.raises(Conflict) as e:  # reviewed: too late to adjust
        demand.adjust(OPERATOR, made["demand_id"], {"description": "改", "reason": "晚了"})
    assert e.value.code == "invalid_transition"


def test_adjusting_onto_another_demand_of_the_elder_is_a_duplicate(demand):
    first = demand.submit(OPERATOR, submission(start_in_hours=48))
    second = demand.submit(OPERATOR, submission(start_in_hours=24, elder_id=first["elder_id"]))
    with pytest.raises(Conflict) as e:
        demand.adjust(OPERATOR, second["demand_id"], {
            "window_start": first["window_start"], "window_end": first["window_end"],
            "reason": "改到后天"})
    assert e.value.details["demand_id"] == first["demand_id"]


# --- escalation -----------------------------------------------------------------------------
def test_two_processes_escalate_an_unreviewed_demand_exactly_once(
        demand, service_config, start_service, event_bus, engine):
    overdue = event_bus.listen("demand", "demand_review_overdue")
    made = demand.submit(OPERATOR, submission())
    cancelled = demand.submit(OPERATOR, submission())
    fast = service_config("demand", **{**INTAKE_CONFIG, "REVIEW_ESCALATION_CHECK_SECONDS": 0.05})
    start_service(DemandService, fast)
    start_service(DemandService, fast)

    def mine(events):
        return [e for e in events if e["payload"]["demand_id"] == made["demand_id"]]

    deadline = eventlet.Timeout(20)
    try:
        while not mine(overdue.drain(expected=1, timeout=0.5)):
            pass
    finally:
        deadline.cancel()
    eventlet.sleep(1.0)  # both timers keep running: still one
    events = mine(overdue.drain(expected=10_000, timeout=0.5))
    assert len(events) == 1
    payload = events[0]["payload"]
    assert payload["township_code"] == "130102001000" and payload["region_code"] == REGION
    assert payload["carrier_id"] == "carrier-7" and payload["submitted_at"] == made["created_at"]
    with engine.connect() as c:
        assert c.execute(select(func.count()).select_from(demand_escalations).where(
            demand_escalations.c.demand_id == made["demand_id"])).scalar_one() == 1

    open_ids = [e["demand_id"] for e in demand.escalations(TOWNSHIP)["items"]]
    assert made["demand_id"] in open_ids
    with pytest.raises(Forbidden):
        demand.escalations(OPERATOR)
    with pytest.raises(Forbidden):
        demand.escalations(TOWNSHIP, {"region_code": "130104001000"})

    demand.review(OPERATOR, made["demand_id"], {"decision": "approve",
                                                "funding_source": "issuance"})
    demand.cancel(OPERATOR, cancelled["demand_id"], {"reason": "老人住院"})
    open_ids = [e["demand_id"] for e in demand.escalations(TOWNSHIP)["items"]]
    assert made["demand_id"] not in open_ids and cancelled["demand_id"] not in open_ids
    closed = {e["demand_id"]: e for e in demand.escalations(
        TOWNSHIP, {"include_closed": True, "limit": 500})["items"]}
    assert closed[made["demand_id"]]["closed_reason"] == "reviewed"
    assert closed[cancelled["demand_id"]]["closed_reason"] == "cancelled"
    assert demand.get(OPERATOR, made["demand_id"])["escalation"]["closed_reason"] == "reviewed"


# --- recurring series -------------------------------------------------------------------------
def weekly_series(**changes):
    today = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=8)).date()
    data = {"elder_id": elder_id("series"), "category": "emotional_comfort",
            "description": "每周上门陪伴", "address": "石家庄市长安区建设北大街12号",
            "frequency": "weekly", "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=40)).isoformat(),
            "time_of_day": "23:59", "window_minutes": 60, "expected_minutes": 60,
            "channel": "phone"}
    data.update(changes)
    return data


def test_a_series_creates_one_reviewable_demand_per_occurrence_on_the_horizon(demand):
    made = demand.create_series(OPERATOR, weekly_series(weekdays=[1, 4]))
    assert made["status"] == "active" and made["region_code"] == REGION
    dated = [o for o in made["occurrences"] if o["demand_id"]]
    assert 3 <= len(dated) <= 5  # Mondays and Thursdays of the next 14 days
    for occurrence in dated:
        assert dt.date.fromisoformat(occurrence["date"]).isoweekday() in (1, 4)
        assert occurrence["status"] == "submitted"
        one = demand.get(OPERATOR, occurrence["demand_id"])
        start = dt.datetime.fromisoformat(one["window_start"]).astimezone(
            dt.timezone(dt.timedelta(hours=8)))
        assert (start.date().isoformat(), start.time()) == (occurrence["date"], dt.time(23, 59))
    assert demand.get_series(OPERATOR, made["series_id"]) == made
    assert made["series_id"] in [s["series_id"] for s in demand.list_series(OPERATOR)["items"]]
    with pytest.raises(NotFound):
        demand.get_series(OTHER_COUNTY_OPERATOR, made["series_id"])


def test_series_generation_run_twice_and_concurrently_creates_each_occurrence_once(
        demand, database_url, engine):
    made = demand.create_series(OPERATOR, weekly_series())
    before = len([o for o in made["occurrences"] if o["demand_id"]])
    from sqlalchemy import create_engine as make

    pool = make(database_url("demand"), pool_size=10)
    factory = lambda: UnitOfWork(pool)  # noqa: E731
    now = dt.datetime.now(dt.UTC)
    runs = [eventlet.spawn(intake.generate_all, factory, now, 30, dt.timedelta(hours=1))
            for _ in range(4)]
    created = sum(r.wait() for r in runs)
    assert created >= 1
    assert intake.generate_all(factory, now, 30, dt.timedelta(hours=1)) == 0  # run again
    pool.dispose()
    with engine.connect() as c:
        occurrences = c.execute(select(series_occurrences.c.occurrence_date,
                                       series_occurrences.c.demand_id)
                                .where(series_occurrences.c.series_id == made["series_id"])).all()
        elder_demands = c.execute(select(func.count()).select_from(demands).where(
            demands.c.elder_id == made["elder_id"])).scalar_one()
    dates = [o.occurrence_date for o in occurrences]
    assert len(dates) == len(set(dates))
    assert elder_demands == len([o for o in occurrences if o.demand_id]) >= before + 10


def test_an_occurrence_clashing_with_a_demand_is_skipped_and_cancel_stops_the_series(demand):
    data = weekly_series()
    tomorrow = dt.date.fromisoformat(data["start_date"]) + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(23, 30), dt.timezone(dt.timedelta(hours=8)))
    existing = demand.submit(OPERATOR, submission(
        elder_id=data["elder_id"], window_start=start.isoformat(),
        window_end=(start + dt.timedelta(hours=1)).isoformat()))
    made = demand.create_series(OPERATOR, data)
    by_date = {o["date"]: o for o in made["occurrences"]}
    assert by_date[tomorrow.isoformat()]["skipped_reason"] == "duplicate_demand"

    live = [o for o in made["occurrences"] if o["demand_id"]]
    taken = live[0]["demand_id"]
    demand.review(OPERATOR, taken, {"decision": "approve", "funding_source": "issuance"})
    demand.claim({"person_id": f"vol-{uuid.uuid4().hex[:6]}", "roles": ["volunteer"]}, taken)
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
def test_bad_series_are_refused(demand, changes, code):
    with pytest.raises(BadInput) as e:
        demand.create_series(OPERATOR, weekly_series(**changes))
    assert e.value.code == code


# --- statistics ---------------------------------------------------------------------------------
def test_demand_stats_for_a_region_and_period(demand):
    county = {"person_id": "ca-1", "roles": ["county_admin"], "scope": "130105000000"}
    served = demand.submit(STATS_OPERATOR, submission(elder_id=elder_id("stats")))
    demand.review(STATS_OPERATOR, served["demand_id"],
                  {"decision": "approve", "funding_source": "issuance"})
    volunteer = {"person_id": f"vol-{uuid.uuid4().hex[:6]}", "roles": ["volunteer"]}
    demand.claim(volunteer, served["demand_id"])
    now = dt.datetime.now(dt.UTC)
    demand.check_in(volunteer, served["demand_id"], {"at": (now - dt.timedelta(minutes=65)).isoformat()})
    demand.check_out(volunteer, served["demand_id"], {"at": (now - dt.timedelta(minutes=2)).isoformat()})
    demand.record(STATS_OPERATOR, served["demand_id"], {
        "volunteer_id": volunteer["person_id"], "minutes": 60, "confirmation": "phone"})
    dropped = demand.submit(STATS_OPERATOR, submission(elder_id=elder_id("stats"),
                                                              category="outing_companion"))
    demand.review(STATS_OPERATOR, dropped["demand_id"],
                  {"decision": "approve", "funding_source": "grant"})
    demand.claim({"person_id": f"vol-{uuid.uuid4().hex[:6]}", "roles": ["volunteer"]},
                 dropped["demand_id"])
    demand.cancel(STATS_OPERATOR, dropped["demand_id"], {"reason": "老人身体不适"})
    refused = demand.submit(STATS_OPERATOR, submission(elder_id=elder_id("stats")))
    demand.review(STATS_OPERATOR, refused["demand_id"],
                  {"decision": "reject", "reason": "非本辖区"})

    today = (now + dt.timedelta(hours=8)).date().isoformat()
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
    yesterday = (now + dt.timedelta(hours=8) - dt.timedelta(days=1)).date().isoformat()
    assert demand.demand_stats(county, None, yesterday, yesterday)["demands"]["total"] == 0
    with pytest.raises(Forbidden):
        demand.demand_stats(county, "130102000000")
    with pytest.raises(Forbidden):
        demand.demand_stats(OPERATOR, "130102001000")
    with pytest.raises(BadInput):
        demand.demand_stats(county, None, today, yesterday)
