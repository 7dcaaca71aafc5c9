"""Ledger queries through its own handlers and RPCs on a rolled-back database (no broker):
volunteer summary and star milestones (once, also in a batch, after a redelivery and after a
reversal), the statement's kind filter, and supervisor statistics and their scope refusal.
Thresholds are configured at 1, 2 and 3 hours so a few credits reach them."""
import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import text
from timebank_testing import outbox_events

from timebank_common.clock import china_date
from timebank_common.db import make_event
from timebank_common.errors import BadInput, Forbidden

HENGSHUI = "131102001001"  # a community in 桃城区, 衡水 (issuance 131100000000)
HENGSHUI_OTHER_COUNTY = "131121001001"  # 枣强县
CITY_ADMIN = {"person_id": "adm-hs", "roles": ["city_admin"], "scope": "131100000000"}
COUNTY_ADMIN = {"person_id": "adm-tc", "roles": ["county_admin"], "scope": "131102000000"}
OTHER_CITY_ADMIN = {"person_id": "adm-ts", "roles": ["city_admin"], "scope": "130200000000"}
OPERATOR = {"person_id": "op-hs", "roles": ["station_operator"], "scope": "131102001000"}
# the counties credited in here keep every recorded minute (no rounding, no yearly cap), so
# the figures are the minutes recorded (the province default rounds to 15 minutes)
EXACT_COUNTIES = ("131102000000", "131121000000")


def person(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


def new_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(autouse=True)
def exact_minutes(ledger, ledger_db):
    ledger.config["STAR_THRESHOLDS_HOURS"] = [1, 2, 3]
    with ledger_db() as uow:
        for county in EXACT_COUNTIES:
            uow.execute(text("INSERT INTO policies (region_code, effective_from, policy_values, "
                             "reason, created_by) VALUES (:r, '2020-01-01', :v, 'test', 'test')"),
                        {"r": county, "v": json.dumps({"rounding_unit_minutes": 1,
                                                       "yearly_cap_minutes": None})})
        uow.commit()


def service_recorded(volunteer_id, minutes, region=HENGSHUI, record_id=None):
    payload = {"record_id": record_id or str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
               "volunteer_id": volunteer_id, "volunteer_region_code": region,
               "elder_id": new_id("elder"), "minutes": minutes, "category": "emotional_comfort",
               "funding_source": "issuance", "recorded_by": "op-hs",
               "recorded_at": dt.datetime.now(dt.UTC).isoformat()}
    return make_event("service_recorded", payload, region)


def earned(ledger, volunteer):
    return ledger.balance(person(volunteer), volunteer)["earned_minutes"]


def test_summary_stars_and_milestones_once_per_level(ledger, ledger_db):
    def told():
        return [e for e in outbox_events(ledger_db, "milestone_reached")
                if e["payload"]["person_id"] == volunteer]

    volunteer = new_id("vol")
    first = service_recorded(volunteer, 50)
    ledger.on_service_recorded([first])
    summary = ledger.volunteer_summary(person(volunteer), volunteer)
    assert (summary["service_minutes"], summary["star_level"], summary["earned_minutes"]) == (
        50, 0, 50)
    assert summary["next_star"] == {"level": 1, "threshold_hours": 1, "minutes_to_go": 10,
                                    "hours_to_go": 0.17}
    assert summary["star_thresholds_hours"] == [1, 2, 3] and summary["milestones"] == []

    # one batch of three credits crosses levels 1 and 2: each told once, by its credit; the
    # first event delivered again in it changes nothing
    ledger.on_service_recorded([service_recorded(volunteer, 40) for _ in range(3)] + [first])
    assert earned(ledger, volunteer) == 170
    assert sorted(m["payload"]["level"] for m in told()) == [1, 2]
    assert all(m["region_code"] == HENGSHUI for m in told())
    by_level = {m["payload"]["level"]: m["payload"] for m in told()}
    assert by_level[1]["cumulative_minutes"] == 90  # 50 + 40: the crossing credit
    assert by_level[2]["cumulative_minutes"] == 130
    summary = ledger.volunteer_summary(person(volunteer), volunteer)
    assert (summary["star_level"], summary["service_minutes"]) == (2, 170)
    assert [m["level"] for m in summary["milestones"]] == [1, 2]

    # a reversal drops below level 2; crossing it again is not told again
    ledger.reverse(by_level[2]["transfer_id"], "dispute upheld", "adm-hs")
    ledger.reverse(f"service_record:{first['payload']['record_id']}", "dispute upheld", "adm-hs")
    summary = ledger.volunteer_summary(person(volunteer), volunteer)
    assert (summary["star_level"], summary["service_minutes"]) == (1, 80)
    ledger.on_service_recorded([service_recorded(volunteer, 45)])
    assert earned(ledger, volunteer) == 125
    assert ledger.volunteer_summary(person(volunteer), volunteer)["star_level"] == 2
    assert sorted(m["payload"]["level"] for m in told()) == [1, 2]


def test_gifts_received_are_not_service_hours(ledger):
    giver, receiver = new_id("vol"), new_id("vol")
    ledger.on_service_recorded([service_recorded(giver, 90)])
    accounts = [ledger.open_account("personal", HENGSHUI, p) for p in (giver, receiver)]
    [result] = ledger.create_transfers([{
        "id": new_id("gift"), "kind": "gift_to_relative",
        "debit_account_id": accounts[0]["account_id"],
        "credit_account_id": accounts[1]["account_id"], "amount_minutes": 70}])
    assert result["status"] == "posted"
    summary = ledger.volunteer_summary(person(receiver), receiver)
    assert (summary["earned_minutes"], summary["service_minutes"], summary["star_level"]) == (
        70, 0, 0)
    assert ledger.volunteer_summary(person(giver), giver)["service_minutes"] == 90

    gifts = ledger.statement(person(giver), giver, {"kind": "gift_to_relative"})
    assert gifts["total"] == 1 and gifts["items"][0]["amount_minutes"] == -70
    assert ledger.statement(person(giver), giver, {"kind": "service_credit"})["total"] == 1
    with pytest.raises(BadInput):
        ledger.statement(person(giver), giver, {"kind": "money"})
    with pytest.raises(Forbidden):
        ledger.volunteer_summary(person(receiver), giver)


def test_stats_count_the_period_in_the_region_and_refuse_outside_scope(ledger, clock):
    today = china_date(clock.now()).isoformat()
    yesterday = (dt.date.fromisoformat(today) - dt.timedelta(days=1)).isoformat()
    before = ledger.ledger_stats(CITY_ADMIN, "131100000000", today, today)
    before_yesterday = ledger.ledger_stats(CITY_ADMIN, "131100000000", yesterday, yesterday)
    volunteer, far = new_id("vol"), new_id("vol")
    ledger.on_service_recorded([service_recorded(volunteer, 30),
                                service_recorded(far, 20, region=HENGSHUI_OTHER_COUNTY)])
    after = ledger.ledger_stats(CITY_ADMIN, "131100000000", today, today)
    assert after["deposited_minutes"] - before["deposited_minutes"] == 50
    assert after["liability_minutes"] - before["liability_minutes"] == 50
    assert [x["region_code"] for x in after["liability"]] == ["131100000000"]
    children = {c["region_code"]: c for c in after["children"]}
    old = {c["region_code"]: c for c in before["children"]}
    for code, added in (("131102000000", 30), ("131121000000", 20)):
        was = old.get(code, {"deposited_minutes": 0})["deposited_minutes"]
        assert children[code]["deposited_minutes"] - was == added
    assert after["period"] == {"from": today, "to": today}

    county = ledger.ledger_stats(COUNTY_ADMIN, None, today, today)
    assert county["region_code"] == "131102000000" and county["liability"] == []
    assert ledger.ledger_stats(CITY_ADMIN, "131100000000", yesterday, yesterday)[
        "deposited_minutes"] == before_yesterday["deposited_minutes"]  # today's are today's
    with pytest.raises(Forbidden) as refused:
        ledger.ledger_stats(OTHER_CITY_ADMIN, "131100000000", today, today)
    assert refused.value.code == "out_of_scope"
    with pytest.raises(Forbidden) as refused:
        ledger.ledger_stats(OPERATOR, None, today, today)
    assert refused.value.code == "role_required"
    with pytest.raises(BadInput):
        ledger.ledger_stats(CITY_ADMIN, "131100000000", today, yesterday)
