"""The gateway routes for priority elders and relatives, over HTTP, against the real identity."""
import itertools

from identity.commands.demo import demo_id_number

COUNTY_ADMIN, TOWNSHIP_ADMIN, OPERATOR = "13800000003", "13800000004", "13800000005"
YUCAI = "130102001001"
_serial = itertools.count(901)




def new_elder(http, birth: str) -> str:
    number = demo_id_number(birth, f"{next(_serial):03d}")
    resp = http("POST", "/elders", OPERATOR,
                json={"name": "网关老人", "id_number": number, "region_code": YUCAI})
    assert resp.status_code == 201, resp.text
    return resp.json()["person_id"]


def test_priority_is_submitted_and_verified_over_http(http):
    elder = new_elder(http, "19510203")
    resp = http("POST", f"/elders/{elder}/priority", OPERATOR, json={"category": "advanced_age",
                                                                     "evidence": "身份证"})
    assert resp.status_code == 422 and resp.json()["error"] == "derived_category"
    resp = http("POST", f"/elders/{elder}/priority", OPERATOR, json={"category": "rich"})
    assert resp.status_code == 400 and set(resp.json()["details"]) == {"category", "evidence"}
    resp = http("POST", f"/elders/{elder}/priority", OPERATOR,
                json={"category": "family_planning_special", "evidence": "特扶证 0012"})
    assert resp.status_code == 201 and resp.json()["status"] == "pending"
    verify = f"/elders/{elder}/priority/family_planning_special/verify"
    resp = http("POST", verify, OPERATOR, json={"decision": "verify"})
    assert resp.status_code == 403 and resp.json()["error"] == "four_eyes"
    resp = http("POST", verify, TOWNSHIP_ADMIN, json={"decision": "verify"})
    assert resp.status_code == 200 and resp.json()["status"] == "verified"
    elder_view = http("GET", f"/elders/{elder}", OPERATOR).json()
    assert elder_view["priority_categories"] == ["family_planning_special"]


def test_relations_are_linked_verified_and_listed_over_http(http):
    wife, husband = new_elder(http, "19550304"), new_elder(http, "19530405")
    resp = http("POST", "/relations", OPERATOR, json={
        "person_id": wife, "relative_person_id": husband, "kind": "spouse",
        "evidence": "结婚证 J130102-1975-0001"})
    assert resp.status_code == 201, resp.text
    link_id = resp.json()["link_id"]
    resp = http("POST", f"/relations/{link_id}/verify", COUNTY_ADMIN,
                json={"decision": "maybe"})
    assert resp.status_code == 400 and "decision" in resp.json()["details"]
    resp = http("POST", f"/relations/{link_id}/verify", COUNTY_ADMIN, json={"decision": "verify"})
    assert resp.status_code == 200 and resp.json()["status"] == "verified"
    resp = http("GET", "/relations", OPERATOR, params={"person_id": husband})
    assert resp.status_code == 200
    assert [(i["relative_person_id"], i["kind"]) for i in resp.json()["items"]] == [
        (wife, "spouse")]
    assert http("GET", "/relations", OPERATOR, params={"person_id": "x"}).status_code == 400
