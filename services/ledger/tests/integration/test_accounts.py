"""Balances and statements through the ledger's own RPCs and its crediting handler, on a
rolled-back database (no broker): who may read them, a person with no account, and which
city pays (the broker path of crediting: test_service.py)."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import text

from timebank_common.db import make_event
from timebank_common.errors import BadInput, Forbidden, NotFound

SHIJIAZHUANG = "130102001001"  # a community in 长安区, 石家庄 (issuance 130100000000)
XINJI = "130181100001"  # 辛集, a county-level city managed as a city (issuance 130181000000)
OPERATOR = {"person_id": "op-1", "roles": ["station_operator"], "scope": "130102001000",
            "carrier_id": "carrier-7"}
OTHER_COUNTY_ADMIN = {"person_id": "adm-9", "roles": ["county_admin"], "scope": "130104000000"}


def person(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


def new_id(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def service_recorded(volunteer_id, minutes, region=SHIJIAZHUANG):
    return make_event("service_recorded", {
        "record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
        "volunteer_id": volunteer_id, "volunteer_region_code": region,
        "elder_id": new_id("elder"), "minutes": minutes, "category": "emotional_comfort",
        "funding_source": "issuance", "carrier_id": "carrier-7", "recorded_by": "op-1",
        "recorded_at": dt.datetime.now(dt.UTC).isoformat()}, region)


def issuance_balance(ledger_db, city_code):
    with ledger_db() as uow:
        return uow.execute(text(
            "SELECT credits_posted - debits_posted FROM accounts WHERE kind = 'issuance' "
            "AND region_code = :r"), {"r": city_code}).scalar()


def test_county_level_city_is_paid_by_its_own_issuance_account(ledger, ledger_db):
    volunteer = new_id("vol")
    before = issuance_balance(ledger_db, "130181000000") or 0
    ledger.on_service_recorded([service_recorded(volunteer, 45, region=XINJI)])
    assert ledger.balance(person(volunteer), volunteer)["earned_minutes"] == 45
    assert issuance_balance(ledger_db, "130181000000") == before - 45


def test_statement_is_for_the_person_and_staff_in_scope(ledger):
    volunteer = new_id("vol")
    ledger.on_service_recorded([service_recorded(volunteer, 30)])

    with pytest.raises(Forbidden) as err:
        ledger.statement(person(new_id("vol")), volunteer, {})
    assert err.value.code == "not_your_account"
    with pytest.raises(NotFound) as err:
        ledger.statement(OTHER_COUNTY_ADMIN, volunteer, {})
    assert err.value.code == "person_not_found"
    with pytest.raises(NotFound):
        ledger.balance(OTHER_COUNTY_ADMIN, volunteer)

    assert ledger.statement(OPERATOR, volunteer, {})["total"] == 1
    assert ledger.statement(OPERATOR, volunteer)["total"] == 1  # no query: every default
    assert ledger.balance(OPERATOR, volunteer)["available_minutes"] == 30
    # entries are stamped by the database's clock
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    assert ledger.statement(person(volunteer), volunteer, {"since": future})["items"] == []
    with pytest.raises(BadInput):
        ledger.statement(person(volunteer), volunteer, {"page_size": 500})


def test_a_person_without_an_account_has_zero_balance_for_themself_and_staff_in_scope(
        ledger, identity):
    nobody = identity.add_volunteer(new_id("vol"), region_code=SHIJIAZHUANG)
    zero = {"person_id": nobody, "earned_minutes": 0, "grant_minutes": 0,
            "reserved_minutes": 0, "available_minutes": 0}
    assert ledger.balance(person(nobody), nobody) == zero
    assert ledger.balance(OPERATOR, nobody) == zero
    assert ledger.statement(person(nobody), nobody, {})["items"] == []
    with pytest.raises(Forbidden):
        ledger.balance(person(new_id("vol")), nobody)


@pytest.mark.parametrize("read", ["balance", "statement", "volunteer_summary"])
def test_another_regions_person_without_activity_answers_as_an_unknown_id(ledger, identity,
                                                                          read):
    """Not 200 with zeros: staff of another county learn nothing, not even that the id exists."""
    elsewhere = identity.add_volunteer(new_id("vol"), region_code=SHIJIAZHUANG)
    errors = []
    for person_id in (elsewhere, new_id("nobody")):
        with pytest.raises(NotFound) as err:
            getattr(ledger, read)(OTHER_COUNTY_ADMIN, person_id)
        errors.append((err.value.code, err.value.zh, err.value.en))
    assert errors[0] == errors[1] == ("person_not_found", "未找到此人", "No such person")


def test_a_proxy_reads_the_elders_balance_and_statement(ledger, identity):
    """A verified relative acting for an elder without a phone sees what the elder would."""
    elder = identity.add_elder(region_code=SHIJIAZHUANG, phone_only=True)
    daughter = identity.add_person(region_code=SHIJIAZHUANG)
    identity.add_proxy(daughter, elder)
    stranger = identity.add_person(region_code=SHIJIAZHUANG)

    assert ledger.balance(person(daughter), elder)["earned_minutes"] == 0
    assert ledger.statement(person(daughter), elder, {})["items"] == []
    with pytest.raises(Forbidden) as err:
        ledger.balance(person(stranger), elder)
    assert err.value.code == "not_your_account"
