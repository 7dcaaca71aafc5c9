"""Correcting people (PATCH) and their standing (left, withdrew, deceased, back)."""
import itertools

import pytest

from identity.adapters.regions import load_regions
from identity.commands.demo import DEMO_PASSWORD, demo_id_number
from timebank_common.errors import (
    BadInput,
    Conflict,
    Forbidden,
    NotFound,
    Unauthenticated,
)

CITY_ADMIN, COUNTY_ADMIN, TOWNSHIP_ADMIN = "13800000002", "13800000003", "13800000004"
OPERATOR, AUDITOR, ELDER = "13800000005", "13800000006", "13800000008"
YUCAI, QIAOXI_COMMUNITY = "130102001001", "130104001001"
_serial = itertools.count(501)
PASSWORD = "Elder@2026x"


def new_elder(identity, caller, **changes):
    n = next(_serial)
    data = {"name": "更正老人", "id_number": demo_id_number("19480101", f"{n:03d}"),
            "phone": f"1394444{n:04d}", "region_code": YUCAI, "address": "育才街1号",
            "initial_password": PASSWORD, **changes}
    return {**identity.register_elder(caller, data), "phone": data["phone"]}


def new_volunteer(identity, caller, **changes):
    n = next(_serial)
    data = {"name": "更正志愿者", "id_number": demo_id_number("19960606", f"{n:03d}"),
            "phone": f"1395555{n:04d}", "region_code": YUCAI,
            "initial_password": "Volunteer@2026", **changes}
    return {**identity.register_volunteer(caller, data), "phone": data["phone"]}


def audit_of(identity, caller, person_id, action):
    page = identity.query_audit(caller, {"action": action, "page_size": 100})
    return [e for e in page["items"] if e["target_id"] == person_id]


# -- corrections ------------------------------------------------------------------------------
def test_a_station_corrects_an_elders_phone_and_the_login_follows(identity, login):
    operator = login(OPERATOR)
    elder = new_elder(identity, operator)
    new_phone = f"1396666{next(_serial):04d}"
    view = identity.update_elder(operator, elder["person_id"], {
        "phone": new_phone, "address": "育才街2号", "emergency_contact_name": "王志刚",
        "emergency_contact_phone": "13800000009", "phone_only": True,
        "longitude": 114.54, "latitude": 38.06})
    assert view["phone_masked"] == new_phone[:3] + "****" + new_phone[-4:]
    assert view["phone_only"] is True and view["longitude"] == pytest.approx(114.54)
    assert identity.get_elder(operator, elder["person_id"], unmasked=True)["address"] == "育才街2号"
    assert login(new_phone, PASSWORD)["person_id"] == elder["person_id"]
    with pytest.raises(Unauthenticated):
        login(elder["phone"], PASSWORD)
    [entry] = audit_of(identity, login(TOWNSHIP_ADMIN), elder["person_id"], "update_elder")
    assert entry["before"]["phone"] == elder["phone"][:3] + "****" + elder["phone"][-4:]
    assert entry["after"]["phone"].count("*") == 4 and entry["after"]["address"] != "育才街2号"
    assert elder["phone"] not in str(entry) and new_phone not in str(entry)


def test_a_phone_stays_unique_and_nothing_or_unknown_fields_are_refused(identity, login):
    operator = login(OPERATOR)
    elder, other = new_elder(identity, operator), new_elder(identity, operator)
    with pytest.raises(Conflict) as info:
        identity.update_elder(operator, elder["person_id"], {"phone": other["phone"]})
    assert info.value.code == "phone_in_use"
    with pytest.raises(BadInput):
        identity.update_elder(operator, elder["person_id"], {})
    with pytest.raises(BadInput):
        identity.update_elder(operator, elder["person_id"], {"name": "改名"})
    with pytest.raises(BadInput):
        identity.update_elder(operator, elder["person_id"], {"longitude": 114.5})


def test_adding_a_national_number_later_makes_the_volunteer_eligible(identity, login, events):
    operator = login(OPERATOR)
    volunteer = new_volunteer(identity, operator, registry_status="verified",
                              screening="clear", health_declared=True,
                              training_hours_completed=8)
    assert [r["code"] for r in volunteer["reasons"]] == ["no_volunteer_number"]
    assert events("volunteer_eligible") == []
    number = f"V-FIX-{next(_serial)}"
    view = identity.update_volunteer(operator, volunteer["person_id"],
                                     {"volunteer_number": number})
    assert view["eligible"] is True and view["volunteer_number"] == number
    [eligible] = events("volunteer_eligible")
    assert eligible["person_id"] == volunteer["person_id"]
    other = new_volunteer(identity, operator)
    with pytest.raises(Conflict) as info:
        identity.update_volunteer(operator, other["person_id"], {"volunteer_number": number})
    assert info.value.code == "volunteer_number_in_use"
    [entry] = audit_of(identity, login(TOWNSHIP_ADMIN), volunteer["person_id"],
                       "update_volunteer")
    assert entry["before"] == {"volunteer_number": None}
    assert entry["after"] == {"volunteer_number": number}


def test_a_person_corrects_their_address_but_not_their_phone(identity, login):
    operator = login(OPERATOR)
    volunteer = new_volunteer(identity, operator)
    own = login(volunteer["phone"], "Volunteer@2026")
    identity.update_volunteer(own, volunteer["person_id"], {"address": "新家"})
    for change in ({"phone": "13977777777"}, {"volunteer_number": "V-SELF"}):
        with pytest.raises(Forbidden) as info:
            identity.update_volunteer(own, volunteer["person_id"], change)
        assert info.value.code == "staff_only_field"
    elder = new_elder(identity, operator)
    with pytest.raises(Forbidden) as info:  # another person is not theirs to correct
        identity.update_elder(own, elder["person_id"], {"address": "x"})
    assert info.value.code == "role_required"
    with pytest.raises(Forbidden):
        identity.update_elder(login(AUDITOR), elder["person_id"], {"address": "x"})


def test_out_of_scope_answers_like_an_unknown_person(identity, login, identity_db):
    with identity_db() as uow:
        load_regions(uow, [
            {"code": "130104001000", "name": "振头街道", "level": "township",
             "parent_code": "130104000000"},
            {"code": QIAOXI_COMMUNITY, "name": "振头一街社区居委会", "level": "community",
             "parent_code": "130104001000"}])
        uow.commit()
    elder = new_elder(identity, login(CITY_ADMIN), region_code=QIAOXI_COMMUNITY)
    operator = login(OPERATOR)
    for person_id in (elder["person_id"], "00000000-0000-0000-0000-000000000000"):
        with pytest.raises(NotFound) as info:
            identity.update_elder(operator, person_id, {"address": "x"})
        assert info.value.code == "person_not_found"
        with pytest.raises(NotFound) as info:
            identity.set_person_status(operator, person_id, {"status": "left", "reason": "x"})
        assert info.value.code == "person_not_found"


# -- standing ---------------------------------------------------------------------------------
def test_a_volunteer_who_withdraws_cannot_log_in_and_is_suspended(identity, login, events):
    operator = login(OPERATOR)
    volunteer = new_volunteer(identity, operator, volunteer_number=f"V-ST-{next(_serial)}",
                              registry_status="verified", screening="clear",
                              health_declared=True, training_hours_completed=8)
    assert volunteer["eligible"]
    own = login(volunteer["phone"], "Volunteer@2026")
    township = login(TOWNSHIP_ADMIN)
    eligible_before = identity.identity_stats(township, YUCAI)["volunteers"]["eligible"]
    with pytest.raises(BadInput):
        identity.set_person_status(operator, volunteer["person_id"], {"status": "withdrew"})
    changed = identity.set_person_status(operator, volunteer["person_id"],
                                         {"status": "withdrew", "reason": "本人申请退出"})
    assert changed["status"] == "withdrew" and changed["previous_status"] == "active"
    [payload] = events("person_status_changed")
    assert payload["status"] == "withdrew" and payload["reason"] == "本人申请退出"
    assert payload["profiles"] == ["volunteer"] and payload["changed_by"] == operator["person_id"]
    [suspended] = events("volunteer_suspended")
    assert suspended["reasons"] == ["not_active"]
    [revoked] = events("tokens_revoked")
    assert revoked["person_id"] == volunteer["person_id"]
    assert revoked["reason"] == "account_disabled"
    with pytest.raises(Forbidden) as info:
        login(volunteer["phone"], "Volunteer@2026")
    assert info.value.code == "account_inactive"
    assert identity.eligibility(own, volunteer["person_id"])["eligible"] is False
    assert identity.identity_stats(township, YUCAI)["volunteers"]["eligible"] == \
        eligible_before - 1
    assert volunteer["person_id"] not in [i["person_id"] for i in identity.list_volunteers(
        operator, {"q": "更正志愿者", "page_size": 100})["items"]]
    assert volunteer["person_id"] in [i["person_id"] for i in identity.list_volunteers(
        operator, {"q": "更正志愿者", "status": "withdrew", "page_size": 100})["items"]]
    # back: no reason needed, eligible again, logs in again
    back = identity.set_person_status(operator, volunteer["person_id"], {"status": "active"})
    assert back["status"] == "active" and back["reason"] is None
    assert len(events("volunteer_eligible")) == 2
    assert login(volunteer["phone"], "Volunteer@2026")["person_id"] == volunteer["person_id"]
    with pytest.raises(Conflict) as info:
        identity.set_person_status(operator, volunteer["person_id"], {"status": "active"})
    assert info.value.code == "same_status"


def test_nobody_acts_for_a_deceased_elder_and_only_a_county_corrects_it(identity, login):
    operator = login(OPERATOR)
    elder = new_elder(identity, operator,
                      id_number=demo_id_number("19400101", f"{next(_serial):03d}"))
    relative = new_volunteer(identity, operator)
    in_pool = {e["person_id"] for e in identity.priority_elders(YUCAI)}
    assert elder["person_id"] in in_pool  # 高龄
    link = identity.link_relatives(operator, {
        "person_id": elder["person_id"], "relative_person_id": relative["person_id"],
        "kind": "child", "evidence": "户口簿"})
    identity.verify_relatives(login(TOWNSHIP_ADMIN), link["link_id"], {"decision": "verify"})
    identity.set_elder_proxy(operator, elder["person_id"],
                             {"proxy_person_id": relative["person_id"]})
    assert identity.may_act_for(relative["person_id"], elder["person_id"]) is True
    identity.set_person_status(operator, elder["person_id"],
                               {"status": "deceased", "reason": "家属告知，死亡证明编号 123"})
    assert identity.may_act_for(relative["person_id"], elder["person_id"]) is False
    assert identity.may_act_for(operator["person_id"], elder["person_id"]) is False
    assert identity.elders_acted_for(relative["person_id"]) == []
    assert elder["person_id"] not in {e["person_id"] for e in identity.priority_elders(YUCAI)}
    assert identity.person_standing([elder["person_id"]])["items"][0]["status"] == "deceased"
    with pytest.raises(Forbidden) as info:
        identity.set_person_status(operator, elder["person_id"],
                                   {"status": "active", "reason": "登记错误"})
    assert info.value.code == "deceased_final"
    with pytest.raises(BadInput):  # a correction of a death carries a reason
        identity.set_person_status(login(COUNTY_ADMIN), elder["person_id"], {"status": "active"})
    identity.set_person_status(login(COUNTY_ADMIN), elder["person_id"],
                               {"status": "active", "reason": "登记错误，本人健在"})
    assert identity.may_act_for(relative["person_id"], elder["person_id"]) is True


def test_the_demo_elder_still_logs_in(login):
    assert login(ELDER, DEMO_PASSWORD)["roles"] == ["elder"]
