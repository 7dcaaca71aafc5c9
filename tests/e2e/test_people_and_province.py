"""Issue 13's "done when", each through the gateway on the real platform (every service a
process, real RabbitMQ and PostgreSQL): a station finds and corrects people, a volunteer moves
from 石家庄 to 唐山 with their hours, a 唐山 relative receives a gift that 唐山's staff see, an
80-year-old elder is granted hours with no staff action, and an unrecorded service escalates
to the station. (A backdated check-in: ``test_evidence_and_funding.py``.)"""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
from timebank_testing import free_port

from first_path import new_person_numbers, wait_for
from journey_steps import ELIGIBLE, PASSWORD, STATION_REGION, Staff, earned_years_ago

SHIJIAZHUANG, TANGSHAN = "130100000000", "130200000000"
QIAOTUN_COMMUNITY = "130203001001"  # 唐山市路北区乔屯社区: the demo's 唐山 station


@pytest.fixture(scope="module")
def staff(platform, demo_accounts):
    from platform_fixtures import Api

    api = Api(platform.url("gateway"))
    people = Staff(api, demo_accounts)
    people.province = api.login(demo_accounts["province_admin"]["phone"], "Demo@2026")
    from identity.commands.demo import TANGSHAN_ACCOUNTS

    tangshan = {a["role"]: a for a in TANGSHAN_ACCOUNTS}
    people.tangshan = api.login(tangshan["station_operator"]["phone"], "Demo@2026")
    return people


def register_volunteer(api, token, region, name, birth="19920512", sex="male",
                       number=True) -> dict:
    id_number, phone = new_person_numbers(birth, sex)
    body = {"name": name, "id_number": id_number, "phone": phone, "region_code": region,
            "initial_password": PASSWORD, **ELIGIBLE}
    if number:
        body["volunteer_number"] = f"V{phone}"
    volunteer = api.call("POST", "/api/v1/volunteers", body, token=token, expect=201).json()
    volunteer["phone"] = phone
    return volunteer


def register_elder(api, token, name, birth="19460308", address="石家庄市长安区育才街18号") -> dict:
    id_number, phone = new_person_numbers(birth, "female")
    elder = api.call("POST", "/api/v1/elders", {
        "name": name, "id_number": id_number, "phone": phone, "address": address,
        "region_code": STATION_REGION, "phone_only": True}, token=token, expect=201).json()
    elder["phone"] = phone
    return elder


def account(api, token, person_id):
    return api.call("GET", f"/api/v1/accounts/{person_id}", token=token)


def test_a_station_finds_an_elder_by_phone_corrects_the_address_and_completes_a_volunteer(
        api, staff):
    elder = register_elder(api, staff.operator, "孙秀兰")
    found = api.call("GET", f"/api/v1/elders?phone={elder['phone']}", token=staff.operator,
                     expect=200).json()
    assert [e["person_id"] for e in found["items"]] == [elder["person_id"]]
    assert "phone" not in found["items"][0]  # lists are masked

    api.call("PATCH", f"/api/v1/elders/{elder['person_id']}",
             {"address": "石家庄市长安区育才街20号2单元301"}, token=staff.operator, expect=200)
    shown = api.call("GET", f"/api/v1/elders/{elder['person_id']}?unmasked=true",
                     token=staff.operator, expect=200).json()
    assert shown["address"] == "石家庄市长安区育才街20号2单元301"

    volunteer = register_volunteer(api, staff.operator, STATION_REGION, "高志远", number=False)
    assert volunteer["eligible"] is False
    missing = api.call("GET", f"/api/v1/volunteers/{volunteer['person_id']}/eligibility",
                       token=staff.operator, expect=200).json()
    assert missing["eligible"] is False and missing["reasons"]
    api.call("PATCH", f"/api/v1/volunteers/{volunteer['person_id']}",
             {"volunteer_number": f"V{volunteer['phone']}"}, token=staff.operator, expect=200)
    now = api.call("GET", f"/api/v1/volunteers/{volunteer['person_id']}/eligibility",
                   token=staff.operator, expect=200).json()
    assert now["eligible"] is True, now["reasons"]
    listed = api.call("GET", f"/api/v1/volunteers?phone={volunteer['phone']}&eligible=true",
                      token=staff.operator, expect=200).json()
    assert [v["person_id"] for v in listed["items"]] == [volunteer["person_id"]]


def test_a_volunteer_moves_to_tangshan_with_their_hours_and_a_tangshan_relative_receives_a_gift(
        platform, api, staff):
    volunteer = register_volunteer(api, staff.operator, STATION_REGION, "韩立新")
    earned_years_ago(platform, volunteer["person_id"], 120)
    assert account(api, staff.operator, volunteer["person_id"]).json()["earned_minutes"] == 120
    assert account(api, staff.tangshan, volunteer["person_id"]).status_code == 404

    api.call("POST", f"/api/v1/volunteers/{volunteer['person_id']}/move",
             {"to_region_code": QIAOTUN_COMMUNITY, "reason": "随子女迁居唐山"},
             token=staff.township, expect=200)
    moved = wait_for(lambda: account(api, staff.tangshan, volunteer["person_id"]),
                     lambda r: r.status_code == 200, timeout=60).json()
    assert moved["earned_minutes"] == 120  # the hours came along
    assert account(api, staff.operator, volunteer["person_id"]).status_code == 404
    for token in (staff.tangshan, staff.township):  # both sides see the trace
        moves = api.call("GET", "/api/v1/moves", token=token, expect=200).json()["items"]
        [move] = [m for m in moves if m["person_id"] == volunteer["person_id"]]
        assert (move["from_region_code"], move["to_region_code"]) == \
            (STATION_REGION, QIAOTUN_COMMUNITY)

    mother = register_volunteer(api, staff.tangshan, QIAOTUN_COMMUNITY, "韩母",
                                birth="19620304", sex="female")
    link = api.call("POST", "/api/v1/relations", {
        "person_id": volunteer["person_id"], "relative_person_id": mother["person_id"],
        "kind": "parent", "evidence": "户口簿 户号 130203000123"},
        token=staff.tangshan, expect=201).json()
    api.call("POST", f"/api/v1/relations/{link['link_id']}/verify", {"decision": "verify"},
             token=staff.province, expect=200)
    token = api.login(volunteer["phone"], PASSWORD)
    gift = api.call("POST", "/api/v1/transfers", {
        "kind": "gift_to_relative", "to_person_id": mother["person_id"], "minutes": 30,
        "note": "给妈妈"}, token=token, headers={"Idempotency-Key": uuid.uuid4().hex},
        expect=201).json()
    assert gift["status"] == "posted"
    seen = account(api, staff.tangshan, mother["person_id"])
    assert seen.status_code == 200 and seen.json()["earned_minutes"] == 30
    assert account(api, staff.operator, mother["person_id"]).status_code == 404

    report = api.call("GET", "/api/v1/stats/interchange", token=staff.province,
                      expect=200).json()
    assert report["reconciles"] is True
    pairs = {(p["from_unit"], p["to_unit"]): p for p in report["pairs"]}
    assert pairs[(SHIJIAZHUANG, TANGSHAN)]["by_kind"].get("move", 0) >= 120


def test_an_eighty_year_old_is_granted_hours_with_no_staff_action(api, staff):
    elder = register_elder(api, staff.operator, "秦老太", birth="19420105")
    assert "advanced_age" in elder["priority_categories"]
    granted = wait_for(lambda: account(api, staff.operator, elder["person_id"]),
                       lambda r: r.status_code == 200 and r.json()["grant_minutes"] > 0,
                       timeout=60).json()
    policy = api.call("GET", f"/api/v1/policies?region_code={STATION_REGION}",
                      token=staff.operator)
    assert granted["grant_minutes"] > 0, (granted, policy.text)


def serve_until_checked_out(api, staff, name, check_in_body) -> tuple[dict, dict, str]:
    elder = register_elder(api, staff.operator, f"{name}老人")
    volunteer = register_volunteer(api, staff.operator, STATION_REGION, name)
    token = api.login(volunteer["phone"], PASSWORD)
    now = dt.datetime.now(dt.UTC)
    demand = api.call("POST", "/api/v1/demands", {
        "elder_id": elder["person_id"], "category": "emotional_comfort",
        "description": "陪老人聊天、读报", "address": "育才街18号",
        "location": {"lat": 38.05, "lng": 114.52},
        "window_start": (now + dt.timedelta(minutes=1)).isoformat(),
        "window_end": (now + dt.timedelta(hours=2)).isoformat(),
        "expected_minutes": 60, "volunteers_needed": 1, "channel": "phone",
        "funding_source": "issuance"}, token=staff.operator, expect=201).json()
    demand_id = demand["demand_id"]
    api.call("POST", f"/api/v1/demands/{demand_id}/review", {"decision": "approve"},
             token=staff.operator, expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/claim", token=token, expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/check-in", check_in_body, token=token,
             expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/check-out", {"lat": 38.05, "lng": 114.52},
             token=token, expect=200)
    return elder, volunteer, demand_id


def test_a_service_not_recorded_in_time_is_reported_to_the_station(platform, api, staff):
    _, _, demand_id = serve_until_checked_out(api, staff, "孔德明", {"lat": 38.05, "lng": 114.52})
    # a second demand process living a day and an hour later (the province's default limit is
    # 24 hours after check-out) looks for unrecorded services every second
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)
    platform.ports["demand-later"] = port = free_port()
    platform.start("demand", key="demand-later", extra_env={
        "DEMAND_HTTP": f"127.0.0.1:{port}", "DEMAND_CLOCK_START": later.isoformat(),
        "DEMAND_RECORDING_OVERDUE_CHECK_SECONDS": "1"})
    try:
        platform.wait_healthy(["demand-later"])

        def inbox():
            return api.call("GET", "/api/v1/inbox?page_size=100", token=staff.operator,
                            expect=200).json()["items"]

        def overdue():
            return [m for m in inbox() if m["kind"] == "recording_overdue"
                    and m["data"].get("demand_id") == demand_id]

        [notice] = wait_for(overdue, bool, timeout=60)  # the station's level, once
        assert notice["data"]["level"] == "station"
        assert "未登记" in notice["title"], notice
    finally:
        platform.stop("demand-later")
        platform.ports.pop("demand-later", None)
