"""Logging in and registering people: the service in process on a rolled-back database (the
demo data provides the station operator and the other accounts; fixtures in conftest.py),
and the outbox relay publishing what registration wrote (a container)."""
import itertools
import random

import pytest
from sqlalchemy import create_engine, func, select
from timebank_testing import wait_for

from identity.adapters.personal_data import phone_digest
from identity.adapters.tables import credentials
from identity.commands.demo import DEMO_ACCOUNTS, DEMO_API_CLIENT, DEMO_PASSWORD, demo_id_number
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated
from timebank_common.messaging_tables import outbox_table

from .conftest import caller_from_token

COMMUNITY = "130102001001"
OPERATOR_PHONE, VOLUNTEER_PHONE, ELDER_PHONE = "13800000005", "13800000007", "13800000008"
_serial = itertools.count(100)
_BLOCK = random.randrange(10_000)


def new_numbers(birth: str, male: bool) -> tuple[str, str]:
    """A fresh valid ID number (born ``birth``) and mobile number."""
    n = next(_serial)
    sequence = n * 2 + (1 if male else 0)
    return demo_id_number(birth, f"{sequence:03d}"), f"137{_BLOCK:04d}{n:04d}"


@pytest.fixture
def operator(login):
    return login(OPERATOR_PHONE)


def elder_data(**changes):
    id_number, phone = new_numbers("19460308", male=False)
    return {"name": "王秀英", "id_number": id_number, "phone": phone, "phone_only": True,
            "address": "育才街12号", "region_code": COMMUNITY, **changes}


def volunteer_data(**changes):
    id_number, phone = new_numbers("19900512", male=True)
    return {"name": "李明", "id_number": id_number, "phone": phone, "region_code": COMMUNITY,
            "volunteer_number": f"V{phone}", "initial_password": "Volunteer@2026",
            **ELIGIBLE_FACTS, **changes}


# what an operator attests at registration so the volunteer is eligible at once
ELIGIBLE_FACTS = {"registry_status": "verified", "screening": "clear", "health_declared": True,
                  "training_hours_completed": 8}


# -- logging in ----------------------------------------------------------------
def test_login_gives_a_token_that_verifies_and_carries_roles_and_scope(identity, public_key, demo,
                                                                        clock):
    tokens = identity.authenticate(OPERATOR_PHONE, DEMO_PASSWORD)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 600
    caller = caller_from_token(public_key, tokens["access_token"], clock)
    assert caller["person_id"] == demo["persons"]["station_operator"]
    assert caller["roles"] == ["station_operator"]
    assert caller["scope"] == "130102001000"
    assert caller["carrier_id"] == demo["carrier_id"]
    me = identity.me(caller)
    assert me["name"] == "周晓燕" and me["phone_masked"] == "138****0005"


def test_a_volunteer_acts_in_their_own_community(login):
    caller = login(VOLUNTEER_PHONE)
    assert caller["roles"] == ["volunteer"] and caller["scope"] == COMMUNITY


def test_wrong_password_and_unknown_phone_are_refused_alike(identity):
    with pytest.raises(Unauthenticated) as wrong:
        identity.authenticate(OPERATOR_PHONE, "not-the-password")
    with pytest.raises(Unauthenticated) as unknown:
        identity.authenticate("13999999999", DEMO_PASSWORD)
    assert wrong.value.args == unknown.value.args
    assert wrong.value.code == "invalid_credentials"


def test_refresh_rotates_and_the_used_token_is_refused(identity, public_key, clock):
    first = identity.authenticate(VOLUNTEER_PHONE, DEMO_PASSWORD)
    second = identity.refresh(first["refresh_token"])
    assert second["refresh_token"] != first["refresh_token"]
    assert caller_from_token(public_key, second["access_token"], clock)["roles"] == ["volunteer"]
    with pytest.raises(Unauthenticated):
        identity.refresh(first["refresh_token"])
    # a reused token means it leaked: the newer one is revoked too
    with pytest.raises(Unauthenticated):
        identity.refresh(second["refresh_token"])


def test_municipal_system_gets_a_city_scoped_token(identity, public_key, clock):
    tokens = identity.client_token(DEMO_API_CLIENT["client_id"], DEMO_API_CLIENT["client_secret"])
    caller = caller_from_token(public_key, tokens["access_token"], clock)
    assert caller["roles"] == ["api_client"] and caller["scope"] == "130100000000"
    assert caller["client_id"] == "sjz-civil-affairs" and "refresh_token" not in tokens
    me = identity.me(caller)  # a municipal system asking who it is: no person, its client
    assert me["person_id"] is None and me["client_id"] == "sjz-civil-affairs"
    with pytest.raises(Unauthenticated):
        identity.client_token(DEMO_API_CLIENT["client_id"], "wrong-secret")


# -- registration --------------------------------------------------------------
def test_operator_registers_an_elder_at_their_station(identity, operator, demo, events):
    data = elder_data()
    elder = identity.register_elder(operator, data)
    assert elder["name"] == "王秀英" and elder["sex"] == "female"
    assert elder["birth_date"] == "1946-03-08" and elder["age"] >= 80
    assert elder["carrier_id"] == demo["carrier_id"] and elder["phone_only"] is True
    assert elder["id_number_masked"] == data["id_number"][:6] + "********" + data["id_number"][-4:]
    assert elder["phone_masked"] == data["phone"][:3] + "****" + data["phone"][-4:]
    assert data["id_number"] not in str(elder) and data["phone"] not in str(elder)
    assert events("person_registered") == [{"person_id": elder["person_id"], "profile": "elder",
                                             "region_code": COMMUNITY}]
    assert identity.get_elder(operator, elder["person_id"]) == elder


def test_volunteer_registration_gives_a_login_and_eligibility(identity, operator, login):
    data = volunteer_data()
    volunteer = identity.register_volunteer(operator, data)
    assert volunteer["eligible"] is True and volunteer["reasons"] == []
    assert volunteer["volunteer_number"] == data["volunteer_number"]
    caller = login(data["phone"], "Volunteer@2026")
    assert caller["person_id"] == volunteer["person_id"] and caller["roles"] == ["volunteer"]
    assert caller["scope"] == COMMUNITY
    # a person may read themselves
    assert identity.get_person(caller, volunteer["person_id"])["profiles"] == ["volunteer"]


def test_check_volunteer_names_what_is_missing(identity, operator):
    volunteer = identity.register_volunteer(operator, volunteer_data(volunteer_number=None))
    assert volunteer["eligible"] is False
    check = identity.check_volunteer(volunteer["person_id"])
    assert check["eligible"] is False and check["region_code"] == COMMUNITY
    assert [r["code"] for r in check["reasons"]] == ["no_volunteer_number"]
    assert all(r["zh"] and r["en"] for r in check["reasons"])
    with pytest.raises(NotFound):
        identity.check_volunteer(identity.register_elder(operator, elder_data())["person_id"])


def test_demo_volunteer_is_eligible(identity, demo):
    check = identity.check_volunteer(demo["persons"]["volunteer"])
    assert check == {"person_id": demo["persons"]["volunteer"], "name": "郑浩然",
                     "region_code": COMMUNITY, "eligible": True, "reasons": [],
                     "qualifications": []}


def test_every_printed_demo_login_works(login):
    for account in DEMO_ACCOUNTS:
        caller = login(account["phone"], account["password"])
        assert caller["roles"] == [account["role"]] and caller["name"] == account["name"]


def test_same_id_number_twice_is_a_conflict_naming_the_person(identity, operator):
    data = elder_data()
    first = identity.register_elder(operator, data)
    with pytest.raises(Conflict) as info:
        identity.register_elder(operator, {**data, "phone": None})
    assert info.value.code == "already_registered"
    assert info.value.details["person_id"] == first["person_id"]


def test_an_elder_can_also_become_a_volunteer_as_the_same_person(identity, operator):
    id_number, phone = new_numbers("19620101", male=True)
    elder = identity.register_elder(operator, elder_data(name="刘德顺", id_number=id_number,
                                                         phone=phone))
    volunteer = identity.register_volunteer(operator, volunteer_data(
        name="刘德顺", id_number=id_number, phone=phone))
    assert volunteer["person_id"] == elder["person_id"]
    assert sorted(identity.get_person(operator, elder["person_id"])["profiles"]) == [
        "elder", "volunteer"]


def test_operator_outside_the_region_is_refused(identity, operator):
    with pytest.raises(Forbidden) as info:
        identity.register_elder(operator, elder_data(region_code="130104001001"))
    assert info.value.code == "out_of_scope"


def test_volunteer_and_auditor_cannot_register_people(identity, login):
    for phone in (VOLUNTEER_PHONE, "13800000006"):
        caller = login(phone)
        with pytest.raises(Forbidden) as info:
            identity.register_volunteer(caller, volunteer_data())
        assert info.value.code == "role_required"


def test_invalid_id_number_is_bad_input_with_a_clear_message(identity, operator):
    data = elder_data()
    broken = data["id_number"][:17] + ("0" if data["id_number"][17] != "0" else "1")
    with pytest.raises(BadInput) as info:
        identity.register_elder(operator, {**data, "id_number": broken})
    assert info.value.code == "invalid_id_number"
    assert "校验位" in info.value.zh and "check character" in info.value.en
    assert "id_number" in info.value.details


def test_bad_fields_are_listed_per_field(identity, operator):
    with pytest.raises(BadInput) as info:
        identity.register_volunteer(operator, volunteer_data(phone="12345", initial_password="short"))
    assert set(info.value.details) == {"phone", "initial_password"}


def test_staff_read_people_only_in_scope(identity, operator, login, demo):
    elder = identity.register_elder(operator, elder_data())
    city_admin = login("13800000002")
    assert identity.get_person(city_admin, elder["person_id"])["id_number_masked"].count("*") == 8
    other_city = {**city_admin, "scope": "130200000000"}
    with pytest.raises(NotFound) as hidden:  # as if nobody had this id
        identity.get_elder(other_city, elder["person_id"])
    assert hidden.value.code == "person_not_found"
    volunteer = login(VOLUNTEER_PHONE)
    with pytest.raises(Forbidden):
        identity.get_person(volunteer, elder["person_id"])
    with pytest.raises(NotFound):
        identity.get_elder(operator, demo["persons"]["volunteer"])


def test_elder_with_a_phone_may_get_a_login(identity, operator, login, identity_db):
    data = elder_data(phone_only=False, initial_password="Elder@2026")
    elder = identity.register_elder(operator, data)
    caller = login(data["phone"], "Elder@2026")
    assert caller["roles"] == ["elder"] and caller["person_id"] == elder["person_id"]
    with identity_db() as uow:
        stored = uow.execute(select(credentials.c.password_hash).where(
            credentials.c.login_phone_hash == phone_digest(data["phone"]))).scalar()
    assert stored.startswith("$argon2") and "Elder@2026" not in stored


def test_events_leave_the_outbox(identity_rpc, rpc_login, demo):
    """Over the broker: the relay publishes the rows registration wrote (and marks them)."""
    identity_rpc.register_volunteer(rpc_login(OPERATOR_PHONE), volunteer_data())
    engine = create_engine(demo["url"])

    def unsent():
        with engine.connect() as c:
            return c.execute(select(func.count()).select_from(outbox_table)
                             .where(outbox_table.c.sent_at.is_(None))).scalar()

    try:
        wait_for(lambda: unsent() == 0, timeout=10)
        with engine.connect() as c:
            kinds = set(c.execute(select(outbox_table.c.event_type)).scalars())
    finally:
        engine.dispose()
    assert {"person_registered", "volunteer_eligible"} <= kinds
