"""Moving people within the province: the new region takes over, both see the trace."""
import itertools

import pytest

from identity.adapters.regions import load_regions
from identity.commands.demo import demo_id_number
from timebank_common.caller import Caller
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound

PROVINCE_ADMIN, TOWNSHIP_ADMIN, OPERATOR = "13800000001", "13800000004", "13800000005"
AUDITOR = "13800000006"
YUCAI, JIANBEI = "130102001001", "130102001000"
LUBEI_TOWNSHIP, LUBEI_COMMUNITY = "130203001000", "130203001001"
TANGSHAN = "130200000000"
_serial = itertools.count(601)


@pytest.fixture
def tangshan(identity, identity_db, login):
    """A community of 唐山市路北区 with a station, and a city admin of 唐山."""
    with identity_db() as uow:
        load_regions(uow, [
            {"code": LUBEI_TOWNSHIP, "name": "乔屯街道", "level": "township",
             "parent_code": "130203000000"},
            {"code": LUBEI_COMMUNITY, "name": "乔屯社区居委会", "level": "community",
             "parent_code": LUBEI_TOWNSHIP}])
        uow.commit()
    carrier = identity.register_carrier(login(PROVINCE_ADMIN), {
        "name": "乔屯社区学雷锋志愿服务站", "kind": "lei_feng_station",
        "region_code": LUBEI_COMMUNITY, "address": "唐山市路北区乔屯街1号",
        "contact_name": "唐站长", "contact_phone": "0315-2800000"})
    admin = Caller(person_id=login(PROVINCE_ADMIN)["person_id"], roles=("city_admin",),
                   scope=TANGSHAN).to_dict()
    return {"carrier_id": carrier["carrier_id"], "admin": admin}


def new_volunteer(identity, caller):
    n = next(_serial)
    return identity.register_volunteer(caller, {
        "name": "迁移志愿者", "id_number": demo_id_number("19920202", f"{n:03d}"),
        "phone": f"1397777{n:04d}", "region_code": YUCAI, "initial_password": "Volunteer@2026",
        "volunteer_number": f"V-MOVE-{n}", "registry_status": "verified", "screening": "clear",
        "health_declared": True, "training_hours_completed": 8})


def new_elder(identity, caller):
    n = next(_serial)
    return identity.register_elder(caller, {
        "name": "迁移老人", "id_number": demo_id_number("19470707", f"{n:03d}"),
        "region_code": YUCAI})


def test_a_volunteer_moves_to_tangshan_and_tangshan_takes_over(identity, login, tangshan,
                                                                events):
    township = login(TOWNSHIP_ADMIN)
    volunteer = new_volunteer(identity, township)
    move = identity.move_person(township, volunteer["person_id"], {
        "to_region_code": LUBEI_COMMUNITY, "reason": "随子女迁居唐山"})
    assert (move["from_region_code"], move["to_region_code"]) == (YUCAI, LUBEI_COMMUNITY)
    assert move["direction"] == "out" and move["moved_by"] == township["person_id"]
    [moved] = events("person_moved")
    assert moved["person_id"] == volunteer["person_id"] and moved["profiles"] == ["volunteer"]
    assert (moved["from_region_code"], moved["to_region_code"]) == (YUCAI, LUBEI_COMMUNITY)
    assert events.envelopes("person_moved")[0]["region_code"] == LUBEI_COMMUNITY
    # the old staff no longer reach the person; 唐山 does
    with pytest.raises(NotFound):
        identity.update_volunteer(township, volunteer["person_id"], {"address": "x"})
    assert volunteer["person_id"] not in [i["person_id"] for i in identity.list_volunteers(
        township, {"q": "迁移志愿者", "page_size": 100})["items"]]
    there = identity.get_person(tangshan["admin"], volunteer["person_id"])
    assert there["region_code"] == LUBEI_COMMUNITY
    assert [m["move_id"] for m in there["moves"]] == [move["move_id"]]
    assert identity.eligibility(tangshan["admin"], volunteer["person_id"])["eligible"]
    # both sides see the trace
    out = identity.list_moves(township, {})["items"]
    assert move["move_id"] in [m["move_id"] for m in out if m["direction"] == "out"]
    came = identity.list_moves(tangshan["admin"], {})["items"]
    [seen] = [m for m in came if m["move_id"] == move["move_id"]]
    assert seen["direction"] == "in" and seen["name"] == "迁移志愿者"
    assert "*" in seen["id_number_masked"] and seen["reason"] == "随子女迁居唐山"
    assert move["move_id"] in [m["move_id"] for m in identity.list_moves(
        login(AUDITOR), {"region": TANGSHAN})["items"]]


def test_an_operator_moves_their_own_elder_to_a_station_there(identity, login, tangshan,
                                                               events):
    operator = login(OPERATOR)
    elder = new_elder(identity, operator)
    move = identity.move_person(operator, elder["person_id"], {
        "to_region_code": LUBEI_COMMUNITY, "carrier_id": tangshan["carrier_id"],
        "reason": "入住唐山的女儿家"})
    assert move["to_carrier_id"] == tangshan["carrier_id"]
    assert move["from_carrier_id"] == elder["carrier_id"]
    view = identity.get_elder(tangshan["admin"], elder["person_id"])
    assert view["carrier_id"] == tangshan["carrier_id"] and len(view["moves"]) == 1
    [moved] = events("person_moved")
    assert moved["carrier_id"] == tangshan["carrier_id"]
    # a station operator moves only their own station's elders, not volunteers
    volunteer = new_volunteer(identity, operator)
    with pytest.raises(Forbidden) as info:
        identity.move_person(operator, volunteer["person_id"], {
            "to_region_code": LUBEI_COMMUNITY, "reason": "x"})
    assert info.value.code == "role_required"


def test_a_move_goes_to_a_community_of_the_province(identity, login, tangshan):
    township = login(TOWNSHIP_ADMIN)
    volunteer, elder = new_volunteer(identity, township), new_elder(identity, township)
    refused = [
        (volunteer, {"to_region_code": "130203000000", "reason": "x"}, BadInput,
         "not_a_community"),
        (volunteer, {"to_region_code": "110101001001", "reason": "x"}, BadInput,
         "not_in_province"),
        (volunteer, {"to_region_code": "130203999999", "reason": "x"}, BadInput,
         "not_a_community"),
        (volunteer, {"to_region_code": YUCAI, "reason": "x"}, Conflict, "already_there"),
        (volunteer, {"to_region_code": LUBEI_COMMUNITY, "carrier_id": tangshan["carrier_id"],
                     "reason": "x"}, BadInput, "carrier_for_elders"),
        (elder, {"to_region_code": LUBEI_COMMUNITY,
                 "carrier_id": "00000000-0000-0000-0000-000000000001", "reason": "x"},
         BadInput, "carrier_not_in_region"),
    ]
    for person, data, error, code in refused:
        with pytest.raises(error) as info:
            identity.move_person(township, person["person_id"], data)
        assert info.value.code == code, data
    with pytest.raises(BadInput):
        identity.move_person(township, volunteer["person_id"], {"to_region_code": YUCAI})
