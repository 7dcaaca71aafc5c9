"""The gateway routes of people management, over HTTP, against the real identity."""
import itertools

import requests

from identity.commands.demo import demo_id_number

OPERATOR, VOLUNTEER = "13800000005", "13800000007"
TOWNSHIP_ADMIN, TANGSHAN_OPERATOR = "13800000004", "13800000010"
YUCAI, QIAOTUN_COMMUNITY = "130102001001", "130203001001"
_serial = itertools.count(951)


def new_elder(http, name: str) -> dict:
    n = next(_serial)
    data = {"name": name, "id_number": demo_id_number("19520304", f"{n:03d}"),
            "phone": f"1393333{n:04d}", "region_code": YUCAI, "address": "育才街1号"}
    resp = http("POST", "/elders", OPERATOR, json=data)
    assert resp.status_code == 201, resp.text
    return {**resp.json(), **data}


def test_a_station_finds_an_elder_by_phone_over_http(http):
    elder = new_elder(http, "网关查找")
    resp = http("GET", "/elders", OPERATOR, params={"phone": elder["phone"]})
    assert resp.status_code == 200, resp.text
    [found] = resp.json()["items"]
    assert found["person_id"] == elder["person_id"] and found["phone_masked"].count("*") == 4
    resp = http("GET", "/volunteers", OPERATOR, params={"page_size": 500})
    assert resp.status_code == 400 and "page_size" in resp.json()["details"]
    assert http("GET", "/elders", VOLUNTEER).status_code == 403
    doc = requests.get(http.base.replace("/api/v1", "/openapi.json"),
                                     timeout=10).json()
    params = {p["name"] for p in doc["paths"]["/api/v1/elders"]["get"]["parameters"]}
    assert {"q", "phone", "id_number", "region", "status", "category", "page"} <= params


def test_a_station_corrects_an_address_and_records_a_departure_over_http(http):
    elder = new_elder(http, "网关更正")
    path = f"/elders/{elder['person_id']}"
    resp = http("PATCH", path, OPERATOR, json={"address": "育才街9号"})
    assert resp.status_code == 200, resp.text
    assert http("PATCH", path, OPERATOR, json={}).status_code == 400
    resp = http("PATCH", path, OPERATOR, json={"shoe_size": 40})
    assert resp.status_code == 400 and "shoe_size" in resp.json()["details"]
    resp = http("POST", f"{path}/status", OPERATOR, json={"status": "left"})
    assert resp.status_code == 400 and "reason" in resp.json()["details"]
    resp = http("POST", f"{path}/status", OPERATOR,
                json={"status": "left", "reason": "随子女迁往外省"})
    assert resp.status_code == 200 and resp.json()["status"] == "left"
    assert http("GET", path, OPERATOR).json()["status"] == "left"
    assert http("POST", f"{path}/status", VOLUNTEER, json={"status": "active"}).status_code == 403


def test_a_volunteer_moves_to_tangshan_and_both_stations_see_it_over_http(http):
    n = next(_serial)
    resp = http("POST", "/volunteers", OPERATOR, json={
        "name": "网关迁移", "id_number": demo_id_number("19940404", f"{n:03d}"),
        "phone": f"1398888{n:04d}", "region_code": YUCAI, "initial_password": "Volunteer@2026"})
    assert resp.status_code == 201, resp.text
    vid = resp.json()["person_id"]
    assert http("GET", "/moves", TANGSHAN_OPERATOR).status_code == 200
    resp = http("POST", f"/volunteers/{vid}/move", TOWNSHIP_ADMIN,
                json={"to_region_code": QIAOTUN_COMMUNITY, "reason": "工作调动到唐山"})
    assert resp.status_code == 200, resp.text
    move_id = resp.json()["move_id"]
    seen = {m["move_id"]: m["direction"] for m in http("GET", "/moves", TANGSHAN_OPERATOR,
                                                       params={"page_size": 100}).json()["items"]}
    assert seen[move_id] == "in"
    seen = {m["move_id"]: m["direction"] for m in http("GET", "/moves", TOWNSHIP_ADMIN,
                                                       params={"page_size": 100}).json()["items"]}
    assert seen[move_id] == "out"
    found = http("GET", "/volunteers", TANGSHAN_OPERATOR, params={"q": "网关迁移"}).json()
    assert vid in [v["person_id"] for v in found["items"]]
    resp = http("PATCH", f"/volunteers/{vid}", OPERATOR, json={"address": "x"})
    assert resp.status_code == 404 and resp.json()["error"] == "person_not_found"


def test_a_hardship_category_is_withdrawn_over_http(http):
    elder = new_elder(http, "网关撤销")
    base = f"/elders/{elder['person_id']}/priority"
    assert http("POST", base, OPERATOR, json={
        "category": "left_behind", "evidence": "子女在外务工（村委会证明）"}).status_code == 201
    assert http("POST", f"{base}/left_behind/verify", TOWNSHIP_ADMIN,
                json={"decision": "verify"}).status_code == 200
    resp = http("POST", f"{base}/left_behind/revoke", OPERATOR, json={})
    assert resp.status_code == 400 and "reason" in resp.json()["details"]
    resp = http("POST", f"{base}/left_behind/revoke", OPERATOR, json={"reason": "子女已返乡"})
    assert resp.status_code == 200 and resp.json()["status"] == "revoked"
    resp = http("POST", f"{base}/advanced_age/revoke", OPERATOR, json={"reason": "x"})
    assert resp.status_code == 422 and resp.json()["error"] == "age_not_revocable"
