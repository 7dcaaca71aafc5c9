"""Volunteer eligibility facts, computed eligibility and its events, the registry import,
qualifications and their expiry (issue 3, items 4 and 5): in process, rolled back, at the
test clock; events read from the outbox."""
import base64
import datetime as dt
import itertools
import random
from pathlib import Path

import pytest

from identity.app import imports
from identity.commands.demo import demo_id_number
from timebank_common.clock import china_date
from timebank_common.errors import BadInput, Forbidden, NotFound, RuleViolation

PROVINCE_ADMIN, COUNTY_ADMIN, TOWNSHIP_ADMIN = "13800000001", "13800000003", "13800000004"
OPERATOR, AUDITOR, VOLUNTEER, ELDER = "13800000005", "13800000006", "13800000007", "13800000008"
YUCAI = "130102001001"
PASSWORD = "Volunteer@2026"
SAMPLE = Path(__file__).parent / "data" / "registry_sample.csv"
_serial = itertools.count(1)
_BLOCK = random.randrange(1000)
TRAINING = {"course": "老年人照护基础知识", "organiser": "长安区志愿服务联合会",
            "date": "2026-03-01", "hours": 5}


def register(identity, operator, **changes) -> dict:
    n = next(_serial)
    born = dt.date(1992, 1, 1) + dt.timedelta(days=n)
    data = {"name": "赵志愿", "id_number": demo_id_number(f"{born:%Y%m%d}", "815"),
            "phone": f"1366{_BLOCK:03d}{n:04d}", "region_code": YUCAI,
            "volunteer_number": f"VT{_BLOCK:03d}{n:04d}", "initial_password": PASSWORD,
            **changes}
    return {**identity.register_volunteer(operator, data), "phone": data["phone"]}


def codes(answer) -> list[str]:
    return [r["code"] for r in answer["reasons"]]


def of(events, event_type, person_id) -> list[dict]:
    """The payloads of ``event_type`` about ``person_id`` written in this test."""
    return [p for p in events(event_type) if p["person_id"] == person_id]


@pytest.fixture
def outsider(login):
    return {**login(COUNTY_ADMIN), "scope": "130104000000"}  # 桥西区, not 长安区


def test_eligibility_is_computed_and_its_changes_are_announced(identity, login, events):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    volunteer = register(identity, operator)
    assert codes(volunteer) == ["registry_unverified", "screening_unknown", "training_short",
                                "no_health_declaration"]
    answer = identity.eligibility(operator, volunteer["person_id"])
    assert answer["eligible"] is False and answer["training_hours"] == 0
    assert answer["required_hours"] == 8  # the province's demo default

    identity.set_registry_status(operator, volunteer["person_id"], {"status": "verified"})
    identity.set_screening(township, volunteer["person_id"], {"result": "clear", "note": "无记录"})
    me = login(volunteer["phone"], PASSWORD)
    answer = identity.declare_health(me, volunteer["person_id"], {"declaration": True})
    assert codes(answer) == ["training_short"] and answer["health_declared"] is True
    first = identity.record_training(operator, volunteer["person_id"], TRAINING)
    assert first["hours"] == 5 and first["eligibility"]["training_hours"] == 5
    assert codes(first["eligibility"]) == ["training_short"]
    assert of(events, "volunteer_eligible", volunteer["person_id"]) == []
    second = identity.record_training(operator, volunteer["person_id"],
                                      {**TRAINING, "hours": 3.5, "course": "急救"})
    assert second["eligibility"]["eligible"] is True
    assert identity.check_volunteer(volunteer["person_id"])["eligible"] is True
    assert of(events, "volunteer_eligible", volunteer["person_id"]) == [
        {"person_id": volunteer["person_id"], "region_code": YUCAI, "qualifications": []}]

    answer = identity.set_screening(township, volunteer["person_id"], {"result": "flagged"})
    assert codes(answer) == ["screening_flagged"]
    assert of(events, "volunteer_suspended", volunteer["person_id"]) == [{
        "person_id": volunteer["person_id"], "region_code": YUCAI,
        "reasons": ["screening_flagged"],
        "reason_texts": [{"code": "screening_flagged", "zh": "信用或违法记录审查未通过",
                          "en": "The credit and legal-record screening found a record"}]}]
    # no flip, no event
    identity.set_screening(township, volunteer["person_id"], {"result": "unknown"})
    assert len(of(events, "volunteer_suspended", volunteer["person_id"])) == 1


def test_registration_may_carry_the_attested_facts(identity, login):
    volunteer = register(identity, login(OPERATOR), registry_status="verified",
                         screening="clear", health_declared=True, training_hours_completed=8)
    assert volunteer["eligible"] is True and volunteer["reasons"] == []
    answer = identity.eligibility(login(AUDITOR), volunteer["person_id"])
    assert answer["training_hours"] == 8 and answer["registry_status"] == "verified"


def test_writes_need_staff_in_scope(identity, login, outsider):
    operator = login(OPERATOR)
    volunteer = register(identity, operator)
    other = register(identity, operator)
    vid = volunteer["person_id"]
    writes = [
        (identity.record_training, TRAINING),
        (identity.set_screening, {"result": "clear"}),
        (identity.set_registry_status, {"status": "verified"}),
        (identity.set_background_tags, {"tags": ["party_member"]}),
        (identity.declare_health, {"declaration": True}),
    ]
    for call, data in writes:
        with pytest.raises(Forbidden) as info:
            call(outsider, vid, data)
        assert info.value.code == "out_of_scope"
        for phone in (AUDITOR, ELDER):
            with pytest.raises(Forbidden) as info:
                call(login(phone), vid, data)
            assert info.value.code == "role_required"
        with pytest.raises(Forbidden) as info:
            call(login(other["phone"], PASSWORD), vid, data)
        assert info.value.code == "role_required"
        assert call(operator, vid, data)["person_id"] == vid
    own = identity.declare_health(login(volunteer["phone"], PASSWORD), vid, {"declaration": True})
    assert own["health_declared"] is True
    with pytest.raises(Forbidden) as info:
        identity.record_training(login(volunteer["phone"], PASSWORD), vid, TRAINING)
    assert info.value.code == "role_required"
    assert identity.eligibility(operator, vid)["background_tags"] == ["party_member"]
    with pytest.raises(BadInput):
        identity.set_background_tags(operator, vid, {"tags": ["millionaire"]})
    with pytest.raises(BadInput):
        identity.declare_health(operator, vid, {"declaration": False})
    with pytest.raises(RuleViolation) as info:
        identity.record_training(operator, vid, {**TRAINING, "date": "2099-01-01"})
    assert info.value.code == "training_in_future"
    with pytest.raises(NotFound) as info:
        identity.set_screening(operator, login(ELDER)["person_id"], {"result": "clear"})
    assert info.value.code == "volunteer_not_found"


def test_who_reads_eligibility(identity, login, outsider, demo):
    operator = login(OPERATOR)
    volunteer = register(identity, operator)
    vid = volunteer["person_id"]
    assert identity.eligibility(login(volunteer["phone"], PASSWORD), vid)["person_id"] == vid
    assert identity.eligibility(login(AUDITOR), vid)["eligible"] is False
    with pytest.raises(Forbidden) as info:
        identity.eligibility(outsider, vid)
    assert info.value.code == "out_of_scope"
    with pytest.raises(Forbidden) as info:
        identity.eligibility(login(VOLUNTEER), vid)
    assert info.value.code == "role_required"
    demo_volunteer = identity.eligibility(login(VOLUNTEER), demo["persons"]["volunteer"])
    assert demo_volunteer["eligible"] is True and demo_volunteer["training_hours"] >= 8


def test_registry_import_is_idempotent_and_reports_unknown_numbers(identity, login, identity_db,
                                                                   clock, events):
    operator = login(OPERATOR)
    facts = {"screening": "clear", "health_declared": True, "training_hours_completed": 8}
    first = register(identity, operator, volunteer_number="VREG-SAMPLE-001", **facts)
    second = register(identity, operator, volunteer_number="VREG-SAMPLE-002", **facts)
    third = register(identity, operator, volunteer_number="VREG-SAMPLE-003", **facts)
    def import_sample() -> tuple[dict, list]:
        job = identity.start_import(operator, {
            "kind": "registry_status", "file_name": SAMPLE.name,
            "content": base64.b64encode(SAMPLE.read_bytes()).decode()})
        while imports.run_next(identity_db, clock, "test") is not None:
            pass
        refused = identity.import_errors(operator, job["id"], {"page": 1, "page_size": 50})
        return identity.get_import(operator, job["id"]), [
            (r["line"], r["code"]) for r in refused["items"]]

    report, refused = import_sample()
    assert (report["updated"], report["unchanged"]) == (2, 0)
    assert refused == [(4, "unknown_volunteer_number"), (5, "invalid_status")]
    assert identity.eligibility(operator, first["person_id"])["eligible"] is True
    assert identity.eligibility(operator, second["person_id"])["registry_status"] == "rejected"
    assert identity.eligibility(operator, third["person_id"])["registry_status"] == "unverified"
    again, refused = import_sample()
    assert (again["updated"], again["unchanged"]) == (0, 2) and len(refused) == 2
    assert len(of(events, "volunteer_eligible", first["person_id"])) == 1
    assert of(events, "volunteer_eligible", second["person_id"]) == []


def test_qualifications_are_verified_by_another_staff_member(identity, login, outsider, clock):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    volunteer = register(identity, operator, registry_status="verified", screening="clear",
                         health_declared=True, training_hours_completed=8)
    vid = volunteer["person_id"]
    me = login(volunteer["phone"], PASSWORD)
    nurse = {"kind": "nurse", "number": "N-2026-0001", "issuer": "河北省卫生健康委员会",
             "valid_until": "2030-12-31"}
    added = identity.add_qualification(me, vid, nurse)
    assert added["status"] == "pending" and added["valid"] is False
    assert added["kind_name"] == {"zh": "护士", "en": "Nurse"}
    assert identity.check_volunteer(vid)["qualifications"] == []
    for caller, error, code in ((outsider, Forbidden, "out_of_scope"),
                                (login(AUDITOR), Forbidden, "role_required"),
                                (me, Forbidden, "role_required")):
        with pytest.raises(error) as info:
            identity.verify_qualification(caller, added["qualification_id"],
                                          {"decision": "verify"})
        assert info.value.code == code
    verified = identity.verify_qualification(operator, added["qualification_id"],
                                             {"decision": "verify"})
    assert verified["status"] == "verified" and verified["valid"] is True
    assert identity.check_volunteer(vid)["qualifications"] == ["nurse"]

    clock.advance(minutes=5)
    own = identity.add_qualification(operator, vid, {**nurse, "kind": "lawyer"})
    with pytest.raises(Forbidden) as info:
        identity.verify_qualification(operator, own["qualification_id"], {"decision": "verify"})
    assert info.value.code == "four_eyes"
    rejected = identity.verify_qualification(township, own["qualification_id"],
                                              {"decision": "reject", "reason": "证书无法核实"})
    assert rejected["status"] == "rejected"
    with pytest.raises(RuleViolation) as info:
        identity.add_qualification(me, vid, {**nurse, "valid_until": "2020-01-01"})
    assert info.value.code == "already_expired"
    with pytest.raises(Forbidden) as info:
        identity.add_qualification(outsider, vid, nurse)
    assert info.value.code == "out_of_scope"
    with pytest.raises(NotFound):
        identity.verify_qualification(operator, "not-an-id", {"decision": "verify"})

    listed = identity.list_qualifications(me, vid)["items"]
    assert [q["kind"] for q in listed] == ["nurse", "lawyer"]
    assert len(identity.list_qualifications(login(AUDITOR), vid)["items"]) == 2
    with pytest.raises(Forbidden) as info:
        identity.list_qualifications(outsider, vid)
    assert info.value.code == "out_of_scope"
    with pytest.raises(Forbidden) as info:
        identity.list_qualifications(login(VOLUNTEER), vid)
    assert info.value.code == "role_required"


def test_expired_qualifications_are_announced_once(identity, login, identity_db, clock, events):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    volunteer = register(identity, operator)
    vid = volunteer["person_id"]
    added = identity.add_qualification(operator, vid, {
        "kind": "physician", "number": "P-1", "issuer": "石家庄市卫生健康委员会",
        "valid_until": "2027-06-30"})
    identity.verify_qualification(township, added["qualification_id"], {"decision": "verify"})
    assert identity.check_volunteer(vid)["qualifications"] == ["physician"]
    clock.set(dt.datetime(2027, 7, 1, 2, tzinfo=dt.UTC))  # the certificate ran out yesterday
    assert identity.check_volunteer(vid)["qualifications"] == []
    assert added["qualification_id"] in identity.expire_qualifications()["expired"]
    assert added["qualification_id"] not in identity.expire_qualifications()["expired"]
    received = [p for p in events("qualification_expired")
                if p["qualification_id"] == added["qualification_id"]]
    assert received == [{
        "person_id": vid, "kind": "physician", "qualification_id": added["qualification_id"],
        "region_code": YUCAI}]
    listed = identity.list_qualifications(operator, vid)["items"][0]
    assert listed["expired_at"] and listed["valid"] is False


def test_matching_hears_of_verified_qualifications_and_can_page_eligible_volunteers(
        identity, login, events):
    """What matching's read model needs: the kinds on volunteer_eligible, an event when a
    qualification is verified, and a paged listing of eligible volunteers for a rebuild."""
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    volunteer = register(identity, operator, registry_status="verified", screening="clear",
                         health_declared=True, training_hours_completed=8)
    vid = volunteer["person_id"]
    added = identity.add_qualification(operator, vid, {
        "kind": "nurse", "number": "N-9", "issuer": "河北省卫生健康委员会",
        "valid_until": "2031-01-31"})
    identity.verify_qualification(township, added["qualification_id"], {"decision": "verify"})
    assert of(events, "qualification_verified", vid) == [{"person_id": vid, "kind": "nurse",
                         "qualification_id": added["qualification_id"],
                         "valid_until": "2031-01-31", "region_code": YUCAI}]

    seen, after = {}, None
    while True:
        page = identity.matching_volunteers(after, 2)
        assert len(page["items"]) <= 2
        seen.update({v["person_id"]: v for v in page["items"]})
        if page["next_after"] is None:
            break
        after = page["next_after"]
    assert seen[vid] == {"person_id": vid, "region_code": YUCAI, "qualifications": ["nurse"]}
    not_yet = register(identity, operator)
    assert not_yet["person_id"] not in {v["person_id"] for v in
                                        identity.matching_volunteers(None, 5000)["items"]}
    with pytest.raises(BadInput):
        identity.matching_volunteers(None, 0)


def test_notify_lists_qualifications_expiring_within_30_days(identity, login, clock):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    vid = register(identity, operator)["person_id"]
    soon = china_date(clock.now()) + dt.timedelta(days=20)
    added = identity.add_qualification(operator, vid, {
        "kind": "nurse", "number": "N-EXP-1", "issuer": "河北省卫生健康委员会",
        "valid_until": soon.isoformat()})
    assert added["qualification_id"] not in {
        q["qualification_id"] for q in identity.qualifications_expiring()["items"]}  # pending
    identity.verify_qualification(township, added["qualification_id"], {"decision": "verify"})
    found = {q["qualification_id"]: q for q in identity.qualifications_expiring()["items"]}
    assert found[added["qualification_id"]] == {
        "qualification_id": added["qualification_id"], "person_id": vid, "kind": "nurse",
        "kind_name": {"zh": "护士", "en": "Nurse"},
        "valid_until": soon.isoformat(), "region_code": found[added["qualification_id"]][
            "region_code"]}
    assert added["qualification_id"] not in {
        q["qualification_id"] for q in identity.qualifications_expiring(None, 10)["items"]}
