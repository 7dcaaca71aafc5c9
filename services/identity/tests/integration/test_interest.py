"""Interest in volunteering (我要当志愿者, issue 14): registered without a login, one open
registration per mobile and community, the phone sealed like every phone, the station's list
(masked) and follow-up (audited). In process, rolled back, at the test clock."""
import datetime as dt
import itertools
import random

import pytest
from sqlalchemy import select

from identity.adapters.personal_data import phone_digest
from identity.adapters.tables import audit_log, volunteer_interest
from identity.commands.demo import demo_id_number
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound, RuleViolation

TOWNSHIP_ADMIN, OPERATOR = "13800000004", "13800000005"
VOLUNTEER, TANGSHAN_OPERATOR = "13800000007", "13800000010"
YUCAI, JIANBEI = "130102001001", "130102001000"
_serial = itertools.count(1)
_BLOCK = random.randrange(1000)


def phone() -> str:
    return f"1351{_BLOCK:03d}{next(_serial):04d}"


def form(**changes) -> dict:
    return {"name": "张晓明", "phone": phone(), "region_code": YUCAI,
            "skills": "会理发、会用智能手机", "notes": "周末有空", **changes}


def test_a_resident_registers_and_learns_what_eligibility_needs(identity, identity_db, clock):
    data = form()
    receipt = identity.register_interest(data)
    assert receipt["created"] is True and receipt["status"] == "new"
    assert receipt["reference"].startswith(f"ZY{clock.now().astimezone(dt.timezone(dt.timedelta(hours=8))):%Y%m%d}-")
    assert receipt["region_code"] == YUCAI and receipt["region_name"]
    # the demo's training policy (8 hours) and every condition of eligibility, in its order
    assert receipt["required_training_hours"] == 8
    assert [n["code"] for n in receipt["needs"]] == [
        "under_age", "no_volunteer_number", "registry_unverified", "screening_unknown",
        "training_short", "no_health_declaration"]
    assert receipt["needs"][4]["zh"] == "完成8小时培训"
    assert all(n["zh"] and n["en"] for n in receipt["needs"])

    with identity_db() as uow:  # the phone is sealed, and found by its keyed hash
        row = uow.execute(select(volunteer_interest).where(
            volunteer_interest.c.reference == receipt["reference"])).mappings().one()
    assert data["phone"] not in str(dict(row)) and row["phone_hash"] == phone_digest(data["phone"])


def test_the_same_mobile_in_the_same_community_answers_the_open_registration(identity):
    data = form()
    first = identity.register_interest(data)
    again = identity.register_interest({**data, "name": "张晓明 ", "skills": None})
    assert again["created"] is False and again["reference"] == first["reference"]
    elsewhere = identity.register_interest({**data, "region_code": "130203001001"})
    assert elsewhere["created"] is True and elsewhere["reference"] != first["reference"]


def test_a_closed_registration_lets_the_resident_register_again(identity, login):
    operator = login(OPERATOR)
    data = form()
    first = identity.register_interest(data)
    [item] = [i for i in identity.list_interest(operator, {"page": 1, "page_size": 100})["items"]
              if i["reference"] == first["reference"]]
    identity.set_interest_status(operator, item["interest_id"],
                                 {"status": "declined", "note": "暂时不便"})
    again = identity.register_interest(data)
    assert again["created"] is True and again["reference"] != first["reference"]


@pytest.mark.parametrize("region, code", [(JIANBEI, "not_a_community"),
                                          ("110101001001", "not_in_province"),
                                          ("130102001999", "not_a_community")])
def test_the_community_is_one_of_the_province(identity, region, code):
    with pytest.raises(BadInput) as info:
        identity.register_interest(form(region_code=region))
    assert info.value.code == code and info.value.zh and info.value.en


def test_bad_input_is_refused_field_by_field(identity):
    with pytest.raises(BadInput) as info:
        identity.register_interest({"name": "", "phone": "12345", "region_code": "13"})
    assert set(info.value.details) == {"name", "phone", "region_code"}


def find(identity, caller, reference, **query):
    page = identity.list_interest(caller, {"page": 1, "page_size": 100, **query})
    return [i for i in page["items"] if i["reference"] == reference]


def new_volunteer(identity, operator) -> str:
    n = next(_serial)
    return identity.register_volunteer(operator, {
        "name": "张晓明", "id_number": demo_id_number("19950101", f"{n % 1000:03d}"),
        "phone": phone(), "region_code": YUCAI,
        "initial_password": "Volunteer@2026"})["person_id"]


def test_the_station_follows_up_contacted_then_registered(identity, identity_db, login):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    data = form()
    receipt = identity.register_interest(data)
    [item] = find(identity, operator, receipt["reference"], status="new")
    assert item["phone_masked"] == data["phone"][:3] + "****" + data["phone"][-4:]
    assert "phone" not in item and item["skills"] == data["skills"]
    assert item["status"] == "new" and item["person_id"] is None
    iid = item["interest_id"]

    contacted = identity.set_interest_status(operator, iid, {"status": "contacted",
                                                             "note": "已电话联系"})
    assert contacted["status"] == "contacted" and contacted["status_note"] == "已电话联系"
    assert contacted["status_changed_by"] == operator["person_id"]
    assert find(identity, operator, receipt["reference"], status="new") == []
    with pytest.raises(Conflict) as info:
        identity.set_interest_status(operator, iid, {"status": "contacted"})
    assert info.value.code == "same_status"
    with pytest.raises(BadInput) as info:
        identity.set_interest_status(operator, iid, {"status": "registered"})
    assert info.value.code == "person_required"
    with pytest.raises(RuleViolation) as info:  # an elder is not a volunteer
        identity.set_interest_status(operator, iid, {
            "status": "registered", "person_id": login("13800000008")["person_id"]})
    assert info.value.code == "not_a_volunteer"

    unmasked = identity.get_interest(township, iid, True)
    assert unmasked["phone"] == data["phone"]
    volunteer = new_volunteer(identity, operator)
    done = identity.set_interest_status(operator, iid, {"status": "registered",
                                                        "person_id": volunteer})
    assert done["status"] == "registered" and done["person_id"] == volunteer
    with pytest.raises(Conflict) as info:
        identity.set_interest_status(operator, iid, {"status": "declined"})
    assert info.value.code == "interest_closed"

    with identity_db() as uow:
        actions = [(r["action"], r["actor_person_id"]) for r in uow.execute(
            select(audit_log).where(audit_log.c.target_id == iid)
            .order_by(audit_log.c.id)).mappings()]
    assert [a for a, _ in actions] == ["set_interest_status", "read_unmasked",
                                       "set_interest_status"]


def test_only_staff_in_scope_see_and_follow_up(identity, login):
    receipt = identity.register_interest(form())
    [item] = find(identity, login(OPERATOR), receipt["reference"])
    tangshan = login(TANGSHAN_OPERATOR)
    assert find(identity, tangshan, receipt["reference"]) == []
    with pytest.raises(NotFound) as info:
        identity.set_interest_status(tangshan, item["interest_id"], {"status": "contacted"})
    assert info.value.code == "interest_not_found"
    with pytest.raises(NotFound):
        identity.get_interest(tangshan, item["interest_id"], False)
    with pytest.raises(Forbidden) as info:
        identity.list_interest(login(VOLUNTEER), {"page": 1, "page_size": 20})
    assert info.value.code == "role_required"
    with pytest.raises(Forbidden) as info:
        identity.list_interest(tangshan, {"page": 1, "page_size": 20, "region": YUCAI})
    assert info.value.code == "out_of_scope"
    with pytest.raises(NotFound):
        identity.get_interest(login(OPERATOR), "not-an-id", False)
