"""Operators granted only downward, revoked grants, and municipal API clients (the service
in process on a rolled-back database, the demo data of conftest.py)."""
import itertools
import random

import pytest

from identity.adapters.regions import load_regions
from identity.commands.demo import DEMO_PASSWORD, JIANBEI, STATION_ID, demo_id_number
from identity.domain.id_numbers import with_check_character
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound, Unauthenticated

PROVINCE_ADMIN, CITY_ADMIN, COUNTY_ADMIN, TOWNSHIP_ADMIN = ("13800000001", "13800000002",
                                                            "13800000003", "13800000004")
OPERATOR, AUDITOR, VOLUNTEER = "13800000005", "13800000006", "13800000007"
SJZ, CHANG_AN, YUCAI = "130100000000", "130102000000", "130102001001"
QIAOXI, QIAOXI_TOWNSHIP, QIAOXI_COMMUNITY = "130104000000", "130104001000", "130104001001"
TANGSHAN = "130200000000"
PASSWORD = "Operator@2026"
_serial = itertools.count(1)
_PHONE_BLOCK = random.randrange(10_000)


def operator_data(role: str, **changes) -> dict:
    """A new person (a 桥西 ID number of their own, a fresh mobile) to be granted ``role``."""
    n = next(_serial)
    id_number = with_check_character(f"130104197{n % 10}0{n % 9 + 1}1{n % 10}{n % 100:02d}{n % 10}")
    return {"name": "冯建军", "id_number": id_number, "phone": f"136{_PHONE_BLOCK:04d}{n:04d}",
            "region_code": YUCAI, "role": role, "initial_password": PASSWORD, **changes}


@pytest.fixture
def qiaoxi(identity_db):
    """A township and community of 桥西区 (another county of 石家庄)."""
    with identity_db() as uow:
        load_regions(uow, [
            {"code": QIAOXI_TOWNSHIP, "name": "振头街道", "level": "township",
             "parent_code": QIAOXI},
            {"code": QIAOXI_COMMUNITY, "name": "振头一街社区居委会", "level": "community",
             "parent_code": QIAOXI_TOWNSHIP},
        ])
        uow.commit()
    return QIAOXI_COMMUNITY


@pytest.fixture
def qiaoxi_carrier(identity, login, qiaoxi):
    carrier = identity.register_carrier(login(PROVINCE_ADMIN), {
        "name": f"振头一街社区服务站{next(_serial)}-{_PHONE_BLOCK}", "kind": "lei_feng_station",
        "region_code": qiaoxi, "address": "桥西区振头一街1号", "contact_name": "冯建军",
        "contact_phone": "0311-86000000"})
    return carrier["carrier_id"]


def refused(error, code, call, *args):
    with pytest.raises(error) as info:
        call(*args)
    assert info.value.code == code, info.value
    assert info.value.zh and info.value.en
    return info.value


def test_a_city_admin_appoints_a_county_admin_who_logs_in_with_that_role(
        identity, login, events, qiaoxi):
    city_admin = login(CITY_ADMIN)
    data = operator_data("county_admin", scope_code=QIAOXI)
    operator = identity.create_operator(city_admin, data)
    assert operator["role"] == "county_admin" and operator["scope_code"] == QIAOXI
    assert operator["login"] == "created" and operator["name"] == "冯建军"
    assert operator["granted_by"] == city_admin["person_id"]
    assert "*" in operator["phone_masked"] and "*" in operator["id_number_masked"]
    assert "initial_password" not in operator and data["phone"] not in str(operator)

    caller = login(data["phone"], PASSWORD)
    assert caller["person_id"] == operator["person_id"]
    assert caller["roles"] == ["county_admin"] and caller["scope"] == QIAOXI

    received = [e for e in events.envelopes("operator_granted")
                if e["payload"]["grant_id"] == operator["grant_id"]]
    assert received[0]["payload"] == {
        "grant_id": operator["grant_id"], "person_id": operator["person_id"],
        "role": "county_admin", "scope_code": QIAOXI, "carrier_id": None,
        "granted_by": city_admin["person_id"]}
    assert received[0]["region_code"] == QIAOXI
    # the new county admin appoints a township admin below, in their own county
    township = identity.create_operator(caller, operator_data("township_admin",
                                                              scope_code=QIAOXI_TOWNSHIP))
    assert township["scope_code"] == QIAOXI_TOWNSHIP
    refused(Conflict, "already_granted", identity.create_operator, city_admin,
            {**data, "phone": data["phone"]})


def test_a_county_admin_cannot_appoint_upward_sideways_or_outside(identity, login, qiaoxi):
    county_admin = login(COUNTY_ADMIN)
    refused(Forbidden, "role_not_delegable", identity.create_operator, county_admin,
            operator_data("city_admin", scope_code=SJZ))
    refused(Forbidden, "role_not_delegable", identity.create_operator, county_admin,
            operator_data("county_admin", scope_code=QIAOXI))
    refused(Forbidden, "out_of_scope", identity.create_operator, county_admin,
            operator_data("township_admin", scope_code=QIAOXI_TOWNSHIP))
    refused(BadInput, "scope_level_mismatch", identity.create_operator, county_admin,
            operator_data("township_admin", scope_code=YUCAI))
    refused(Forbidden, "province_admin_reserved", identity.create_operator, login(CITY_ADMIN),
            operator_data("province_admin", scope_code="130000000000"))
    for phone in (OPERATOR, AUDITOR, VOLUNTEER):
        refused(Forbidden, "role_required", identity.create_operator, login(phone),
                operator_data("auditor", scope_code=JIANBEI))


def test_a_township_admin_appoints_station_operators_only_at_their_carriers(
        identity, login, qiaoxi_carrier):
    township_admin = login(TOWNSHIP_ADMIN)
    data = operator_data("station_operator", carrier_id=str(STATION_ID))
    operator = identity.create_operator(township_admin, data)
    assert operator["scope_code"] == JIANBEI and operator["carrier_id"] == str(STATION_ID)
    caller = login(data["phone"], PASSWORD)
    assert caller["roles"] == ["station_operator"] and caller["carrier_id"] == str(STATION_ID)
    assert caller["scope"] == JIANBEI

    refused(Forbidden, "out_of_scope", identity.create_operator, township_admin,
            operator_data("station_operator", carrier_id=qiaoxi_carrier))
    refused(BadInput, "carrier_required", identity.create_operator, township_admin,
            operator_data("station_operator"))
    refused(BadInput, "unknown_carrier", identity.create_operator, township_admin,
            operator_data("station_operator", carrier_id="00000000-0000-0000-0000-000000000001"))


def test_an_existing_person_gains_the_grant_and_keeps_their_login(identity, login):
    volunteer = login(VOLUNTEER)
    data = operator_data("station_operator", carrier_id=str(STATION_ID), name="郑浩然",
                         id_number=demo_id_number("19910512", "071"), phone=VOLUNTEER)
    operator = identity.create_operator(login(TOWNSHIP_ADMIN), data)
    assert operator["person_id"] == volunteer["person_id"] and operator["login"] == "existing"
    try:
        caller = login(VOLUNTEER, DEMO_PASSWORD)  # their own password, not the one given
        assert caller["roles"] == ["station_operator", "volunteer"]
    finally:  # the demo volunteer is shared with the other modules
        identity.revoke_operator_grant(login(TOWNSHIP_ADMIN), operator["grant_id"], "测试结束")
    assert login(VOLUNTEER)["roles"] == ["volunteer"]
    refused(Conflict, "identity_mismatch", identity.create_operator, login(TOWNSHIP_ADMIN),
            {**data, "name": "郑浩"})


def test_a_revoked_grant_is_gone_at_the_next_login_and_can_be_given_again(
        identity, login, events):
    township_admin = login(TOWNSHIP_ADMIN)
    data = operator_data("station_operator", carrier_id=str(STATION_ID))
    grant = identity.create_operator(township_admin, data)
    tokens = identity.authenticate(data["phone"], PASSWORD)

    refused(Forbidden, "role_required", identity.revoke_operator_grant,
            login(OPERATOR), grant["grant_id"], "离职")
    refused(BadInput, "validation_failed", identity.revoke_operator_grant,
            township_admin, grant["grant_id"], "")
    revoked = identity.revoke_operator_grant(township_admin, grant["grant_id"], "离职")
    assert revoked["revoked_at"] and revoked["revoke_reason"] == "离职"
    assert login(data["phone"], PASSWORD)["roles"] == []
    refreshed = identity.refresh(tokens["refresh_token"])
    assert refreshed["access_token"]
    assert identity.me(login(data["phone"], PASSWORD))["roles"] == []
    received = [e for e in events.envelopes("operator_revoked")
                if e["payload"]["grant_id"] == grant["grant_id"]]
    assert received[0]["payload"]["reason"] == "离职"
    # the access tokens issued before carry the role still: the gateway is told to refuse them
    revocations = identity.active_revocations()["items"]
    assert {"person_id": grant["person_id"], "reason": "role_revoked"} in [
        {"person_id": r["person_id"], "reason": r["reason"]} for r in revocations]
    trail = identity.query_audit(login(COUNTY_ADMIN), {"target_id": grant["grant_id"]})["items"]
    assert [e["action"] for e in trail] == ["revoke_operator_grant", "create_operator"]
    assert trail[0]["actor_person_id"] == township_admin["person_id"]
    assert received[0]["payload"]["revoked_by"] == township_admin["person_id"]

    refused(Conflict, "already_revoked", identity.revoke_operator_grant, township_admin,
            grant["grant_id"], "离职")
    refused(NotFound, "grant_not_found", identity.revoke_operator_grant, township_admin,
            "00000000-0000-0000-0000-000000000002", "离职")
    again = identity.create_operator(township_admin, data)
    assert again["grant_id"] != grant["grant_id"] and again["login"] == "existing"
    assert login(data["phone"], PASSWORD)["roles"] == ["station_operator"]
    # a county admin may take it back too; a township admin not their own grant
    refused(Forbidden, "own_grant", identity.revoke_operator_grant, township_admin,
            _own_grant(identity, township_admin), "自己撤销自己")
    identity.revoke_operator_grant(login(COUNTY_ADMIN), again["grant_id"], "调岗")


def _own_grant(identity, caller) -> str:
    page = identity.list_operators(caller, {"role": "township_admin", "page_size": 100})
    return next(i["grant_id"] for i in page["items"] if i["person_id"] == caller["person_id"])


def test_staff_are_listed_within_the_callers_scope(identity, login):
    data = operator_data("auditor", scope_code=JIANBEI)
    auditor = identity.create_operator(login(COUNTY_ADMIN), data)
    page = identity.list_operators(login(TOWNSHIP_ADMIN), {"page_size": 100})
    assert page["total"] == len(page["items"])
    assert all(i["scope_code"].startswith(JIANBEI[:9]) for i in page["items"])
    assert auditor["grant_id"] in {i["grant_id"] for i in page["items"]}
    assert all("*" in i["phone_masked"] for i in page["items"])
    counties = identity.list_operators(login(AUDITOR), {"role": "county_admin", "page_size": 100})
    assert {i["role"] for i in counties["items"]} == {"county_admin"}
    assert CHANG_AN in {i["scope_code"] for i in counties["items"]}
    city = identity.list_operators(login(CITY_ADMIN), {"region_code": CHANG_AN, "page_size": 2})
    assert len(city["items"]) <= 2 and city["total"] >= 3
    refused(Forbidden, "out_of_scope", identity.list_operators, login(CITY_ADMIN),
            {"region_code": TANGSHAN})
    refused(Forbidden, "role_required", identity.list_operators, login(OPERATOR), {})
    refused(BadInput, "validation_failed", identity.list_operators, login(CITY_ADMIN),
            {"role": "volunteer"})


def test_api_client_secret_is_shown_once_rotated_and_revoked(identity, login):
    city_admin = login(CITY_ADMIN)
    client = identity.create_api_client(city_admin, {"name": "石家庄市卫健委系统", "scope_code": SJZ})
    assert client["client_id"].startswith("c-") and client["status"] == "active"
    assert client["created_by"] == city_admin["person_id"]
    first = client["client_secret"]
    assert identity.client_token(client["client_id"], first)["access_token"]
    listed = identity.list_api_clients(city_admin)["items"]
    mine = next(c for c in listed if c["client_id"] == client["client_id"])
    assert "client_secret" not in mine and "secret_hash" not in mine

    rotated = identity.rotate_api_client_secret(city_admin, client["client_id"])
    second = rotated["client_secret"]
    assert second != first and rotated["secret_rotated_at"]
    # the old secret stays valid beside the new one until its end (test_api_client_rotation.py)
    assert rotated["previous_secret_valid_until"]
    assert identity.client_token(client["client_id"], first)["access_token"]
    assert identity.client_token(client["client_id"], second)["access_token"]

    revoked = identity.revoke_api_client(city_admin, client["client_id"], "系统下线")
    assert revoked["status"] == "revoked" and revoked["revoke_reason"] == "系统下线"
    refused(Unauthenticated, "client_revoked", identity.client_token, client["client_id"], second)
    assert client["client_id"] in {r["client_id"] for r in identity.active_revocations()["items"]}
    trail = identity.query_audit(city_admin, {"target_id": client["client_id"]})["items"]
    assert [e["action"] for e in trail] == ["revoke_api_client", "rotate_api_client_secret",
                                            "create_api_client"]
    assert first not in str(trail) and second not in str(trail)
    refused(Unauthenticated, "invalid_client", identity.client_token, client["client_id"], "guess")
    refused(Conflict, "client_revoked", identity.rotate_api_client_secret, city_admin,
            client["client_id"])
    refused(Conflict, "already_revoked", identity.revoke_api_client, city_admin,
            client["client_id"], "again")


def test_api_clients_belong_to_a_city_of_the_admin(identity, login):
    city_admin = login(CITY_ADMIN)
    refused(Forbidden, "out_of_scope", identity.create_api_client, city_admin,
            {"name": "唐山市民政局系统", "scope_code": TANGSHAN})
    refused(BadInput, "client_scope_not_city", identity.create_api_client, city_admin,
            {"name": "长安区系统", "scope_code": CHANG_AN})
    refused(Forbidden, "role_required", identity.create_api_client, login(COUNTY_ADMIN),
            {"name": "长安区系统", "scope_code": SJZ})
    tangshan = identity.create_api_client(login(PROVINCE_ADMIN), {
        "name": "唐山市民政局系统", "scope_code": TANGSHAN,
        "client_id": f"ts-civil-{_PHONE_BLOCK}-{next(_serial)}"})
    refused(Conflict, "client_id_in_use", identity.create_api_client, login(PROVINCE_ADMIN),
            {"name": "重复", "scope_code": TANGSHAN, "client_id": tangshan["client_id"]})
    refused(Forbidden, "out_of_scope", identity.rotate_api_client_secret, city_admin,
            tangshan["client_id"])
    refused(NotFound, "client_not_found", identity.revoke_api_client, city_admin, "nobody", "x")
    seen = {c["client_id"] for c in identity.list_api_clients(city_admin)["items"]}
    assert tangshan["client_id"] not in seen and "sjz-civil-affairs" in seen
    everything = identity.list_api_clients(login(AUDITOR))["items"]
    assert tangshan["client_id"] in {c["client_id"] for c in everything}
