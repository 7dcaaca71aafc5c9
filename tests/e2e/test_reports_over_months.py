"""Issue 16 on the real platform over several simulated months: services recorded in two
cities (石家庄 and 唐山) in January, February and March 2027 — the whole platform living at a
simulated time (``CLOCK_FILE``: every process adds the offset the test writes) — and what a
province's supervisors read of them: each city's monthly series and the province's breakdown
by city, equal to what the ledger credited."""
from __future__ import annotations

import datetime as dt

import pytest

from first_path import new_person_numbers, wait_for
from identity.commands.demo import DEMO_ACCOUNTS, TANGSHAN_ACCOUNTS
from platform_fixtures import Api, running_platform
from timebank_common.clock import CHINA, OffsetFileClock

pytestmark = pytest.mark.e2e

PASSWORD = "Demo@2026"
PROVINCE = "130000000000"


class SimulatedTime:
    """The platform's clock: the machine's plus the offset in ``path`` (``OffsetFileClock``)."""

    def __init__(self, path):
        self.path = path
        self.offset = dt.timedelta(0)
        OffsetFileClock.write(path, self.offset)

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.offset

    def go_to(self, moment: dt.datetime) -> None:
        offset = moment - dt.datetime.now(dt.UTC)
        assert offset >= self.offset, "the simulated time only moves forward"
        self.offset = offset
        OffsetFileClock.write(self.path, offset)

    def advance(self, **delta: float) -> None:
        self.offset += dt.timedelta(**delta)
        OffsetFileClock.write(self.path, self.offset)


class City:
    def __init__(self, name, city_code, community, operator_phone, location):
        self.name, self.code, self.community = name, city_code, community
        self.operator_phone, self.location = operator_phone, location
        self.elder = self.volunteer = None


def _account(accounts, role):
    return next(a for a in accounts if a["role"] == role)


SHIJIAZHUANG = City("石家庄", "130100000000", "130102001001",
                    _account(DEMO_ACCOUNTS, "station_operator")["phone"],
                    {"lat": 38.05, "lng": 114.52})
TANGSHAN = City("唐山", "130200000000", "130203001001",
                _account(TANGSHAN_ACCOUNTS, "station_operator")["phone"],
                {"lat": 39.63, "lng": 118.18})
# (China time of the first service of the month, [(city, minutes), ...])
MONTHS = [
    (dt.datetime(2027, 1, 12, 9, 0, tzinfo=CHINA), [(SHIJIAZHUANG, 60), (SHIJIAZHUANG, 90),
                                                     (TANGSHAN, 30)]),
    (dt.datetime(2027, 2, 9, 9, 0, tzinfo=CHINA), [(SHIJIAZHUANG, 120), (TANGSHAN, 60),
                                                    (TANGSHAN, 90)]),
    (dt.datetime(2027, 3, 10, 9, 0, tzinfo=CHINA), [(SHIJIAZHUANG, 30), (TANGSHAN, 120)]),
]


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("months")
    time = SimulatedTime(tmp / "clock-offset")
    with running_platform(tmp, {"CLOCK_FILE": str(time.path)}) as instance:
        yield instance, time, Api(instance.url("gateway"))


def register_people(api, city: City, operator: str) -> None:
    elder_id, elder_phone = new_person_numbers("19470211", "female")
    city.elder = api.call("POST", "/api/v1/elders", {
        "name": f"{city.name}老人", "id_number": elder_id, "phone": elder_phone,
        "address": f"{city.name}市某街道1号", "region_code": city.community,
        "phone_only": True}, token=operator, expect=201).json()
    vol_id, vol_phone = new_person_numbers("19920307", "male")
    city.volunteer = api.call("POST", "/api/v1/volunteers", {
        "name": f"{city.name}志愿者", "id_number": vol_id, "phone": vol_phone,
        "region_code": city.community, "volunteer_number": f"V{vol_phone}",
        "initial_password": "Volunteer@2027", "registry_status": "verified",
        "screening": "clear", "health_declared": True, "training_hours_completed": 8,
    }, token=operator, expect=201).json()
    city.volunteer["phone"] = vol_phone
    assert city.volunteer["eligible"] is True, city.volunteer


def serve(api, time: SimulatedTime, city: City, minutes: int) -> dict:
    """One service, as a station and a volunteer do it: submitted by phone, published,
    claimed, checked in, ``minutes`` later checked out, recorded (not held: presence covers
    the minutes)."""
    operator = api.login(city.operator_phone, PASSWORD)
    if city.elder is None:
        register_people(api, city, operator)
    now = time.now()
    demand = api.call("POST", "/api/v1/demands", {
        "elder_id": city.elder["person_id"], "category": "emotional_comfort",
        "description": "陪老人聊天、读报", "address": f"{city.name}市某街道1号",
        "window_start": (now + dt.timedelta(minutes=2)).isoformat(),
        "window_end": (now + dt.timedelta(hours=4)).isoformat(),
        "expected_minutes": minutes, "volunteers_needed": 1, "channel": "phone",
        "funding_source": "issuance"}, token=operator, expect=201).json()
    demand_id = demand["demand_id"]
    api.call("POST", f"/api/v1/demands/{demand_id}/review", {"decision": "approve"},
             token=operator, expect=200)
    volunteer = api.login(city.volunteer["phone"], "Volunteer@2027")
    api.call("POST", f"/api/v1/demands/{demand_id}/claim", token=volunteer, expect=200)
    api.call("POST", f"/api/v1/demands/{demand_id}/check-in", city.location, token=volunteer,
             expect=200)
    time.advance(minutes=minutes + 1)
    volunteer = api.login(city.volunteer["phone"], "Volunteer@2027")
    api.call("POST", f"/api/v1/demands/{demand_id}/check-out", city.location, token=volunteer,
             expect=200)
    operator = api.login(city.operator_phone, PASSWORD)
    record = api.call("POST", f"/api/v1/demands/{demand_id}/record", {
        "volunteer_id": city.volunteer["person_id"], "minutes": minutes,
        "confirmation": "phone", "note": "电话回访确认"}, token=operator, expect=201).json()
    assert record["status"] == "sent", record
    time.advance(hours=5)  # past the demand's window: the elder may ask again
    return record


def earned(api, city: City) -> int:
    token = api.login(city.volunteer["phone"], "Volunteer@2027")
    return api.call("GET", f"/api/v1/accounts/{city.volunteer['person_id']}", token=token,
                    expect=200).json()["earned_minutes"]


def test_two_cities_over_three_months_read_by_the_province(simulated):
    _, time, api = simulated
    recorded = {SHIJIAZHUANG.code: {}, TANGSHAN.code: {}}
    for first, services in MONTHS:
        time.go_to(first)
        for city, minutes in services:
            serve(api, time, city, minutes)
            month = first.strftime("%Y-%m")
            recorded[city.code].setdefault(month, []).append(minutes)
            # credited before the month ends (the ledger's day is the credit's day)
            total = sum(sum(m) for m in recorded[city.code].values())
            wait_for(lambda: earned(api, city), lambda e: e >= total,  # noqa: B023
                     timeout=90)
    time.go_to(dt.datetime(2027, 4, 1, 9, 0, tzinfo=CHINA))

    province = api.login(_account(DEMO_ACCOUNTS, "province_admin")["phone"], PASSWORD)

    def series(city: City) -> dict:
        return api.call("GET", f"/api/v1/reports/series?region_code={city.code}&period=month"
                               "&from=2027-01-01&to=2027-03-31&measures=services_recorded,"
                               "service_minutes,minutes_credited,active_volunteers",
                        token=province, expect=200).json()

    for city in (SHIJIAZHUANG, TANGSHAN):
        want = [sum(recorded[city.code][m]) for m in ("2027-01", "2027-02", "2027-03")]
        answer = wait_for(lambda: series(city),  # noqa: B023
                          lambda a: [r["values"]["minutes_credited"] for r in a["rows"]]
                          == want, timeout=60)  # noqa: B023
        rows = answer["rows"]
        assert [r["period"] for r in rows] == ["2027-01", "2027-02", "2027-03"]
        assert [r["values"]["service_minutes"] for r in rows] == want
        assert [r["values"]["services_recorded"] for r in rows] == [
            len(recorded[city.code][m]) for m in ("2027-01", "2027-02", "2027-03")]
        assert all(r["values"]["active_volunteers"] == 1 for r in rows)
        assert sum(want) == earned(api, city)  # the read model equals the ledger
        assert answer["as_of"] >= "2027-03-10"  # the platform's simulated time

    breakdown = api.call("GET", f"/api/v1/reports/breakdown?region_code={PROVINCE}"
                                "&from=2027-01-01&to=2027-03-31", token=province,
                         expect=200).json()
    by_city = {row["region_code"]: row["values"] for row in breakdown["rows"]}
    for city in (SHIJIAZHUANG, TANGSHAN):
        assert by_city[city.code]["minutes_credited"] == sum(
            sum(m) for m in recorded[city.code].values())
    assert by_city.get("130600000000", {}).get("services_recorded", 0) == 0  # 保定: none
