"""Statistics for supervisors (issue 3, item 12): the figures of a region with a handful of
registered people, and who may read them."""
import datetime as dt
import itertools
import random
import uuid

import pytest
import requests
from sqlalchemy import text
from timebank_testing import rpc_proxy, wait_for

from gateway.service import GatewayService
from identity import repository as repo
from identity import volunteer_repository as vrepo
from identity.demo import DEMO_PASSWORD
from identity.domain.id_numbers import with_check_character
from identity.registration import today_in_china
from timebank_common.caller import Caller
from timebank_common.db import UnitOfWork, make_engine
from timebank_common.errors import BadInput, Forbidden

pytestmark = pytest.mark.integration

PROVINCE_ADMIN, TOWNSHIP_ADMIN = "13800000001", "13800000004"
AUDITOR, VOLUNTEER = "13800000006", "13800000007"
CHANG_AN, JIANBEI = "130102000000", "130102001000"
# a township of its own, so the figures are exactly the people registered here
TOWNSHIP, NORTH, SOUTH = "130102008000", "130102008001", "130102008002"
_serial = itertools.count(1)
_BLOCK = random.randrange(1000)


def _numbers(born: dt.date, sequence: str) -> tuple[str, str]:
    n = next(_serial)
    return with_check_character(f"130102{born:%Y%m%d}{sequence}"), f"1377{_BLOCK:03d}{n:04d}"


def _years_ago(years: int) -> dt.date:
    today = today_in_china()
    return today.replace(year=today.year - years) - dt.timedelta(days=next(_serial))


def volunteer(identity, admin, region, age, sequence="813", **changes) -> str:
    id_number, phone = _numbers(_years_ago(age), sequence)
    return identity.register_volunteer(admin, {
        "name": "统计志愿者", "id_number": id_number, "phone": phone, "region_code": region,
        "initial_password": "Volunteer@2026", **changes})["person_id"]


def elder(identity, admin, region, age, phone_only=False) -> str:
    id_number, phone = _numbers(_years_ago(age), "824")
    return identity.register_elder(admin, {
        "name": "统计老人", "id_number": id_number, "phone": None if phone_only else phone,
        "phone_only": phone_only, "address": "统计街1号", "region_code": region})["person_id"]


@pytest.fixture(scope="module")
def township(demo):
    engine = make_engine(demo["url"])
    with UnitOfWork(engine) as uow:
        repo.load_regions(uow, [
            {"code": TOWNSHIP, "name": "统计街道", "level": "township", "parent_code": CHANG_AN},
            {"code": NORTH, "name": "北社区", "level": "community", "parent_code": TOWNSHIP},
            {"code": SOUTH, "name": "南社区", "level": "community", "parent_code": TOWNSHIP}])
        vrepo.set_training_policy(uow, TOWNSHIP, 4, dt.date(2020, 1, 1))
        uow.commit()
    engine.dispose()


@pytest.fixture(scope="module")
def people(running, amqp_uri, demo, township):
    """Registered once for the module; the province admin's caller."""
    admin = Caller(person_id=demo["persons"]["province_admin"], roles=("province_admin",),
                   scope="130000000000").to_dict()
    with rpc_proxy(amqp_uri, "identity") as identity:
        _register_people(identity, admin)
    return admin


def _register_people(identity, admin):
    ready = volunteer(identity, admin, NORTH, 35, sequence="815",
                      volunteer_number=f"VS{_BLOCK:03d}{next(_serial):04d}")
    identity.set_registry_status(admin, ready, {"status": "verified"})
    identity.set_screening(admin, ready, {"result": "clear"})
    identity.declare_health(admin, ready, {"declaration": True})
    identity.record_training(admin, ready, {"course": "助老服务", "organiser": "长安区",
                                            "date": "2026-01-05", "hours": 5})
    identity.set_background_tags(admin, ready, {"tags": ["party_member"]})
    volunteer(identity, admin, NORTH, 24, sequence="826")  # not eligible yet
    volunteer(identity, admin, SOUTH, 62, sequence="828")
    aged = elder(identity, admin, NORTH, 85)
    identity.submit_priority(admin, aged, {"category": "empty_nest", "evidence": "独居"})
    identity.verify_priority(admin, aged, "empty_nest", {"decision": "verify"})
    elder(identity, admin, NORTH, 66, phone_only=True)
    elder(identity, admin, SOUTH, 92)
    identity.register_carrier(admin, {"name": f"统计服务站{_BLOCK}", "kind": "lei_feng_station",
                                      "region_code": SOUTH, "address": "统计街2号",
                                      "contact_name": "孙志强", "contact_phone": "0311-86012345"})


def test_a_supervisor_sees_the_figures_of_a_region_and_of_each_community(identity, people):
    stats = identity.identity_stats(people, TOWNSHIP)
    volunteers, elders = stats["volunteers"], stats["elders"]
    assert stats["region_code"] == TOWNSHIP and stats["period"] == {"from": None, "to": None}
    assert (volunteers["registered"], volunteers["eligible"], volunteers["active"]) == (3, 1, 0)
    assert volunteers["new_in_period"] is None
    assert volunteers["by_background_tag"] == {"party_member": 1}
    assert volunteers["by_sex"] == {"male": 1, "female": 2}
    assert volunteers["by_age_band"]["30-39"] == 1 and volunteers["by_age_band"]["60+"] == 1
    assert (elders["registered"], elders["phone_only"], elders["with_any_hardship"]) == (3, 1, 2)
    assert elders["by_hardship_category"]["empty_nest"] == 1
    assert elders["by_hardship_category"]["advanced_age"] == 2  # derived: 85 and 92
    assert elders["by_age_band"] == {"60-69": 1, "70-79": 0, "80-89": 1, "90+": 1}
    assert stats["carriers"] == {"total": 1, "by_kind": {"lei_feng_station": 1}}
    assert stats["station_operators"] == 0
    north, south = stats["children"]
    assert (north["region_code"], north["name"]) == (NORTH, "北社区")
    assert (north["volunteers_registered"], north["volunteers_eligible"],
            north["elders_registered"], north["carriers"]) == (2, 1, 2, 0)
    assert (south["volunteers_registered"], south["elders_registered"], south["carriers"]) == (
        1, 1, 1)


def test_new_registrations_are_counted_within_the_period(identity, people):
    today = today_in_china()
    stats = identity.identity_stats(people, TOWNSHIP, today.isoformat(), None)
    assert stats["volunteers"]["new_in_period"] == 3 and stats["elders"]["new_in_period"] == 3
    before = identity.identity_stats(people, TOWNSHIP, None,
                                     (today - dt.timedelta(days=1)).isoformat())
    assert before["volunteers"]["new_in_period"] == 0
    assert before["children"][0]["elders_new_in_period"] == 0
    with pytest.raises(BadInput):
        identity.identity_stats(people, TOWNSHIP, today.isoformat(),
                                (today - dt.timedelta(days=1)).isoformat())


def test_the_default_region_is_the_callers_scope_and_operators_are_counted(identity, login):
    township_admin = login(TOWNSHIP_ADMIN)
    stats = identity.identity_stats(township_admin)
    assert stats["region_code"] == JIANBEI and stats["station_operators"] >= 1
    assert stats["volunteers"]["eligible"] >= 1  # the demo volunteer


def test_statistics_stay_within_the_callers_scope(identity, login, township):
    township_admin = login(TOWNSHIP_ADMIN)
    with pytest.raises(Forbidden) as info:
        identity.identity_stats(township_admin, TOWNSHIP)  # another township of 长安区
    assert info.value.code == "out_of_scope"
    with pytest.raises(Forbidden) as info:
        identity.identity_stats(login(VOLUNTEER), JIANBEI)
    assert info.value.code == "role_required"
    assert identity.identity_stats(login(AUDITOR), CHANG_AN)["region_code"] == CHANG_AN


def test_the_gateway_answers_with_identity_figures_as_one_key(running, service_config,
                                                             start_service, people):
    cfg = service_config(None)
    start_service(GatewayService, cfg)
    base = f"http://{cfg['WEB_SERVER_ADDRESS']}/api/v1"

    def get(phone, **params):
        token = requests.post(f"{base}/auth/login", json={"phone": phone,
                                                          "password": DEMO_PASSWORD},
                              timeout=10).json()["access_token"]
        return requests.get(f"{base}/stats", params=params, timeout=10,
                            headers={"Authorization": f"Bearer {token}"})

    today = today_in_china().isoformat()
    resp = get(PROVINCE_ADMIN, region=TOWNSHIP, **{"from": today})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["region"] == TOWNSHIP and body["period"] == {"from": today, "to": None}
    assert body["identity"]["volunteers"]["new_in_period"] == 3
    assert get(TOWNSHIP_ADMIN, region=TOWNSHIP).json()["error"] == "out_of_scope"
    assert get(TOWNSHIP_ADMIN, region="1301").status_code == 400
    assert get(TOWNSHIP_ADMIN).json()["region"] == JIANBEI


ACTIVE_TOWNSHIP, ACTIVE_COMMUNITY = "130102009000", "130102009001"


def service_recorded(volunteer_id: str, recorded_at: dt.datetime, event_id=None) -> dict:
    return {"event_id": event_id or str(uuid.uuid4()), "event_type": "service_recorded",
            "occurred_at": recorded_at.isoformat(), "v": 1, "region_code": ACTIVE_COMMUNITY,
            "payload": {"record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
                        "volunteer_id": volunteer_id, "volunteer_region_code": ACTIVE_COMMUNITY,
                        "elder_id": str(uuid.uuid4()), "minutes": 60, "category": "companionship",
                        "funding_source": "own", "carrier_id": None, "recorded_by": None,
                        "recorded_at": recorded_at.isoformat()}}


def test_volunteers_who_served_in_the_last_90_days_are_active(identity, people, demo, event_bus):
    engine = make_engine(demo["url"])
    with UnitOfWork(engine) as uow:
        repo.load_regions(uow, [
            {"code": ACTIVE_TOWNSHIP, "name": "服务街道", "level": "township",
             "parent_code": CHANG_AN},
            {"code": ACTIVE_COMMUNITY, "name": "服务社区", "level": "community",
             "parent_code": ACTIVE_TOWNSHIP}])
        uow.commit()
    engine.dispose()
    recent = volunteer(identity, people, ACTIVE_COMMUNITY, 40)
    long_ago = volunteer(identity, people, ACTIVE_COMMUNITY, 41, sequence="817")
    now = dt.datetime.now(dt.UTC)
    again = service_recorded(recent, now - dt.timedelta(days=3))
    for envelope in (again, again, service_recorded(recent, now - dt.timedelta(days=200)),
                     service_recorded(long_ago, now - dt.timedelta(days=120))):
        event_bus.publish("demand", envelope)

    def figures():
        stats = identity.identity_stats(people, ACTIVE_TOWNSHIP)
        return stats if stats["volunteers"]["active"] == 1 else None

    stats = wait_for(figures)
    assert stats["children"][0]["volunteers_active"] == 1
    engine = make_engine(demo["url"])
    with engine.connect() as conn:  # the repeated delivery counted once
        assert conn.execute(text("SELECT services FROM volunteer_activity WHERE person_id = :p"),
                            {"p": recent}).scalar() == 2
    engine.dispose()
