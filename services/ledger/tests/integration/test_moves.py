"""An account belongs to its owner's region (通存通兑): a gift opens the receiver's account
where the receiver lives, and a person who moves takes their accounts along while history
stays where it happened — through the ledger's own handlers and RPCs on a rolled-back
database (identity's ``person_moved`` handed to the handler as the broker would)."""
import datetime as dt
import uuid

import pytest
from sqlalchemy import text

from timebank_common.db import make_event
from timebank_common.errors import NotFound

SHIJIAZHUANG = "130102001001"  # 长安区, 石家庄
TANGSHAN = "130202001001"  # 路南区, 唐山
SJZ_OPERATOR = {"person_id": "op-sjz", "roles": ["station_operator"], "scope": "130102001000",
                "carrier_id": "c-sjz"}
TS_OPERATOR = {"person_id": "op-ts", "roles": ["station_operator"], "scope": "130202001000",
               "carrier_id": "c-ts"}
PROVINCE = {"person_id": "adm-p", "roles": ["province_admin"], "scope": "130000000000"}


def me(person_id):
    return {"person_id": person_id, "roles": ["volunteer"], "scope": None}


def serve(ledger, volunteer, minutes, region=SHIJIAZHUANG):
    ledger.on_service_recorded([make_event("service_recorded", {
        "record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
        "volunteer_id": volunteer, "volunteer_region_code": region, "elder_id": None,
        "minutes": minutes, "category": "daily_care", "funding_source": "issuance",
        "recorded_at": dt.datetime.now(dt.UTC).isoformat()}, region)])


def moved(person_id, from_region, to_region):
    return make_event("person_moved", {
        "person_id": person_id, "from_region_code": from_region, "to_region_code": to_region,
        "profiles": ["volunteer"], "carrier_id": None, "from_carrier_id": None,
        "moved_by": "op-ts", "moved_at": dt.datetime.now(dt.UTC).isoformat()}, to_region)


def account_region(ledger_db, person_id):
    with ledger_db() as uow:
        return uow.execute(text("SELECT region_code FROM accounts WHERE owner_person_id = :p "
                                "AND kind = 'personal'"), {"p": person_id}).scalar()


def test_a_gift_opens_the_relatives_account_where_the_relative_lives(ledger, identity,
                                                                    ledger_db):
    giver = identity.add_volunteer(region_code=SHIJIAZHUANG)
    relative = identity.add_person(region_code=TANGSHAN)
    identity.add_relatives(giver, relative)
    serve(ledger, giver, 120)

    ledger.give(me(giver), {"kind": "gift_to_relative", "to_person_id": relative,
                            "minutes": 60}, "gift-1")

    assert account_region(ledger_db, relative) == TANGSHAN
    assert ledger.balance(TS_OPERATOR, relative)["earned_minutes"] == 60
    with pytest.raises(NotFound):  # 石家庄's station has no business with a 唐山 account
        ledger.balance(SJZ_OPERATOR, relative)
    with ledger_db() as uow:  # the gift happened in 石家庄, where the giver was
        row = uow.execute(text("SELECT region_code, debit_region_code, credit_region_code "
                               "FROM transfers WHERE kind = 'gift_to_relative' AND "
                               "reference->>'to_person_id' = :r"), {"r": relative}).one()
    assert tuple(row) == (SHIJIAZHUANG, SHIJIAZHUANG, TANGSHAN)


def test_a_person_who_moves_takes_the_account_and_leaves_the_history(ledger, identity,
                                                                     ledger_db, consistent):
    volunteer = identity.add_volunteer(region_code=SHIJIAZHUANG)
    serve(ledger, volunteer, 90)
    event = moved(volunteer, SHIJIAZHUANG, TANGSHAN)
    identity.move(volunteer, TANGSHAN)

    ledger.on_person_moved(event)
    ledger.on_person_moved(event)  # redelivered: recorded once

    assert account_region(ledger_db, volunteer) == TANGSHAN
    assert ledger.balance(TS_OPERATOR, volunteer)["earned_minutes"] == 90
    with pytest.raises(NotFound):
        ledger.balance(SJZ_OPERATOR, volunteer)
    with ledger_db() as uow:
        moves = uow.execute(text("SELECT from_region_code, to_region_code, balance_minutes "
                                 "FROM account_moves WHERE person_id = :p"),
                            {"p": volunteer}).all()
        credit = uow.execute(text("SELECT region_code, credit_region_code FROM transfers "
                                  "WHERE kind = 'service_credit' AND credit_account_id = "
                                  "(SELECT id FROM accounts WHERE owner_person_id = :p)"),
                             {"p": volunteer}).one()
    assert [tuple(m) for m in moves] == [(SHIJIAZHUANG, TANGSHAN, 90)]
    assert tuple(credit) == (SHIJIAZHUANG, SHIJIAZHUANG)  # the service stays in 石家庄

    serve(ledger, volunteer, 30, region=TANGSHAN)  # the next one is 唐山's
    assert ledger.balance(me(volunteer), volunteer)["earned_minutes"] == 120
    consistent()


def test_a_relatives_account_left_in_the_givers_region_follows_them_at_the_next_gift(
        ledger, identity, ledger_db, consistent):
    """Before accounts followed their owners, a gift opened the relative's account in the
    giver's region; the next gift moves it to where the relative lives (recorded as a move)."""
    giver = identity.add_volunteer(region_code=SHIJIAZHUANG)
    relative = identity.add_person(region_code=TANGSHAN)
    identity.add_relatives(giver, relative)
    serve(ledger, giver, 120)
    ledger.open_account("personal", SHIJIAZHUANG, relative)  # as the old code did

    ledger.give(me(giver), {"kind": "gift_to_relative", "to_person_id": relative,
                            "minutes": 30}, "gift-2")

    assert account_region(ledger_db, relative) == TANGSHAN
    with ledger_db() as uow:
        moves = uow.execute(text("SELECT from_region_code, to_region_code FROM account_moves "
                                 "WHERE person_id = :p"), {"p": relative}).all()
    assert [tuple(m) for m in moves] == [(SHIJIAZHUANG, TANGSHAN)]
    assert ledger.balance(TS_OPERATOR, relative)["earned_minutes"] == 30
    consistent()
