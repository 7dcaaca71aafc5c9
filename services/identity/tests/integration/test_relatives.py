"""Direct relatives (直系亲属): link, verify, read both ways, and the linked event."""
import itertools

import pytest

from identity.commands.demo import demo_id_number
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound, RuleViolation

TOWNSHIP_ADMIN, OPERATOR, AUDITOR = "13800000004", "13800000005", "13800000006"
VOLUNTEER, RELATIVE = "13800000007", "13800000009"
YUCAI = "130102001001"
_serial = itertools.count(801)


def register_person(identity, operator: dict, birth: str) -> str:
    number = demo_id_number(birth, f"{next(_serial):03d}")
    return identity.register_elder(operator, {"name": f"亲属{birth}", "id_number": number,
                                              "region_code": YUCAI})["person_id"]


def test_link_verify_and_read_both_ways_with_inverse_kinds(identity, login, events):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    grandmother = register_person(identity, operator, "19400102")
    grandson = register_person(identity, operator, "19620203")  # 60+, so registrable as elder
    link = identity.link_relatives(operator, {
        "person_id": grandmother, "relative_person_id": grandson, "kind": "grandchild",
        "evidence": "户口簿 户号 130102000123"})
    assert link["status"] == "pending" and link["kind"] == "grandchild"
    assert link["kind_name"]["zh"] == "孙子女、外孙子女"
    assert identity.are_direct_relatives(grandmother, grandson) == {"related": False,
                                                                    "kind": None}
    with pytest.raises(Forbidden) as info:
        identity.verify_relatives(operator, link["link_id"], {"decision": "verify"})
    assert info.value.code == "four_eyes"

    verified = identity.verify_relatives(township, link["link_id"], {"decision": "verify"})
    assert verified["status"] == "verified" and verified["verified_by"] == township["person_id"]
    assert identity.are_direct_relatives(grandmother, grandson) == {"related": True,
                                                                    "kind": "grandchild"}
    assert identity.are_direct_relatives(grandson, grandmother) == {"related": True,
                                                                    "kind": "grandparent"}
    seen_by_grandson = identity.list_relatives(operator, grandson)["items"]
    assert [(i["relative_person_id"], i["kind"], i["status"]) for i in seen_by_grandson] == [
        (grandmother, "grandparent", "verified")]
    assert seen_by_grandson[0]["relative_name"] == "亲属19400102"
    received = events.envelopes("relatives_linked")
    assert len(received) == 1 and received[0]["region_code"] == YUCAI
    assert received[0]["payload"] == {"link_id": link["link_id"], "person_id": grandmother,
                                      "relative_person_id": grandson, "kind": "grandchild",
                                      "region_code": YUCAI}
    with pytest.raises(Conflict) as info:
        identity.link_relatives(operator, {"person_id": grandson, "relative_person_id": grandmother,
                                           "kind": "grandparent", "evidence": "again"})
    assert info.value.code == "already_linked"


def test_self_link_unknown_person_and_bad_kind_are_refused(identity, login):
    operator = login(OPERATOR)
    person = register_person(identity, operator, "19500304")
    with pytest.raises(RuleViolation) as info:
        identity.link_relatives(operator, {"person_id": person, "relative_person_id": person,
                                           "kind": "spouse", "evidence": "结婚证"})
    assert info.value.code == "self_link"
    with pytest.raises(NotFound):
        identity.link_relatives(operator, {
            "person_id": person, "relative_person_id": "00000000-0000-0000-0000-000000000001",
            "kind": "spouse", "evidence": "结婚证"})
    with pytest.raises(BadInput):
        identity.link_relatives(operator, {"person_id": person, "relative_person_id": person,
                                           "kind": "cousin", "evidence": "x"})


def test_a_person_links_themself_pending_and_staff_in_scope_decide(identity, login, demo):
    relative, operator, township = login(RELATIVE), login(OPERATOR), login(TOWNSHIP_ADMIN)
    mother = register_person(identity, operator, "19480405")
    link = identity.link_relatives(relative, {
        "person_id": relative["person_id"], "relative_person_id": mother, "kind": "parent",
        "evidence": "出生医学证明 编号 A130102"})
    assert link["status"] == "pending" and link["submitted_by"] == relative["person_id"]
    mine = identity.list_relatives(relative, relative["person_id"])["items"]
    assert link["link_id"] in [i["link_id"] for i in mine]
    with pytest.raises(Forbidden):  # a person only links themself, and never verifies
        identity.verify_relatives(relative, link["link_id"], {"decision": "verify"})
    with pytest.raises(Forbidden):
        identity.link_relatives(relative, {"person_id": mother,
                                           "relative_person_id": demo["persons"]["volunteer"],
                                           "kind": "child", "evidence": "x"})
    with pytest.raises(Forbidden):
        identity.list_relatives(login(VOLUNTEER), mother)
    outsider = {**township, "scope": "130104001000"}
    with pytest.raises(Forbidden) as info:
        identity.verify_relatives(outsider, link["link_id"], {"decision": "verify"})
    assert info.value.code == "out_of_scope"
    assert identity.list_relatives(login(AUDITOR), mother)["items"][0]["kind"] == "child"
    rejected = identity.verify_relatives(operator, link["link_id"],
                                         {"decision": "reject", "reason": "证明姓名不符"})
    assert rejected["status"] == "rejected"
    assert identity.are_direct_relatives(relative["person_id"], mother)["related"] is False
    with pytest.raises(NotFound):
        identity.verify_relatives(operator, "not-a-link", {"decision": "verify"})


def test_nobody_verifies_a_link_they_are_part_of_not_even_a_county_admin(identity, login):
    county, province = login("13800000003"), login("13800000001")
    mother = register_person(identity, login(OPERATOR), "19500304")
    link = identity.link_relatives(county, {"person_id": county["person_id"],
                                            "relative_person_id": mother, "kind": "parent",
                                            "evidence": "户口簿"})
    with pytest.raises(Forbidden) as info:
        identity.verify_relatives(county, link["link_id"], {"decision": "verify"})
    assert info.value.code == "own_record"
    assert identity.verify_relatives(province, link["link_id"],
                                     {"decision": "verify"})["status"] == "verified"
