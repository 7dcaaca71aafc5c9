"""Grants that start by rule and end, and a person's standing: 高龄 granted with no staff
action, a withdrawn category granted no further period, an elder who is not active granted
nothing, a deceased person's account frozen with the region's ``deceased_hours`` policy —
through the ledger's own handlers and RPCs on a rolled-back database (identity's events
handed to the handlers as the broker would)."""
import datetime as dt
import json
import uuid

import pytest
from sqlalchemy import text

from timebank_common.clock import china_date
from timebank_common.db import make_event
from timebank_common.errors import RuleViolation

TANGSHAN = "130202001001"  # 路南区: this module's grants
LANGFANG = "131002001001"  # 廊坊 安次区: deceased hours go to the pool here (a city row)
LANGFANG_CITY = "131000000000"


def me(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


def new_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def granted(elder, category="advanced_age", region=TANGSHAN, verified_by=None):
    return make_event("elder_priority_granted", {
        "person_id": elder, "category": category, "region_code": region,
        "verified_by": verified_by}, region)


def revoked(elder, category, region=TANGSHAN):
    return make_event("elder_priority_revoked", {
        "person_id": elder, "category": category, "region_code": region,
        "reason": "家庭经济状况好转", "revoked_by": "adm-1"}, region)


def status_changed(person_id, status, region, previous="active"):
    return make_event("person_status_changed", {
        "person_id": person_id, "region_code": region, "profiles": ["elder", "volunteer"],
        "status": status, "previous_status": previous, "reason": "民政核实",
        "changed_by": "adm-1", "changed_at": dt.datetime.now(dt.UTC).isoformat()}, region)


def grant_minutes(ledger, elder):
    return ledger.balance(me(elder), elder)["grant_minutes"]


def test_advanced_age_is_granted_at_once_by_rule_then_each_month(ledger, clock):
    elder = new_id("elder")
    ledger.on_elder_priority_granted(granted(elder))  # 高龄 by rule: verified_by null
    assert grant_minutes(ledger, elder) == 60  # the province's monthly 高龄 grant, at once
    ledger.grant_top_up()
    assert grant_minutes(ledger, elder) == 60  # once per period
    clock.advance(days=31)
    ledger.grant_top_up()
    assert grant_minutes(ledger, elder) == 120


def test_a_withdrawn_category_is_granted_no_further_period_and_keeps_what_it_got(
        ledger, clock):
    elder = new_id("elder")
    ledger.on_elder_priority_granted(granted(elder, "empty_nest", verified_by="adm-1"))
    clock.advance(days=31)
    ledger.grant_top_up()
    assert grant_minutes(ledger, elder) == 120
    ledger.on_elder_priority_revoked(revoked(elder, "empty_nest"))
    ledger.grant_top_up()  # this period's grant was paid: it stays, nothing more
    assert grant_minutes(ledger, elder) == 120
    clock.advance(days=31)
    ledger.grant_top_up()
    assert grant_minutes(ledger, elder) == 120  # stopped from the next period
    ledger.on_elder_priority_granted(granted(elder, "empty_nest", verified_by="adm-2"))
    assert grant_minutes(ledger, elder) == 180  # verified again: granted again at once


def test_a_category_withdrawn_before_this_periods_top_up_still_gets_this_period(ledger,
                                                                                clock):
    elder = new_id("elder")
    ledger.on_elder_priority_granted(granted(elder, "empty_nest", verified_by="adm-1"))
    clock.advance(days=31)  # a new month, not yet topped up
    ledger.on_elder_priority_revoked(revoked(elder, "empty_nest"))
    ledger.grant_top_up()
    ledger.grant_top_up()
    assert grant_minutes(ledger, elder) == 120  # the month it was withdrawn in, once
    clock.advance(days=31)
    ledger.grant_top_up()
    assert grant_minutes(ledger, elder) == 120


def test_an_elder_who_is_not_active_is_granted_nothing_more(ledger, clock):
    elder = new_id("elder")
    ledger.on_elder_priority_granted(granted(elder))
    ledger.on_person_status_changed(status_changed(elder, "left", TANGSHAN))
    clock.advance(days=31)
    ledger.grant_top_up()
    assert grant_minutes(ledger, elder) == 60
    ledger.on_person_status_changed(status_changed(elder, "active", TANGSHAN, "left"))
    ledger.grant_top_up()
    assert grant_minutes(ledger, elder) == 120


def serve(ledger, volunteer, minutes, region, source="issuance", elder=None):
    record_id = str(uuid.uuid4())
    ledger.on_service_recorded([make_event("service_recorded", {
        "record_id": record_id, "demand_id": str(uuid.uuid4()), "volunteer_id": volunteer,
        "volunteer_region_code": region, "elder_id": elder, "minutes": minutes,
        "category": "daily_care", "funding_source": source,
        "recorded_at": dt.datetime.now(dt.UTC).isoformat()}, region)])
    return record_id


def test_a_deceased_persons_hours_are_frozen_never_lost(ledger, emitted, consistent):
    person, volunteer = new_id("p"), new_id("v")
    serve(ledger, person, 120, TANGSHAN)
    ledger.on_person_status_changed(status_changed(person, "deceased", TANGSHAN))

    with pytest.raises(RuleViolation) as err:
        ledger.give(me(person), {"kind": "donation", "minutes": 30}, "d-1")
    assert err.value.code == "account_frozen"
    record = serve(ledger, volunteer, 60, TANGSHAN, source="own_hours", elder=person)
    [told] = [p for p in emitted("hours_credited") if p["record_id"] == record]
    assert told["paid_from"] == "issuance" and told["fallback"] == "source_frozen"
    serve(ledger, person, 30, TANGSHAN)  # a credit owed to them still lands
    assert ledger.balance(me(person), person)["earned_minutes"] == 150
    consistent()


def test_a_region_may_send_a_deceased_persons_hours_to_its_pool(ledger, ledger_db, clock,
                                                               consistent):
    with ledger_db() as uow:
        uow.execute(text("INSERT INTO policies (region_code, effective_from, policy_values, "
                         "reason, created_by) VALUES (:r, '2020-01-01', :v, 'test', 'test')"),
                    {"r": LANGFANG_CITY, "v": json.dumps({"deceased_hours": "to_pool"})})
        uow.commit()
    person = new_id("p")
    serve(ledger, person, 90, LANGFANG)
    pool_before = ledger.open_account("donation_pool", LANGFANG_CITY)["balance_minutes"]
    event = status_changed(person, "deceased", LANGFANG)
    ledger.on_person_status_changed(event)
    ledger.on_person_status_changed(event)  # redelivered: once

    assert ledger.balance(me(person), person)["earned_minutes"] == 0
    assert ledger.open_account("donation_pool", LANGFANG_CITY)["balance_minutes"] == \
        pool_before + 90
    statement = ledger.statement(me(person), person, {})["items"]
    assert statement[0]["reference"]["reason"] == "deceased_hours_to_pool"
    assert china_date(clock.now())  # the transfer is dated by the service's clock
    consistent()
