"""Finding people: the elders and volunteers of a scope, searched and paged, masked."""
import itertools

import pytest

from identity.adapters.regions import load_regions
from identity.commands.demo import demo_id_number
from timebank_common.errors import BadInput, Forbidden

CITY_ADMIN, TOWNSHIP_ADMIN, OPERATOR = "13800000002", "13800000004", "13800000005"
AUDITOR, VOLUNTEER, ELDER = "13800000006", "13800000007", "13800000008"
YUCAI, QIAOXI_COMMUNITY = "130102001001", "130104001001"
_serial = itertools.count(401)


@pytest.fixture
def qiaoxi(identity_db):
    with identity_db() as uow:
        load_regions(uow, [
            {"code": "130104001000", "name": "振头街道", "level": "township",
             "parent_code": "130104000000"},
            {"code": QIAOXI_COMMUNITY, "name": "振头一街社区居委会", "level": "community",
             "parent_code": "130104001000"},
        ])
        uow.commit()
    return QIAOXI_COMMUNITY


def elder(identity, caller, name, birth="19500101", region=YUCAI, **changes):
    n = next(_serial)
    data = {"name": name, "id_number": demo_id_number(birth, f"{n:03d}"),
            "phone": f"1391111{n:04d}", "region_code": region, **changes}
    return {**identity.register_elder(caller, data), "id_number": data["id_number"],
            "phone": data["phone"]}


def volunteer(identity, caller, name, region=YUCAI, **changes):
    n = next(_serial)
    data = {"name": name, "id_number": demo_id_number("19950505", f"{n:03d}"),
            "phone": f"1392222{n:04d}", "region_code": region,
            "initial_password": "Volunteer@2026", **changes}
    return identity.register_volunteer(caller, data)


def ids(page):
    return [i["person_id"] for i in page["items"]]


def test_a_station_finds_an_elder_by_name_phone_and_id_number(identity, login):
    operator = login(OPERATOR)
    first = elder(identity, operator, "檀香兰")
    second = elder(identity, operator, "檀香梅", birth="19400101")
    elder(identity, operator, "白香兰")
    by_name = identity.list_elders(operator, {"q": "檀香"})
    assert ids(by_name) == [first["person_id"], second["person_id"]]  # region, name, id
    assert by_name["total"] == 2 and by_name["page"] == 1 and by_name["page_size"] == 20
    item = by_name["items"][0]
    assert item["status"] == "active" and item["phone_masked"] == first["phone_masked"]
    assert "*" in item["id_number_masked"] and "phone" not in item and "id_number" not in item
    assert ids(identity.list_elders(operator, {"phone": first["phone"]})) == [first["person_id"]]
    assert ids(identity.list_elders(operator, {"id_number": second["id_number"].lower()})) == [
        second["person_id"]]
    assert identity.list_elders(operator, {"phone": "13900000000"})["items"] == []
    # 高龄 by the birth date, hardship categories when verified
    assert second["person_id"] in ids(identity.list_elders(
        operator, {"category": "advanced_age", "page_size": 100}))
    assert first["person_id"] not in ids(identity.list_elders(
        operator, {"category": "advanced_age", "page_size": 100}))
    identity.submit_priority(operator, first["person_id"],
                             {"category": "empty_nest", "evidence": "独居"})
    assert first["person_id"] not in ids(identity.list_elders(operator, {"category": "empty_nest"}))
    identity.verify_priority(login(TOWNSHIP_ADMIN), first["person_id"], "empty_nest",
                             {"decision": "verify"})
    assert ids(identity.list_elders(operator, {"category": "empty_nest", "q": "檀"})) == [
        first["person_id"]]


def test_lists_are_paged_and_stable(identity, login):
    operator = login(OPERATOR)
    made = [elder(identity, operator, "翁翠")["person_id"] for _ in range(5)]
    pages = [identity.list_elders(operator, {"q": "翁翠", "page": n, "page_size": 2})
             for n in (1, 2, 3)]
    assert [ids(p) for p in pages] == [sorted(made)[0:2], sorted(made)[2:4], sorted(made)[4:]]
    assert {p["total"] for p in pages} == {5}
    with pytest.raises(BadInput):
        identity.list_elders(operator, {"page_size": 101})
    with pytest.raises(BadInput):
        identity.list_elders(operator, {"status": "sleeping"})


def test_lists_stay_in_the_callers_scope(identity, login, qiaoxi):
    city = login(CITY_ADMIN)
    there = elder(identity, city, "冀振头", region=qiaoxi)
    operator = login(OPERATOR)
    assert identity.list_elders(operator, {"q": "冀振头"})["items"] == []
    assert ids(identity.list_elders(city, {"q": "冀振头"})) == [there["person_id"]]
    assert ids(identity.list_elders(city, {"region": qiaoxi})) == [there["person_id"]]
    with pytest.raises(Forbidden) as info:
        identity.list_elders(operator, {"region": qiaoxi})
    assert info.value.code == "out_of_scope"
    # auditors read; volunteers and elders do not list people
    assert ids(identity.list_elders(login(AUDITOR), {"q": "冀振头"})) == [there["person_id"]]
    for phone in (VOLUNTEER, ELDER):
        with pytest.raises(Forbidden) as info:
            identity.list_volunteers(login(phone), {})
        assert info.value.code == "role_required"


def test_volunteers_are_found_by_eligibility(identity, login):
    operator = login(OPERATOR)
    ready = volunteer(identity, operator, "柏可行", volunteer_number=f"V-LIST-{next(_serial)}",
                      registry_status="verified", screening="clear", health_declared=True,
                      training_hours_completed=8)
    not_yet = volunteer(identity, operator, "柏未成")
    assert ready["eligible"] and not not_yet["eligible"]
    assert ids(identity.list_volunteers(operator, {"q": "柏", "eligible": True})) == [
        ready["person_id"]]
    assert ids(identity.list_volunteers(operator, {"q": "柏", "eligible": False})) == [
        not_yet["person_id"]]
    found = identity.list_volunteers(operator, {"q": "柏可"})["items"][0]
    assert found["volunteer_number"] == ready["volunteer_number"] and found["eligible"] is True
