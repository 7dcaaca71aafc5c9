"""Priority elders (优先/困难老人): submit, four-eyes verification, the granted event, age."""
import itertools

import pytest

from identity.commands.demo import demo_id_number
from timebank_common.clock import china_date
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound, RuleViolation

PROVINCE_ADMIN, COUNTY_ADMIN, TOWNSHIP_ADMIN = "13800000001", "13800000003", "13800000004"
OPERATOR, AUDITOR, VOLUNTEER, ELDER = "13800000005", "13800000006", "13800000007", "13800000008"
YUCAI = "130102001001"
_serial = itertools.count(701)


def register_elder(identity, operator: dict, birth: str) -> dict:
    number = demo_id_number(birth, f"{next(_serial):03d}")
    return identity.register_elder(operator, {"name": "测试老人", "id_number": number,
                                              "region_code": YUCAI})


def test_submit_then_verify_by_another_staff_member_grants_the_category(identity, login, events):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    elder = register_elder(identity, operator, "19520304")
    record = identity.submit_priority(operator, elder["person_id"],
                                      {"category": "empty_nest", "evidence": " 独居情况核查表 2026-11 "})
    assert record["status"] == "pending" and record["evidence"] == "独居情况核查表 2026-11"
    assert record["submitted_by"] == operator["person_id"] and record["verified_by"] is None
    assert record["category_name"] == {"zh": "空巢", "en": "Empty-nest elder"}
    assert identity.get_elder(operator, elder["person_id"])["priority_categories"] == []

    verified = identity.verify_priority(township, elder["person_id"], "empty_nest",
                                        {"decision": "verify"})
    assert verified["status"] == "verified" and verified["verified_by"] == township["person_id"]
    assert verified["verified_at"]
    assert identity.get_elder(operator, elder["person_id"])["priority_categories"] == ["empty_nest"]
    received = events.envelopes("elder_priority_granted")
    assert len(received) == 1 and received[0]["region_code"] == YUCAI
    assert received[0]["payload"] == {"person_id": elder["person_id"], "category": "empty_nest",
                                      "region_code": YUCAI, "verified_by": township["person_id"]}
    with pytest.raises(Conflict) as info:
        identity.verify_priority(township, elder["person_id"], "empty_nest", {"decision": "verify"})
    assert info.value.code == "not_pending"
    with pytest.raises(Conflict) as info:
        identity.submit_priority(operator, elder["person_id"],
                                 {"category": "empty_nest", "evidence": "again"})
    assert info.value.code == "already_verified"


def test_the_submitter_may_not_verify_their_own_submission(identity, login):
    operator, county = login(OPERATOR), login(COUNTY_ADMIN)
    elder = register_elder(identity, operator, "19530405")
    identity.submit_priority(operator, elder["person_id"],
                             {"category": "economic_hardship", "evidence": "低保证 130102-0031"})
    with pytest.raises(Forbidden) as info:
        identity.verify_priority(operator, elder["person_id"], "economic_hardship",
                                 {"decision": "verify"})
    assert info.value.code == "four_eyes" and "提交人" in info.value.zh
    other = identity.verify_priority(county, elder["person_id"], "economic_hardship",
                                     {"decision": "verify"})
    assert other["status"] == "verified" and other["verified_by"] == county["person_id"]


def test_rejection_needs_a_reason_and_a_rejected_category_may_be_submitted_again(identity, login):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    elder = register_elder(identity, operator, "19540506")
    submit = {"category": "left_behind", "evidence": "子女外出务工证明"}
    identity.submit_priority(operator, elder["person_id"], submit)
    with pytest.raises(Conflict) as info:
        identity.submit_priority(operator, elder["person_id"], submit)
    assert info.value.code == "already_pending"
    with pytest.raises(BadInput) as info:
        identity.verify_priority(township, elder["person_id"], "left_behind", {"decision": "reject"})
    assert info.value.code == "reason_required"
    rejected = identity.verify_priority(township, elder["person_id"], "left_behind",
                                        {"decision": "reject", "reason": "证明未盖章"})
    assert rejected["status"] == "rejected" and rejected["reason"] == "证明未盖章"
    again = identity.submit_priority(operator, elder["person_id"],
                                     {**submit, "evidence": "盖章的证明"})
    assert again["status"] == "pending" and again["reason"] is None
    assert identity.get_elder(operator, elder["person_id"])["priority_categories"] == []


def test_advanced_age_is_refused_and_evidence_is_required(identity, login):
    operator = login(OPERATOR)
    elder = register_elder(identity, operator, "19550607")
    with pytest.raises(RuleViolation) as info:
        identity.submit_priority(operator, elder["person_id"],
                                 {"category": "advanced_age", "evidence": "身份证"})
    assert info.value.code == "derived_category"
    for evidence in ("", "   "):
        with pytest.raises(BadInput):
            identity.submit_priority(operator, elder["person_id"],
                                     {"category": "disability", "evidence": evidence})
    with pytest.raises(BadInput) as info:
        identity.submit_priority(operator, elder["person_id"], {"category": "disability"})
    assert "evidence" in info.value.details


def test_out_of_scope_and_non_staff_callers_are_refused(identity, login):
    operator = login(OPERATOR)
    elder = register_elder(identity, operator, "19560708")
    outsider = {**login(COUNTY_ADMIN), "scope": "130104000000"}  # 桥西区, not 长安区
    with pytest.raises(Forbidden) as info:
        identity.submit_priority(outsider, elder["person_id"],
                                 {"category": "disability", "evidence": "残疾证"})
    assert info.value.code == "out_of_scope"
    for phone in (AUDITOR, VOLUNTEER, ELDER):
        with pytest.raises(Forbidden) as info:
            identity.submit_priority(login(phone), elder["person_id"],
                                     {"category": "disability", "evidence": "残疾证"})
        assert info.value.code == "role_required"
    identity.submit_priority(operator, elder["person_id"],
                             {"category": "disability", "evidence": "残疾证"})
    with pytest.raises(Forbidden) as info:
        identity.verify_priority(outsider, elder["person_id"], "disability",
                                 {"decision": "verify"})
    assert info.value.code == "out_of_scope"
    with pytest.raises(NotFound) as info:
        identity.verify_priority(login(TOWNSHIP_ADMIN), elder["person_id"], "empty_nest",
                                 {"decision": "verify"})
    assert info.value.code == "priority_not_found"


def test_a_person_without_elder_profile_has_no_priority(identity, login, demo):
    with pytest.raises(NotFound) as info:
        identity.submit_priority(login(OPERATOR), demo["persons"]["volunteer"],
                                 {"category": "disability", "evidence": "残疾证"})
    assert info.value.code == "elder_not_found"


def test_advanced_age_is_derived_from_the_birth_date(identity, login, demo, clock):
    operator = login(OPERATOR)
    demo_elder = identity.get_elder(operator, demo["persons"]["elder"])  # 王桂兰, born 1948
    assert demo_elder["age"] < 80 and "advanced_age" not in demo_elder["priority_categories"]
    born = china_date(clock.now()).year - 85
    old = register_elder(identity, operator, f"{born}0101")
    assert old["age"] >= 80 and old["priority_categories"] == ["advanced_age"]
    assert identity.get_elder(operator, old["person_id"])["priority_categories"] == ["advanced_age"]


def test_priority_elders_lists_verified_and_aged_elders_of_a_region_only(identity, login):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    aged = register_elder(identity, operator, "19380101")["person_id"]  # 80+: advanced_age
    alone = register_elder(identity, operator, "19580101")["person_id"]
    pending = register_elder(identity, operator, "19590101")["person_id"]
    identity.submit_priority(operator, alone, {"category": "empty_nest", "evidence": "核查表"})
    identity.verify_priority(township, alone, "empty_nest", {"decision": "verify"})
    identity.submit_priority(operator, pending, {"category": "disability", "evidence": "残疾证"})
    found = {e["person_id"]: e for e in identity.priority_elders("130100000000")}
    assert found[aged]["categories"] == ["advanced_age"]
    assert found[alone] == {"person_id": alone, "region_code": YUCAI,
                            "categories": ["empty_nest"], "birth_date": "1958-01-01",
                            "phone_only": False}
    assert pending not in found  # not verified yet
    assert aged not in {e["person_id"] for e in identity.priority_elders("130200000000")}
    with pytest.raises(BadInput):
        identity.priority_elders("13")


def test_notify_reads_contact_details_and_each_phone_read_is_audited(identity, login):
    operator, auditor = login(OPERATOR), login(AUDITOR)
    number = demo_id_number("19400101", f"{next(_serial):03d}")
    elder = identity.register_elder(operator, {
        "name": "王秀英", "id_number": number, "region_code": YUCAI, "phone": "13912345678",
        "phone_only": True, "carrier_id": operator["carrier_id"]})
    unknown = "00000000-0000-0000-0000-000000000000"
    [found] = identity.contact_details([elder["person_id"], unknown])["items"]
    assert found == {"person_id": elder["person_id"], "name": "王秀英", "phone": "13912345678",
                     "region_code": YUCAI, "phone_only": True,
                     "carrier_id": operator["carrier_id"], "is_elder": True, "locale": "zh-CN"}
    entries = identity.query_audit(auditor, {"target_id": elder["person_id"],
                                             "action": "read_unmasked"})["items"]
    assert len(entries) == 1 and entries[0]["actor_person_id"] is None
    with pytest.raises(BadInput):
        identity.contact_details(["x" * 65])
    names = identity.person_names([elder["person_id"], unknown, "not-a-uuid"])["names"]
    assert names == {elder["person_id"]: "王秀英"}
    assert len(identity.query_audit(auditor, {"target_id": elder["person_id"],
                                              "action": "read_unmasked"})["items"]) == 1


def test_notify_finds_the_station_and_township_staff(identity, login):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    station = identity.station_staff(operator["carrier_id"], None)["items"]
    # the demo station: other modules of the session may have added operators to it
    assert (operator["person_id"], "station_operator") in {(s["person_id"], s["role"])
                                                           for s in station}
    assert {s["role"] for s in station} == {"station_operator"}
    both = identity.station_staff(operator["carrier_id"], township["scope"])["items"]
    assert {s["person_id"] for s in both} >= {operator["person_id"], township["person_id"]}
    assert identity.station_staff(None, None)["items"] == []
    with pytest.raises(BadInput):
        identity.station_staff("not-an-id", None)


def test_reporting_reads_the_names_of_regions_and_stations(identity, login):
    operator = login(OPERATOR)
    unknown = "00000000-0000-0000-0000-000000000000"
    names = identity.place_names(["130100000000", YUCAI, "139900000000"],
                                 [operator["carrier_id"], unknown, "not-a-uuid"])
    assert names["regions"]["130100000000"] == "石家庄市"
    assert set(names["regions"]) == {"130100000000", YUCAI}
    assert list(names["carriers"]) == [operator["carrier_id"]] and names["carriers"][
        operator["carrier_id"]]
    assert identity.place_names() == {"regions": {}, "carriers": {}}
    with pytest.raises(BadInput):
        identity.place_names(["13"], [])
