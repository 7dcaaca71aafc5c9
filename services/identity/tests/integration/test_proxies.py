"""Elders' proxies (issue 3, item 6): a verified direct relative acts for an elder, like a
guardian account; the elder's station acts for them already."""
import datetime as dt
import itertools
import random

import pytest
from sqlalchemy import text

from identity.commands.demo import demo_id_number
from timebank_common.errors import Forbidden, NotFound, RuleViolation

COUNTY_ADMIN, TOWNSHIP_ADMIN, OPERATOR, VOLUNTEER = (
    "13800000003", "13800000004", "13800000005", "13800000007")
YUCAI = "130102001001"
PASSWORD = "Daughter@2026"
_serial = itertools.count(1)
_BLOCK = random.randrange(1000)


def _numbers(born: dt.date, sequence: str) -> tuple[str, str]:
    n = next(_serial)
    born += dt.timedelta(days=n)
    return demo_id_number(f"{born:%Y%m%d}", sequence), f"1388{_BLOCK:03d}{n:04d}"


def new_family(identity, operator) -> tuple[str, dict]:
    """An elder at the operator's station and a daughter who can log in (not linked yet)."""
    id_number, phone = _numbers(dt.date(1945, 1, 1), "842")
    elder = identity.register_elder(operator, {
        "name": "李淑英", "id_number": id_number, "phone": phone, "region_code": YUCAI})
    id_number, phone = _numbers(dt.date(1972, 1, 1), "862")
    daughter = identity.register_volunteer(operator, {
        "name": "张丽", "id_number": id_number, "phone": phone, "region_code": YUCAI,
        "initial_password": PASSWORD})
    return elder["person_id"], {"person_id": daughter["person_id"], "phone": phone}


def link_verified(identity, operator, township, elder_id, relative_id):
    link = identity.link_relatives(operator, {"person_id": elder_id,
                                              "relative_person_id": relative_id,
                                              "kind": "child", "evidence": "户口簿"})
    identity.verify_relatives(township, link["link_id"], {"decision": "verify"})


def test_a_verified_daughter_acts_for_her_mother_until_she_steps_down(identity, login, events):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    elder_id, daughter = new_family(identity, operator)
    proxy = {"proxy_person_id": daughter["person_id"], "note": "女儿，代为预约"}

    with pytest.raises(RuleViolation) as info:
        identity.set_elder_proxy(operator, elder_id, proxy)
    assert info.value.code == "not_verified_relative"
    assert identity.may_act_for(daughter["person_id"], elder_id) is False

    link_verified(identity, operator, township, elder_id, daughter["person_id"])
    answer = identity.set_elder_proxy(operator, elder_id, proxy)
    assert [(p["person_id"], p["kind"], p["note"]) for p in answer["proxies"]] == [
        (daughter["person_id"], "child", "女儿，代为预约")]
    [event] = events("elder_proxy_set")
    assert event["proxy_person_id"] == daughter["person_id"] and event["kind"] == "child"
    assert identity.get_elder(township, elder_id)["proxies"][0]["name"] == "张丽"

    assert identity.may_act_for(daughter["person_id"], elder_id) is True
    assert identity.may_act_for(operator["person_id"], elder_id) is True  # her station
    assert identity.may_act_for(login(VOLUNTEER)["person_id"], elder_id) is False
    assert identity.may_act_for("not-an-id", elder_id) is False

    as_daughter = login(daughter["phone"], PASSWORD)
    assert as_daughter["roles"] == ["relative", "volunteer"] and as_daughter["scope"] == YUCAI

    answer = identity.remove_elder_proxy(as_daughter, elder_id, daughter["person_id"])
    assert answer["proxies"] == []
    assert identity.may_act_for(daughter["person_id"], elder_id) is False
    assert login(daughter["phone"], PASSWORD)["roles"] == ["volunteer"]
    with pytest.raises(NotFound) as info:
        identity.remove_elder_proxy(operator, elder_id, daughter["person_id"])
    assert info.value.code == "proxy_not_found"


def test_only_the_elder_or_staff_in_scope_set_a_proxy(identity, login):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    elder_id, daughter = new_family(identity, operator)
    link_verified(identity, operator, township, elder_id, daughter["person_id"])
    proxy = {"proxy_person_id": daughter["person_id"]}
    outsider = {**login(COUNTY_ADMIN), "scope": "130104000000"}  # 桥西区
    with pytest.raises(Forbidden) as info:
        identity.set_elder_proxy(outsider, elder_id, proxy)
    assert info.value.code == "out_of_scope"
    with pytest.raises(Forbidden) as info:  # the daughter cannot name herself
        identity.set_elder_proxy(login(daughter["phone"], PASSWORD), elder_id, proxy)
    assert info.value.code == "role_required"
    with pytest.raises(RuleViolation) as info:
        identity.set_elder_proxy(operator, elder_id, {"proxy_person_id": elder_id})
    assert info.value.code == "self_proxy"


def test_the_elders_a_proxy_acts_for_while_the_link_stays_verified(identity, login, identity_db):
    operator, township = login(OPERATOR), login(TOWNSHIP_ADMIN)
    mother, daughter = new_family(identity, operator)
    father, _ = new_family(identity, operator)
    assert identity.elders_acted_for(daughter["person_id"]) == []
    for elder_id in (mother, father):
        link_verified(identity, operator, township, elder_id, daughter["person_id"])
        identity.set_elder_proxy(operator, elder_id, {"proxy_person_id": daughter["person_id"]})
    assert identity.elders_acted_for(daughter["person_id"]) == sorted([mother, father])
    # the station acts for them too, but staff see their elders through their scope
    assert identity.may_act_for(operator["person_id"], mother) is True
    assert identity.elders_acted_for(operator["person_id"]) == []
    assert identity.elders_acted_for("not-an-id") == []

    with identity_db() as uow:  # the link to the father is no longer verified
        uow.execute(text("UPDATE relative_links SET status = 'rejected' WHERE status = 'verified'"
                         " AND :d IN (person_id, relative_person_id)"
                         " AND :f IN (person_id, relative_person_id)"),
                    {"d": daughter["person_id"], "f": father})
        uow.commit()
    assert identity.may_act_for(daughter["person_id"], father) is False
    assert identity.elders_acted_for(daughter["person_id"]) == [mother]
    identity.remove_elder_proxy(operator, mother, daughter["person_id"])
    assert identity.elders_acted_for(daughter["person_id"]) == []


def test_proxies_over_http(identity_rpc, rpc_login, http):
    operator, township = rpc_login(OPERATOR), rpc_login(TOWNSHIP_ADMIN)
    elder_id, daughter = new_family(identity_rpc, operator)  # committed: the gateway asks RPC
    link_verified(identity_rpc, operator, township, elder_id, daughter["person_id"])
    resp = http("POST", f"/elders/{elder_id}/proxies", OPERATOR,
                json={"proxy_person_id": daughter["person_id"]})
    assert resp.status_code == 200, resp.text
    assert resp.json()["proxies"][0]["person_id"] == daughter["person_id"]
    resp = http("POST", f"/elders/{elder_id}/proxies", OPERATOR,
                json={"proxy_person_id": "nobody"})
    assert resp.status_code == 400
    resp = http("DELETE", f"/elders/{elder_id}/proxies/{daughter['person_id']}", OPERATOR)
    assert resp.status_code == 200 and resp.json()["proxies"] == []
