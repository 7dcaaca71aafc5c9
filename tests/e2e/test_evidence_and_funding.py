"""Issue 13 over HTTP with every service running as its own process: evidence that cannot be
backdated (the server times check-in and check-out; the device's time is kept and flagged),
and the elder's choice of payer with the shortfall shown at review and an explicit
fallback."""
from __future__ import annotations

import datetime as dt

import pytest

from journey_steps import Staff, register_elder, register_volunteer

pytestmark = pytest.mark.e2e

PLACE = {"lat": 38.05, "lng": 114.52}
FAR = {"lat": 38.10, "lng": 114.52}  # about 5.5 km north


@pytest.fixture
def staff(api, demo_accounts):
    return Staff(api, demo_accounts)


def submit(api, staff, elder, start, **changes) -> dict:
    body = {"elder_id": elder["person_id"], "category": "emotional_comfort",
            "description": "陪老人聊天、读报", "address": "育才街18号2单元102", "location": PLACE,
            "window_start": start.isoformat(),
            "window_end": (start + dt.timedelta(hours=3)).isoformat(),
            "expected_minutes": 90, "volunteers_needed": 1, "channel": "phone", **changes}
    return api.call("POST", "/api/v1/demands", body, token=staff.operator, expect=201).json()


def test_a_backdated_check_in_gets_the_servers_time_and_a_held_flagged_record(api, staff):
    elder = register_elder(api, staff, "王秀英", with_login=False)
    volunteer = register_volunteer(api, staff, "李明")
    now = dt.datetime.now(dt.UTC)
    demand = submit(api, staff, elder, now + dt.timedelta(hours=2))  # not begun yet
    demand_id = demand["demand_id"]
    api.call("POST", f"/api/v1/demands/{demand_id}/review", {"decision": "approve"},
             token=staff.operator, expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/claim", token=volunteer["token"],
             expect=200)

    # the app claims the visit began 7 hours ago and ended 2 hours ago; no GPS at check-in,
    # the check-out 5.5 km from the elder's home
    seven_hours_ago = now - dt.timedelta(hours=7)
    started = api.call("POST", f"/api/v1/demands/{demand_id}/check-in",
                       {"at": seven_hours_ago.isoformat()}, token=volunteer["token"],
                       expect=200).json()
    [mine] = started["assignments"]
    checked_in = dt.datetime.fromisoformat(mine["checked_in_at"])
    assert abs((checked_in - dt.datetime.now(dt.UTC)).total_seconds()) < 120  # the server's
    assert dt.datetime.fromisoformat(mine["check_in_device_at"]) == seven_hours_ago
    api.call("POST", f"/api/v1/demands/{demand_id}/check-out",
             {**FAR, "at": (now - dt.timedelta(hours=2)).isoformat()},
             token=volunteer["token"], expect=200)

    record = api.call("POST", f"/api/v1/demands/{demand_id}/record", {
        "volunteer_id": volunteer["person_id"], "minutes": 300, "confirmation": "phone"},
        token=staff.operator, expect=201).json()
    assert record["status"] == "held"
    flags = {f["code"]: f for f in record["flags"]}
    assert {"device_time_skewed", "location_missing", "checkout_far_from_address",
            "presence_outside_window", "minutes_exceed_presence"} <= set(flags), flags
    assert all(f["zh"] and f["en"] for f in flags.values())
    # held: nothing reaches the ledger until another staff member's second look
    refused = api.call("POST", f"/api/v1/records/{record['record_id']}/release",
                       {"reason": "核实"}, token=staff.operator, expect=403).json()
    assert refused["error"] == "second_look_required"
    shown = api.call("GET", f"/api/v1/accounts/{volunteer['person_id']}",
                     token=volunteer["token"], expect=200).json()
    assert shown["earned_minutes"] == 0


def test_the_elders_payer_is_chosen_at_submission_and_a_shortfall_needs_a_reason(api, staff):
    elder = register_elder(api, staff, "赵桂兰", with_login=False)
    start = dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)
    # the elder, on the phone, asks to pay with their own hours (they have none)
    demand = submit(api, staff, elder, start, funding_source="own_hours")
    demand_id = demand["demand_id"]
    assert (demand["funding_source"], demand["funding_chosen_by"]) == ("own_hours", "operator")

    # what the station sees before deciding
    seen = api.call("GET", f"/api/v1/demands/{demand_id}/funding", token=staff.operator,
                    expect=200).json()
    assert (seen["funding_source"], seen["needed_minutes"], seen["available_minutes"],
            seen["shortfall_minutes"], seen["fallback_reason_required"]) == (
        "own_hours", 90, 0, 90, True)
    review = f"/api/v1/demands/{demand_id}/review"
    chosen_here = api.call("POST", review, {"decision": "approve", "funding_source": "issuance"},
                           token=staff.operator, expect=400).json()
    assert chosen_here["error"] == "funding_chosen_at_submission"
    short = api.call("POST", review, {"decision": "approve"}, token=staff.operator,
                     expect=422).json()
    assert short["error"] == "funding_shortfall"
    figures = short["details"]  # (the error details travel as text)
    assert [int(figures[k]) for k in ("needed_minutes", "available_minutes",
                                      "shortfall_minutes")] == [90, 0, 90]

    reason = "老人自有时长不足，电话确认同意由公共时长补足"
    shown = api.call("POST", review, {"decision": "approve", "fallback_reason": reason},
                     token=staff.operator, expect=200).json()
    assert (shown["status"], shown["funding_source"], shown["fallback_reason"],
            shown["funding_shortfall_minutes"]) == ("published", "own_hours", reason, 90)
