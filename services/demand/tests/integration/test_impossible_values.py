"""Impossible values are refused at the edge with a clear code and change nothing (issue 15
items 1 and 7), and nobody approves their own submission (four eyes)."""
import datetime as dt

import pytest

from timebank_common.errors import BadInput, Forbidden

from .conftest import OPERATOR, new_id, published, served, submission

TOWNSHIP_ADMIN = {"person_id": "adm-t", "roles": ["township_admin"], "scope": "130102001000"}
PROVINCE = {"person_id": "pa-1", "roles": ["province_admin"], "scope": "130000000000"}
FAR_FUTURE = dt.datetime(9999, 12, 31, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def demand(in_process):
    return in_process()


def listed(demand, elder_id):
    return [d for d in demand.list(OPERATOR, {"page_size": 100})["items"]
            if d["elder_id"] == elder_id]


@pytest.mark.parametrize("window,code", [
    (lambda now: (now + dt.timedelta(hours=1), FAR_FUTURE), "window_too_long"),
    (lambda now: (FAR_FUTURE, FAR_FUTURE + dt.timedelta(hours=2)), "window_too_far_ahead"),
    (lambda now: (now + dt.timedelta(days=91), now + dt.timedelta(days=91, hours=2)),
     "window_too_far_ahead"),
    (lambda now: (now + dt.timedelta(hours=1), now + dt.timedelta(hours=26)),
     "window_too_long"),
])
def test_a_window_too_far_ahead_or_too_long_is_refused_and_nothing_is_written(demand, clock,
                                                                                window, code):
    start, end = window(clock.now())
    data = submission(clock.now(), window_start=start.isoformat(), window_end=end.isoformat())
    with pytest.raises(BadInput) as refused:
        demand.submit(OPERATOR, data)
    assert refused.value.code == code and refused.value.zh and refused.value.en
    assert listed(demand, data["elder_id"]) == []


def test_a_recurring_demand_cannot_start_beyond_the_same_horizon(demand, clock):
    with pytest.raises(BadInput) as refused:
        demand.create_series(OPERATOR, {
            "elder_id": new_id("elder"), "category": "emotional_comfort",
            "description": "每周陪聊", "address": "石家庄市长安区建设北大街12号",
            "frequency": "weekly", "weekdays": [1], "time_of_day": "10:00",
            "window_minutes": 120, "expected_minutes": 60, "channel": "phone",
            "start_date": "9999-01-01", "end_date": "9999-03-01"})
    assert refused.value.code == "window_too_far_ahead"


def test_a_confirmation_taken_tomorrow_is_refused_and_nothing_is_recorded(demand, clock):
    made, [v] = served(demand, clock.now())
    tomorrow = (clock.now() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(BadInput) as refused:
        demand.record(OPERATOR, made["demand_id"], {
            "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone",
            "confirmed_at": tomorrow})
    assert refused.value.code == "confirmed_in_future"
    assert demand.records(OPERATOR, made["demand_id"]) == []


@pytest.mark.parametrize("bad", ["-" * 36, "not-a-uuid", "123e4567-e89b-12d3-a456-42661417400g"])
def test_a_dispute_filter_that_is_not_a_demand_id_is_refused(demand, bad):
    with pytest.raises(BadInput) as refused:
        demand.list_disputes(OPERATOR, {"demand_id": bad})
    assert refused.value.code == "validation_failed" and "demand_id" in refused.value.details


@pytest.mark.parametrize("name", ["太\x00极", "太极\n拳", "\x1b[31m", "   "])
def test_catalogue_names_with_control_characters_are_refused(demand, name):
    code = f"c_{new_id('x').replace('-', '_')}"
    with pytest.raises(BadInput):
        demand.create_category(PROVINCE, {"code": code, "name_zh": name, "name_en": "Tai chi",
                                          "default_minutes": 60})
    with pytest.raises(BadInput):
        demand.update_category(PROVINCE, "emotional_comfort", {"name_en": name})
    shown = {c["code"]: c for c in demand.catalog_page(PROVINCE, {})["categories"]}
    assert code not in shown and "\n" not in shown["emotional_comfort"]["name_en"]


def test_nobody_reviews_a_demand_they_asked_for(demand, clock, identity):
    # a member of staff who is also an elder's proxy asks in the app, then tries to approve
    elder_id = identity.add_elder()
    staff_proxy = {**OPERATOR, "person_id": "op-proxy", "roles": ["station_operator",
                                                                  "relative"]}
    identity.add_proxy("op-proxy", elder_id)
    made = demand.submit(staff_proxy, submission(clock.now(), elder_id=elder_id, channel="app"))
    with pytest.raises(Forbidden) as refused:
        demand.review(staff_proxy, made["demand_id"], {"decision": "approve"})
    assert refused.value.code == "own_demand_review"
    assert demand.get(OPERATOR, made["demand_id"])["status"] == "submitted"
    # an operator who typed in a request taken by phone did not ask for it: may review it
    assert demand.review(OPERATOR, made["demand_id"], {"decision": "approve"})["status"] == \
        "published"
    by_phone = published(demand, clock.now())
    assert by_phone["status"] == "published" and by_phone["submitted_by"] == OPERATOR["person_id"]


def test_nobody_resolves_a_dispute_they_opened(demand, clock):
    made, [v] = served(demand, clock.now())
    record = demand.record(OPERATOR, made["demand_id"], {
        "volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"})
    dispute = demand.open_dispute(TOWNSHIP_ADMIN, {"record_id": record["record_id"],
                                                   "reason": "签退地点与服务地址不符"})
    assert dispute["opener_role"] == "station"
    with pytest.raises(Forbidden) as refused:
        demand.resolve_dispute(TOWNSHIP_ADMIN, dispute["dispute_id"], {
            "outcome": "voided", "reason": "自己裁决"})
    assert refused.value.code == "own_dispute"
    assert demand.get_dispute(OPERATOR, dispute["dispute_id"])["status"] != "resolved"
    resolved = demand.resolve_dispute(OPERATOR, dispute["dispute_id"], {
        "outcome": "upheld", "reason": "核实无误"})
    assert resolved["status"] == "resolved"
