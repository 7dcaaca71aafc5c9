"""Statistics for supervisors (issue 3, item 12): the figures of a region with a handful of
registered people, and who may read them (in process, rolled back); the gateway's answer and
demand's ``service_recorded`` feeding the ``active`` figure over the broker.

A registration's day is the database's (``created_at``); the test clock is set to the
database's time, so "today" is the same day for both, at any hour."""
import datetime as dt
import itertools
import random
import uuid

import pytest
from sqlalchemy import text
from timebank_testing import wait_for

from identity.adapters.regions import load_regions
from identity.adapters.volunteers import set_training_policy
from identity.commands.demo import demo_id_number
from identity.commands.file_import import units_of_work
from timebank_common.caller import Caller
from timebank_common.clock import SystemClock, china_date
from timebank_common.db import make_engine
from timebank_common.errors import BadInput, Forbidden

PROVINCE_ADMIN, TOWNSHIP_ADMIN = "13800000001", "13800000004"
AUDITOR, VOLUNTEER = "13800000006", "13800000007"
CHANG_AN, JIANBEI = "130102000000", "130102001000"
# a township of its own, so the figures are exactly the people registered here
TOWNSHIP, NORTH, SOUTH = "130102008000", "130102008001", "130102008002"
_serial = itertools.count(1)
_BLOCK = random.randrange(1000)


def _numbers(born: dt.date, sequence: str) -> tuple[str, str]:
    n = next(_serial)
    return demo_id_number(f"{born:%Y%m%d}", sequence), f"1377{_BLOCK:03d}{n:04d}"


def _years_ago(today: dt.date, years: int) -> dt.date:
    return today.replace(year=today.year - years) - dt.timedelta(days=next(_serial))


def volunteer(identity, admin, region, age, sequence="813", today=None, **changes) -> str:
    id_number, phone = _numbers(_years_ago(today, age), sequence)
    return identity.register_volunteer(admin, {
        "name": "统计志愿者", "id_number": id_number, "phone": phone, "region_code": region,
        "initial_password": "Volunteer@2026", **changes})["person_id"]


def elder(identity, admin, region, age, today, phone_only=False) -> str:
    id_number, phone = _numbers(_years_ago(today, age), "824")
    return identity.register_elder(admin, {
        "name": "统计老人", "id_number": id_number, "phone": None if phone_only else phone,
        "phone_only": phone_only, "address": "统计街1号", "region_code": region})["person_id"]


def load_township(db, township, north, south):
    with db() as uow:
        load_regions(uow, [
            {"code": township, "name": "统计街道", "level": "township", "parent_code": CHANG_AN},
            {"code": north, "name": "北社区", "level": "community", "parent_code": township},
            {"code": south, "name": "南社区", "level": "community", "parent_code": township}])
        set_training_policy(uow, township, 4, dt.date(2020, 1, 1))
        uow.commit()


@pytest.fixture
def today(identity_db, clock):
    """The test clock at the database's time (what registrations are stamped with)."""
    with identity_db() as uow:
        clock.set(uow.execute(text("SELECT now()")).scalar())
    return china_date(clock.now())


@pytest.fixture
def township(identity_db):
    load_township(identity_db, TOWNSHIP, NORTH, SOUTH)


def admin_of(demo) -> dict:
    return Caller(person_id=demo["persons"]["province_admin"], roles=("province_admin",),
                  scope="130000000000").to_dict()


@pytest.fixture
def people(identity, demo, township, today):
    """A handful of people registered in the township; the province admin's caller."""
    admin = admin_of(demo)
    _register_people(identity, admin, today)
    return admin


def _register_people(identity, admin, today, north=NORTH, south=SOUTH):
    ready = volunteer(identity, admin, north, 35, sequence="815", today=today,
                      volunteer_number=f"VS{_BLOCK:03d}{next(_serial):04d}")
    identity.set_registry_status(admin, ready, {"status": "verified"})
    identity.set_screening(admin, ready, {"result": "clear"})
    identity.declare_health(admin, ready, {"declaration": True})
    identity.record_training(admin, ready, {"course": "助老服务", "organiser": "长安区",
                                            "date": "2026-01-05", "hours": 5})
    identity.set_background_tags(admin, ready, {"tags": ["party_member"]})
    volunteer(identity, admin, north, 24, sequence="826", today=today)  # not eligible yet
    volunteer(identity, admin, south, 62, sequence="828", today=today)
    aged = elder(identity, admin, north, 85, today)
    identity.submit_priority(admin, aged, {"category": "empty_nest", "evidence": "独居"})
    second = {**admin, "person_id": str(uuid.UUID(int=0x2B))}  # four eyes: another admin
    identity.verify_priority(second, aged, "empty_nest", {"decision": "verify"})
    elder(identity, admin, north, 66, today, phone_only=True)
    elder(identity, admin, south, 92, today)
    identity.register_carrier(admin, {"name": f"统计服务站{_BLOCK}", "kind": "lei_feng_station",
                                      "region_code": south, "address": "统计街2号",
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


def test_new_registrations_are_counted_within_the_period(identity, people, today):
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


# a township of the gateway test's own: what it registers is committed (the gateway asks RPC)
HTTP_TOWNSHIP, HTTP_NORTH, HTTP_SOUTH = "130102010000", "130102010001", "130102010002"


def test_the_gateway_answers_with_identity_figures_as_one_key(identity_rpc, demo, http):
    with units_of_work(demo["url"]) as db:
        load_township(db, HTTP_TOWNSHIP, HTTP_NORTH, HTTP_SOUTH)
    today = china_date(SystemClock().now())  # the container's clock: the machine's
    _register_people(identity_rpc, admin_of(demo), today, HTTP_NORTH, HTTP_SOUTH)
    resp = http("GET", "/stats", PROVINCE_ADMIN,
                params={"region": HTTP_TOWNSHIP, "from": today.isoformat()})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["region"] == HTTP_TOWNSHIP
    assert body["period"] == {"from": today.isoformat(), "to": None}
    assert body["identity"]["volunteers"]["new_in_period"] == 3
    assert http("GET", "/stats", TOWNSHIP_ADMIN,
                params={"region": HTTP_TOWNSHIP}).json()["error"] == "out_of_scope"
    assert http("GET", "/stats", TOWNSHIP_ADMIN, params={"region": "1301"}).status_code == 400
    assert http("GET", "/stats", TOWNSHIP_ADMIN).json()["region"] == JIANBEI


ACTIVE_TOWNSHIP, ACTIVE_COMMUNITY = "130102009000", "130102009001"


def service_recorded(volunteer_id: str, recorded_at: dt.datetime, event_id=None) -> dict:
    return {"event_id": event_id or str(uuid.uuid4()), "event_type": "service_recorded",
            "occurred_at": recorded_at.isoformat(), "v": 1, "region_code": ACTIVE_COMMUNITY,
            "payload": {"record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
                        "volunteer_id": volunteer_id, "volunteer_region_code": ACTIVE_COMMUNITY,
                        "elder_id": str(uuid.uuid4()), "minutes": 60, "category": "companionship",
                        "funding_source": "own_hours", "carrier_id": None, "recorded_by": None,
                        "recorded_at": recorded_at.isoformat()}}


def test_volunteers_who_served_in_the_last_90_days_are_active(identity_rpc, demo, event_bus):
    """Over the broker: demand's events reach the handler (each counted once)."""
    with units_of_work(demo["url"]) as db, db() as uow:
        load_regions(uow, [
            {"code": ACTIVE_TOWNSHIP, "name": "服务街道", "level": "township",
             "parent_code": CHANG_AN},
            {"code": ACTIVE_COMMUNITY, "name": "服务社区", "level": "community",
             "parent_code": ACTIVE_TOWNSHIP}])
        uow.commit()
    people = admin_of(demo)
    now = SystemClock().now()  # the container's clock: the machine's
    recent = volunteer(identity_rpc, people, ACTIVE_COMMUNITY, 40, today=china_date(now))
    long_ago = volunteer(identity_rpc, people, ACTIVE_COMMUNITY, 41, sequence="817",
                         today=china_date(now))
    again = service_recorded(recent, now - dt.timedelta(days=3))
    for envelope in (again, again, service_recorded(recent, now - dt.timedelta(days=200)),
                     service_recorded(long_ago, now - dt.timedelta(days=120))):
        event_bus.publish("demand", envelope)

    def figures():
        stats = identity_rpc.identity_stats(people, ACTIVE_TOWNSHIP)
        return stats if stats["volunteers"]["active"] == 1 else None

    stats = wait_for(figures)
    assert stats["children"][0]["volunteers_active"] == 1
    engine = make_engine(demo["url"])
    with engine.connect() as conn:  # the repeated delivery counted once
        assert conn.execute(text("SELECT services FROM volunteer_activity WHERE person_id = :p"),
                            {"p": recent}).scalar() == 2
    engine.dispose()
