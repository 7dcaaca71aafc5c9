"""Issue 16 on the real platform over several simulated months: services recorded in two
cities (石家庄 and 唐山) in January, February and March 2027 — the whole platform living at a
simulated time (``CLOCK_FILE``: every process adds the offset the test writes) — and what a
province's supervisors get of them, each equal to what the ledger credited: each city's
monthly series and the province's breakdown by city; the service records exported as XLSX
and CSV (opened and read back); the monthly PDF (its text extracted); the commendation list;
the national volunteer system's export (fields and totals), then only what is new; the
records pushed to a local 志愿汇 that refuses the first push (retried); and the reconciliation
of both channels with the ledger."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from timebank_testing.fake_channels import zyh_server

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
def simulated(tmp_path_factory, channels):
    tmp = tmp_path_factory.mktemp("months")
    time = SimulatedTime(tmp / "clock-offset")
    with zyh_server(now=lambda: time.now().timestamp()) as zyh:
        zyh.statuses = [500]  # 志愿汇 refuses the first push: retried after its back-off
        with running_platform(tmp, channels, {"CLOCK_FILE": str(time.path), **zyh.env(),
                                    "REPORTING_EXPORTS_DIR": str(tmp / "exports"),
                                    "REPORTING_EXPORTS_POLL_SECONDS": "0.5"}
                              ) as instance:
            instance.zyh = zyh
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


@pytest.fixture(scope="module")
def served(simulated):
    """The three months served; what each city recorded per month, and the province admin's
    token (at the simulated 1 April 2027)."""
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
    return recorded, province


def test_two_cities_over_three_months_read_by_the_province(simulated, served):
    _, time, api = simulated
    recorded, province = served

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


QUARTER = {"region_code": PROVINCE, "from": "2027-01-01", "to": "2027-03-31"}


def all_recorded(recorded) -> list[int]:
    return [m for city in recorded.values() for month in city.values() for m in month]


def exported(api, token, kind: str, fmt: str, params: dict) -> tuple[dict, bytes]:
    """An export job asked for, followed to its end, and its file."""
    job = api.call("POST", "/api/v1/reports/exports", {"kind": kind, "format": fmt,
                                                       "params": params},
                   token=token, expect=202).json()
    job = wait_for(lambda: api.call("GET", f"/api/v1/reports/exports/{job['id']}", token=token,
                                    expect=200).json(),
                   lambda j: j["status"] in ("done", "failed"), timeout=90)
    assert job["status"] == "done", job
    file = api.call("GET", f"/api/v1/reports/exports/{job['id']}/file", token=token,
                    expect=200)
    return job, file.content


def xlsx_rows(content: bytes) -> list[dict]:
    import io

    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    headers = [str(h).split(" / ")[0] for h in rows[0]]  # "中文 / English"
    return [dict(zip(headers, row, strict=True)) for row in rows[1:]]


def csv_rows(content: bytes) -> list[dict]:
    import csv
    import io

    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read Chinese
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig")))
    headers = [h.split(" / ")[0] for h in next(reader)]
    return [dict(zip(headers, row, strict=True)) for row in reader]


def test_the_quarters_service_records_exported_as_xlsx_and_csv(simulated, served):
    _, _, api = simulated
    recorded, province = served
    minutes = all_recorded(recorded)
    job, content = exported(api, province, "service_records", "xlsx", QUARTER)
    assert job["file_name"].endswith(".xlsx") and job["rows"] == len(minutes)
    rows = xlsx_rows(content)
    assert sorted(int(r["记录分钟数"]) for r in rows) == sorted(minutes)
    assert sum(int(r["入账分钟数"]) for r in rows) == sum(minutes)
    assert {r["服务地区代码"][:4] for r in rows} == {"1301", "1302"}
    _, content = exported(api, province, "service_records", "csv", QUARTER)
    rows = csv_rows(content)
    assert sorted(int(r["记录分钟数"]) for r in rows) == sorted(minutes)


def test_the_monthly_report_of_a_city_is_a_signed_pdf_with_its_figures(simulated, served):
    import io

    import pypdf

    _, _, api = simulated
    recorded, province = served
    made = api.call("POST", "/api/v1/reports/monthly",
                    {"region_code": SHIJIAZHUANG.code, "month": "2027-02"},
                    token=province, expect=200).json()
    assert made["number"].startswith("YB-1301-202702-")
    pdf = api.call("GET", f"/api/v1/reports/monthly/{made['number']}/pdf", token=province,
                   expect=200).content
    kept = Path(__file__).resolve().parents[2] / "var" / "reports"  # for a person to look at
    kept.mkdir(parents=True, exist_ok=True)
    (kept / "monthly-shijiazhuang-2027-02.pdf").write_bytes(pdf)
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "石家庄市" in text and "2027年2月" in text and made["number"] in text
    february = recorded[SHIJIAZHUANG.code]["2027-02"]
    lines = [line.strip() for line in text.splitlines()]
    at = lines.index("服务时长")  # the key figures: this month, then the month before
    assert lines[at + 1] == str(sum(february)), text
    verified = api.call("GET", f"/api/v1/reports/monthly/verify/{made['number']}",
                        expect=200).json()  # public: no login
    assert verified["genuine"] is True and verified["month"] == "2027-02"


def test_the_commendation_list_of_the_quarter(simulated, served):
    _, _, api = simulated
    recorded, province = served
    lists = api.call("GET", f"/api/v1/reports/commendation?region_code={PROVINCE}"
                            "&from=2027-01-01&to=2027-03-31", token=province,
                     expect=200).json()
    busiest = {row["name"]: row["services"] for row in lists["busiest_stations"]}
    assert sorted(busiest.values(), reverse=True) == sorted(
        (len(all_recorded({c: recorded[c]})) for c in recorded), reverse=True)
    assert all("养老服务站" in name for name in busiest)


def test_the_national_systems_export_equals_the_ledger_then_carries_only_what_is_new(
        simulated, served):
    _, _, api = simulated
    recorded, province = served
    minutes = all_recorded(recorded)
    job, content = exported(api, province, "national_records", "xlsx", QUARTER)
    rows = xlsx_rows(content)
    assert len(rows) == len(minutes) and {r["行类型"] for r in rows} == {"新增"}
    assert sum(int(r["服务时长(分钟)"]) for r in rows) == sum(minutes)
    assert abs(sum(float(r["服务时长(小时)"]) for r in rows) - sum(minutes) / 60) < 0.01
    for row in rows:
        assert row["志愿者编号"].startswith("V") and row["姓名"].endswith("志愿者")
        assert row["证件类型"] == "居民身份证" and len(row["证件号码"]) == 18
        assert row["开始时间"] < row["结束时间"] and row["记录人"]
    again, _ = exported(api, province, "national_records", "csv", QUARTER)
    assert again["rows"] == 0  # everything was delivered by the first
    past = api.call("GET", f"/api/v1/reports/national/exports?region_code={PROVINCE}",
                    token=province, expect=200).json()
    assert [e["rows"] for e in past["items"]][:2] == [0, len(minutes)]


def test_zyh_receives_every_record_once_after_a_refused_push_and_all_reconciles(
        simulated, served):
    platform, _, api = simulated
    recorded, province = served
    minutes = all_recorded(recorded)
    zyh = platform.zyh
    accepted = wait_for(zyh.accepted, lambda a: len(a) >= len(minutes), timeout=120)
    assert zyh.batches[0]["status"] == 500 and zyh.bad_signatures == 0  # refused, then retried
    ids = [r["serviceRecordId"] for r in accepted]
    assert len(ids) == len(set(ids)) == len(minutes)  # each record once
    assert abs(sum(float(r["serviceHours"]) for r in accepted) - sum(minutes) / 60) < 0.01
    state = api.call("GET", "/api/v1/reports/zyh", token=province, expect=200).json()
    assert state["dead"] == 0
    # the national export of the previous test and 志愿汇 both hold what the ledger credited
    answer = wait_for(lambda: api.call(
        "GET", f"/api/v1/reports/reconciliation?region_code={PROVINCE}&from=2027-01-01"
               "&to=2027-03-31", token=province, expect=200).json(),
        lambda a: all(c["ok"] for c in a["channels"]), timeout=60)
    assert {c["channel"] for c in answer["channels"]} == {"national", "zyh"}
    assert answer["ledger"]["minutes"] == sum(minutes)
