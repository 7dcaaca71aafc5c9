"""Every gateway route served by identity answers exactly what it declares (issue 15): one walk
through the routes over HTTP against the real identity, each successful answer checked by the
``http`` fixture against the route's ``response`` schema, load-side (required fields present,
no undeclared field, nulls only where allowed). Operators and API clients are walked in
``test_gateway_operators.py`` with the same check."""
import datetime as dt
import random

from identity.commands.demo import demo_id_number
from timebank_common.clock import china_date

PROVINCE_ADMIN, CITY_ADMIN, COUNTY_ADMIN = "13800000001", "13800000002", "13800000003"
TOWNSHIP_ADMIN, OPERATOR, AUDITOR = "13800000004", "13800000005", "13800000006"
YUCAI, QIAOTUN_COMMUNITY = "130102001001", "130203001001"
_BLOCK = random.randrange(1000)


def ok(resp, status=200) -> dict:
    assert resp.status_code == status, resp.text
    return resp.json()


def test_regions_carriers_and_statistics_answer_as_declared(http):
    ok(http("GET", "/regions", OPERATOR))
    ok(http("GET", "/regions", OPERATOR, params={"parent": "130102001000"}))
    ok(http("GET", f"/regions/{YUCAI}", OPERATOR))
    carrier = ok(http("POST", "/carriers", TOWNSHIP_ADMIN, json={
        "name": f"育才社区学雷锋志愿服务站{_BLOCK}", "kind": "lei_feng_station",
        "region_code": YUCAI, "address": "育才街2号", "contact_name": "李站长",
        "contact_phone": "0311-86001234", "longitude": 114.5, "latitude": 38.05}), 201)
    ok(http("GET", f"/carriers/{carrier['carrier_id']}", OPERATOR))
    assert ok(http("GET", "/carriers", OPERATOR))["items"]
    ok(http("GET", "/stats", CITY_ADMIN))
    today = china_date(dt.datetime.now(dt.UTC))
    ok(http("GET", "/stats", COUNTY_ADMIN, params={"from": f"{today.year}-01-01",
                                                   "to": today.isoformat()}))
    assert ok(http("GET", "/audit", AUDITOR))["items"]


def test_an_elder_and_a_volunteer_through_every_route_answer_as_declared(http):
    n = random.randrange(100, 1000)
    elder = ok(http("POST", "/elders", OPERATOR, json={
        "name": "契约老人", "id_number": demo_id_number("19490101", f"{n:03d}"),
        "phone": f"1395{_BLOCK:03d}{n:04d}", "region_code": YUCAI, "address": "育才街3号",
        "emergency_contact_name": "契约女儿", "emergency_contact_phone": "13912345678"}), 201)
    eid = elder["person_id"]
    ok(http("GET", "/elders", OPERATOR, params={"q": "契约"}))
    ok(http("GET", f"/elders/{eid}", OPERATOR))
    ok(http("GET", f"/elders/{eid}", TOWNSHIP_ADMIN, params={"unmasked": "true"}))
    ok(http("PATCH", f"/elders/{eid}", OPERATOR, json={"address": "育才街4号",
                                                       "longitude": 114.5, "latitude": 38.0}))
    base = f"/elders/{eid}/priority"
    ok(http("POST", base, OPERATOR, json={"category": "empty_nest", "evidence": "独居核查表"}), 201)
    ok(http("POST", f"{base}/empty_nest/verify", TOWNSHIP_ADMIN, json={"decision": "verify"}))
    ok(http("POST", f"{base}/empty_nest/revoke", OPERATOR, json={"reason": "子女已返乡"}))

    volunteer = ok(http("POST", "/volunteers", OPERATOR, json={
        "name": "契约志愿者", "id_number": demo_id_number("19800101", f"{n:03d}"),
        "phone": f"1396{_BLOCK:03d}{n:04d}", "region_code": YUCAI,
        "initial_password": "Volunteer@2026", "training_hours_completed": 2}), 201)
    vid = volunteer["person_id"]
    ok(http("GET", "/volunteers", OPERATOR, params={"eligible": "false"}))
    ok(http("GET", f"/volunteers/{vid}", OPERATOR))
    ok(http("GET", f"/volunteers/{vid}", TOWNSHIP_ADMIN, params={"unmasked": "true"}))
    ok(http("PATCH", f"/volunteers/{vid}", OPERATOR,
            json={"volunteer_number": f"VC{_BLOCK:03d}{n:04d}"}))
    ok(http("GET", f"/volunteers/{vid}/eligibility", OPERATOR))
    ok(http("POST", f"/volunteers/{vid}/trainings", OPERATOR, json={
        "course": "助老服务", "organiser": "长安区志愿服务联合会", "date": "2026-03-01",
        "hours": 6}), 201)
    ok(http("POST", f"/volunteers/{vid}/screening", OPERATOR, json={"result": "clear"}))
    ok(http("POST", f"/volunteers/{vid}/registry", OPERATOR, json={"status": "verified"}))
    ok(http("POST", f"/volunteers/{vid}/health", OPERATOR, json={"declaration": True}))
    ok(http("POST", f"/volunteers/{vid}/background", OPERATOR, json={"tags": ["party_member"]}))
    added = ok(http("POST", f"/volunteers/{vid}/qualifications", OPERATOR, json={
        "kind": "nurse", "number": f"N{n}", "issuer": "河北省卫生健康委员会",
        "valid_until": "2031-12-31"}), 201)
    ok(http("POST", f"/qualifications/{added['qualification_id']}/verify", TOWNSHIP_ADMIN,
            json={"decision": "verify"}))
    ok(http("GET", f"/volunteers/{vid}/qualifications", OPERATOR))

    link = ok(http("POST", "/relations", OPERATOR, json={
        "person_id": vid, "relative_person_id": eid, "kind": "parent",
        "evidence": "户口簿 户号 130102000555"}), 201)
    ok(http("POST", f"/relations/{link['link_id']}/verify", TOWNSHIP_ADMIN,
            json={"decision": "verify"}))
    ok(http("GET", "/relations", OPERATOR, params={"person_id": eid}))
    ok(http("POST", f"/elders/{eid}/proxies", OPERATOR,
            json={"proxy_person_id": vid, "note": "儿子"}))
    ok(http("GET", f"/elders/{eid}", OPERATOR))  # with its proxy
    ok(http("DELETE", f"/elders/{eid}/proxies/{vid}", OPERATOR))

    for kind, person in (("elders", eid), ("volunteers", vid)):
        ok(http("POST", f"/{kind}/{person}/status", OPERATOR,
                json={"status": "left", "reason": "外出"}))
        ok(http("POST", f"/{kind}/{person}/status", OPERATOR, json={"status": "active"}))
    ok(http("POST", f"/volunteers/{vid}/move", TOWNSHIP_ADMIN,
            json={"to_region_code": QIAOTUN_COMMUNITY, "reason": "迁居唐山"}))
    ok(http("POST", f"/elders/{eid}/move", OPERATOR,
            json={"to_region_code": QIAOTUN_COMMUNITY, "reason": "随子女迁居"}))
    assert ok(http("GET", "/moves", TOWNSHIP_ADMIN))["items"]
    ok(http("GET", f"/elders/{eid}", PROVINCE_ADMIN))  # with its move
    ok(http("GET", f"/volunteers/{vid}", PROVINCE_ADMIN))


def test_interest_in_volunteering_answers_as_declared_without_a_login(http):
    import requests

    form = {"name": "契约意向", "phone": f"1397{_BLOCK:03d}{random.randrange(10_000):04d}",
            "region_code": YUCAI, "skills": "摄影"}
    resp = requests.post(f"{http.base}/volunteer-interest", json=form, timeout=10)
    assert resp.status_code == 201, resp.text
    http.check("POST", "/api/v1/volunteer-interest", resp.json())
    again = requests.post(f"{http.base}/volunteer-interest", json=form, timeout=10)
    assert again.status_code == 200 and again.json()["reference"] == resp.json()["reference"]
    http.check("POST", "/api/v1/volunteer-interest", again.json())
    refused = requests.post(f"{http.base}/volunteer-interest", timeout=10,
                            json={**form, "region_code": "130102001000"})
    assert refused.status_code == 400 and refused.json()["error"] == "not_a_community"
    assert requests.get(f"{http.base}/regions", timeout=10).status_code == 200  # public

    items = ok(http("GET", "/volunteer-interest", OPERATOR, params={"status": "new"}))["items"]
    [item] = [i for i in items if i["reference"] == resp.json()["reference"]]
    ok(http("GET", f"/volunteer-interest/{item['interest_id']}", OPERATOR,
            params={"unmasked": "true"}))
    ok(http("POST", f"/volunteer-interest/{item['interest_id']}/status", OPERATOR,
            json={"status": "contacted"}))
    assert http("GET", "/volunteer-interest", "13800000007").status_code == 403
