"""The gateway routes for operators and municipal API clients, over HTTP, against the real
identity."""
import itertools
import random

import requests

from identity.commands.demo import demo_id_number

CITY_ADMIN, COUNTY_ADMIN, OPERATOR = "13800000002", "13800000003", "13800000005"
SJZ, CHANG_AN, JIANBEI, YUCAI = "130100000000", "130102000000", "130102001000", "130102001001"
_serial = itertools.count(1)
_BLOCK = random.randrange(10_000)




def new_operator(role: str, **changes) -> dict:
    n = next(_serial)
    return {"name": "韩立新", "id_number": demo_id_number(f"19680{n % 9 + 1}1{n % 10}", f"9{n:02d}"),
            "phone": f"139{_BLOCK:04d}{n:04d}", "region_code": YUCAI, "role": role,
            "initial_password": "Operator@2026", **changes}


def test_operators_are_created_listed_and_revoked_over_http(http):
    data = new_operator("township_admin", scope_code=JIANBEI)
    resp = http("POST", "/operators", COUNTY_ADMIN, json=data)
    assert resp.status_code == 201, resp.text
    operator = resp.json()
    assert operator["role"] == "township_admin" and operator["scope_code"] == JIANBEI
    assert "initial_password" not in operator and data["id_number"] not in resp.text
    me = http("GET", "/me", data["phone"], password="Operator@2026").json()
    assert me["roles"] == ["township_admin"] and me["scope"] == JIANBEI

    resp = http("POST", "/operators", COUNTY_ADMIN, json=new_operator("city_admin", scope_code=SJZ))
    assert resp.status_code == 403 and resp.json()["error"] == "role_not_delegable"
    assert resp.json()["message"]["zh"] and resp.json()["message"]["en"]
    resp = http("POST", "/operators", COUNTY_ADMIN, json=new_operator("mayor"))
    assert resp.status_code == 400 and "role" in resp.json()["details"]
    assert http("POST", "/operators", OPERATOR, json=data).status_code == 403

    resp = http("GET", "/operators", COUNTY_ADMIN,
                params={"role": "township_admin", "region_code": JIANBEI, "page_size": 100})
    assert resp.status_code == 200
    assert operator["grant_id"] in {i["grant_id"] for i in resp.json()["items"]}
    resp = http("GET", "/operators", COUNTY_ADMIN, params={"region_code": "130200000000"})
    assert resp.status_code == 403 and resp.json()["error"] == "out_of_scope"

    revoke = f"/operators/grants/{operator['grant_id']}/revoke"
    assert http("POST", revoke, COUNTY_ADMIN, json={}).status_code == 400
    resp = http("POST", revoke, COUNTY_ADMIN, json={"reason": "调离"})
    assert resp.status_code == 200 and resp.json()["revoke_reason"] == "调离"
    me = http("GET", "/me", data["phone"], password="Operator@2026").json()
    assert me["roles"] == []


def test_api_clients_over_http(http):
    resp = http("POST", "/api-clients", CITY_ADMIN, json={"name": "石家庄市医保系统", "scope_code": SJZ})
    assert resp.status_code == 201, resp.text
    client = resp.json()

    def token(secret):
        return requests.post(f"{http.base}/auth/token", timeout=10, json={
            "client_id": client["client_id"], "client_secret": secret})

    assert token(client["client_secret"]).status_code == 200
    resp = http("POST", f"/api-clients/{client['client_id']}/rotate", CITY_ADMIN)
    assert resp.status_code == 200
    assert resp.json()["previous_secret_valid_until"]
    assert token(client["client_secret"]).status_code == 200  # the old one: until its end
    secret = resp.json()["client_secret"]
    assert token(secret).status_code == 200
    again = http("POST", f"/api-clients/{client['client_id']}/rotate", CITY_ADMIN)
    assert again.status_code == 409 and again.json()["error"] == "previous_secret_live"
    resp = http("POST", f"/api-clients/{client['client_id']}/end-previous-secret", CITY_ADMIN)
    assert resp.status_code == 200, resp.text
    assert token(client["client_secret"]).status_code == 401
    assert token(secret).status_code == 200
    too_long = http("POST", f"/api-clients/{client['client_id']}/rotate", CITY_ADMIN,
                    json={"previous_secret_valid_until": "2099-01-01T00:00:00+08:00"})
    assert too_long.status_code == 422 and too_long.json()["error"] == "overlap_too_long"
    assert too_long.json()["message"]["zh"] and too_long.json()["message"]["en"]
    listed = http("GET", "/api-clients", CITY_ADMIN).json()["items"]
    assert client["client_id"] in {c["client_id"] for c in listed}
    resp = http("POST", f"/api-clients/{client['client_id']}/revoke", CITY_ADMIN,
                json={"reason": "停用"})
    assert resp.status_code == 200 and resp.json()["status"] == "revoked"
    refused = token(secret)
    assert refused.status_code == 401 and refused.json()["error"] == "client_revoked"
    resp = http("POST", "/api-clients", COUNTY_ADMIN, json={"name": "x", "scope_code": CHANG_AN})
    assert resp.status_code == 403 and resp.json()["error"] == "role_required"
