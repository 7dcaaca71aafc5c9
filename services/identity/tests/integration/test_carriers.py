"""Service carriers (服务载体): registration by admins in scope, scoped lists, the event."""
import itertools
import time

import pytest

from identity.adapters.regions import load_regions
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound

PROVINCE_ADMIN, CITY_ADMIN, COUNTY_ADMIN = "13800000001", "13800000002", "13800000003"
OPERATOR, AUDITOR, VOLUNTEER = "13800000005", "13800000006", "13800000007"
YUCAI, QIAOXI_COMMUNITY = "130102001001", "130104001001"
_serial = itertools.count(1)


@pytest.fixture
def qiaoxi(identity_db):
    """A community in 桥西区 (another county of 石家庄)."""
    with identity_db() as uow:
        load_regions(uow, [
            {"code": "130104001000", "name": "振头街道", "level": "township",
             "parent_code": "130104000000"},
            {"code": QIAOXI_COMMUNITY, "name": "振头一街社区居委会", "level": "community",
             "parent_code": "130104001000"},
        ])
        uow.commit()
    return QIAOXI_COMMUNITY


def carrier_data(**changes):
    return {"name": f"育才社区学雷锋志愿服务站{time.time_ns() % 10**6}-{next(_serial)}",
            "kind": "lei_feng_station", "region_code": YUCAI,
            "address": "石家庄市长安区建北街道育才街90号", "longitude": 114.5415,
            "latitude": 38.0590, "contact_name": "孙志强", "contact_phone": "0311-86012345",
            **changes}


def test_county_admin_registers_a_carrier_in_scope(identity, login, events):
    admin = login(COUNTY_ADMIN)
    data = carrier_data()
    carrier = identity.register_carrier(admin, data)
    assert carrier["name"] == data["name"] and carrier["kind"] == "lei_feng_station"
    assert carrier["kind_name"] == {"zh": "学雷锋志愿服务站",
                                    "en": "Learn-from-Lei-Feng volunteer service station"}
    assert carrier["region_code"] == YUCAI and carrier["contact_phone"] == "0311-86012345"
    assert carrier["longitude"] == pytest.approx(114.5415) and carrier["created_at"]
    assert identity.get_carrier(admin, carrier["carrier_id"]) == carrier
    # the station operator of the township reads it too
    assert identity.get_carrier(login(OPERATOR), carrier["carrier_id"])["name"] == data["name"]
    [received] = events.envelopes("carrier_registered")
    assert received["payload"] == {"carrier_id": carrier["carrier_id"],
                                   "kind": "lei_feng_station", "region_code": YUCAI}
    assert received["region_code"] == YUCAI
    with pytest.raises(Conflict) as info:
        identity.register_carrier(admin, {**data, "kind": "social_work_org"})
    assert info.value.code == "carrier_exists"
    assert info.value.details == {"carrier_id": carrier["carrier_id"]}


def test_out_of_scope_and_station_operators_are_refused(identity, login, qiaoxi):
    with pytest.raises(Forbidden) as info:
        identity.register_carrier(login(COUNTY_ADMIN), carrier_data(region_code=qiaoxi))
    assert info.value.code == "out_of_scope"
    for phone in (OPERATOR, AUDITOR, VOLUNTEER):
        with pytest.raises(Forbidden) as info:
            identity.register_carrier(login(phone), carrier_data())
        assert info.value.code == "role_required"


def test_unknown_or_non_community_regions_and_bad_fields_are_bad_input(identity, login):
    admin = login(COUNTY_ADMIN)
    with pytest.raises(BadInput) as info:
        identity.register_carrier(admin, carrier_data(region_code="130102001099"))
    assert info.value.code == "unknown_region"
    with pytest.raises(BadInput) as info:
        identity.register_carrier(admin, carrier_data(region_code="130102001000"))
    assert info.value.code == "carrier_region_not_community"
    with pytest.raises(BadInput) as info:
        identity.register_carrier(admin, carrier_data(kind="housekeeping", contact_phone="12345"))
    assert set(info.value.details) == {"kind", "contact_phone"}
    with pytest.raises(BadInput) as info:
        identity.register_carrier(admin, carrier_data(latitude=None))
    assert set(info.value.details) == {"latitude"}


def test_lists_are_limited_to_the_callers_scope(identity, login, qiaoxi):
    ours = identity.register_carrier(login(COUNTY_ADMIN), carrier_data(kind="cuncaoxin_station"))
    theirs = identity.register_carrier(login(CITY_ADMIN), carrier_data(region_code=qiaoxi))

    def ids(caller, **query):
        page = identity.list_carriers(caller, {"page_size": 100, **query})
        assert page["total"] == len(page["items"]) and page["page"] == 1
        return {c["carrier_id"] for c in page["items"]}

    county, city = login(COUNTY_ADMIN), login(CITY_ADMIN)
    assert ours["carrier_id"] in ids(county) and theirs["carrier_id"] not in ids(county)
    assert {ours["carrier_id"], theirs["carrier_id"]} <= ids(city)
    assert ids(city, region_code="130104000000") == {theirs["carrier_id"]}
    assert ids(county, region_code="130100000000") == ids(county)  # narrowed to the county
    assert ours["carrier_id"] in ids(login(OPERATOR))
    kinds = {c["kind"] for c in identity.list_carriers(
        city, {"kind": "cuncaoxin_station", "page_size": 100})["items"]}
    assert kinds == {"cuncaoxin_station"}
    page = identity.list_carriers(city, {"page": 2, "page_size": 1})
    assert page["total"] >= 2 and len(page["items"]) == 1 and page["page_size"] == 1

    with pytest.raises(Forbidden):
        identity.list_carriers(county, {"region_code": "130104000000"})
    with pytest.raises(Forbidden):
        identity.get_carrier(county, theirs["carrier_id"])
    with pytest.raises(Forbidden):
        identity.list_carriers(login(VOLUNTEER), {})
    with pytest.raises(BadInput):
        identity.list_carriers(city, {"kind": "shop"})
    with pytest.raises(NotFound):
        identity.get_carrier(city, "not-a-carrier-id")


def test_the_demo_station_is_a_social_work_station(identity, login, demo):
    station = identity.get_carrier(login(OPERATOR), demo["carrier_id"])
    assert station["kind"] == "social_work_station" and station["kind_name"]["zh"] == "社会工作服务站"
    assert station["region_code"] == YUCAI
