"""Events and service records in → commendation lists and a signed monthly PDF out, on real
PostgreSQL (identity answered by the kit's contract-checked fake): the PDF's text holds the
region, the month, the figures and the names; the verification says genuine until the stored
PDF is altered; the 1st-of-month timer makes each report once, even run twice."""
from __future__ import annotations

import base64
import datetime as dt
import io
import uuid
from types import SimpleNamespace

import pypdf
import pytest
import sqlalchemy as sa
from nameko.testing.services import worker_factory
from timebank_testing.identity_fake import IdentityFake

from reporting.adapters.identity import IdentityNames
from reporting.adapters.report_keys import ReportKeys
from reporting.adapters.tables import milestones_reached, monthly_reports, service_records
from reporting.app import commendation
from reporting.app import monthly as monthly_app
from reporting.app.rebuilding import rebuild
from reporting.domain import monthly
from reporting.service import ReportingService
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound, Unavailable
from timebank_common.tokens import generate_keypair

from .conftest import COMMUNITY, PROVINCE_ADMIN, TOWNSHIP_ADMIN, envelope, feed, recorded

UTC = dt.UTC
CITY, COUNTY, OTHER_CITY, OTHER_COUNTY = ("130100000000", "130102000000", "130200000000",
                                          "130202000000")
STATION, OTHER_STATION = "c-yucai", "c-heping"
CITY_ADMIN = {"person_id": "p-city", "roles": ["city_admin"], "scope": CITY}


@pytest.fixture(scope="module")
def report_key_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-keys")
    private, public = folder / "report-private.pem", folder / "report-public.pem"
    generate_keypair(private, public)
    return {"REPORT_PRIVATE_KEY_FILE": str(private), "REPORT_PUBLIC_KEY_FILE": str(public),
            "PUBLIC_BASE_URL": "https://timebank.example.cn"}


@pytest.fixture
def identity(clock):
    fake = IdentityFake(clock=clock)
    fake.add_region("130000000000", "河北省", "province")
    for code, name, parent in ((CITY, "石家庄市", "130000000000"),
                               (OTHER_CITY, "唐山市", "130000000000")):
        fake.add_region(code, name, "city", parent)
    fake.add_region(COUNTY, "长安区", "county", CITY)
    fake.add_region("130104000000", "桥西区", "county", CITY)
    fake.add_region(OTHER_COUNTY, "路南区", "county", OTHER_CITY)
    fake.add_carrier(STATION, name="育才社区服务站", region_code=COMMUNITY)
    fake.add_carrier(OTHER_STATION, name="和平社区服务站", region_code=COMMUNITY)
    for person, name in (("v1", "王小明"), ("v2", "李芳"), ("v3", "欧阳小红")):
        fake.add_volunteer(person, name=name, region_code=COMMUNITY)
    return fake


@pytest.fixture
def db(uow_factory):
    return uow_factory("reporting")


@pytest.fixture
def reporting(db, clock, identity, report_key_files):
    config = {"CHECK_CONTRACTS": "strict", **report_key_files}
    return worker_factory(ReportingService, db=db, clock=clock, identity=identity,
                          report_keys=ReportKeys(config), config=config)


def at(day: dt.date, hour: int = 2) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def service_record(db, *, day, volunteer, carrier, minutes, demand_id=None, credited=None):
    with db() as uow:
        uow.execute(sa.insert(service_records).values(
            record_id=str(uuid.uuid4()), demand_id=demand_id or str(uuid.uuid4()),
            volunteer_id=volunteer, elder_id="e1", region_code=COMMUNITY, carrier_id=carrier,
            category="companionship", recorded_minutes=minutes, credited_minutes=credited,
            day=day, version=1))
        uow.commit()


def evaluation(demand_id, volunteer, score, day):
    return envelope("evaluation_submitted", {"demand_id": demand_id, "volunteer_id": volunteer,
                                             "elder_id": "e1", "score": score}, at(day))


def milestone(person, level, minutes, day):
    return envelope("milestone_reached", {"person_id": person, "level": level,
                                          "cumulative_minutes": minutes}, at(day))


def november(db, reporting):
    """Six months of service by v1 (long-serving), November's services, evaluations and a
    star level; the stations from service records inserted as the exports' handler keeps them."""
    events = [recorded(at(dt.date(2026, m, 10)), "v1", 60) for m in range(6, 12)]
    events += [recorded(at(dt.date(2026, 11, 12)), "v2", 45),
               recorded(at(dt.date(2026, 10, 12)), "v2", 30),
               milestone("v1", 2, 3000, dt.date(2026, 11, 15)),
               milestone("v3", 1, 600, dt.date(2026, 10, 15)),  # October: not November's
               envelope("demand_submitted", {"demand_id": "d-x", "category": "companionship"},
                        at(dt.date(2026, 11, 3)))]
    demands = [str(uuid.uuid4()) for _ in range(4)]
    for demand in demands[:3]:
        service_record(db, day=dt.date(2026, 11, 10), volunteer="v1", carrier=STATION,
                       minutes=60, demand_id=demand)
    service_record(db, day=dt.date(2026, 11, 12), volunteer="v2", carrier=OTHER_STATION,
                   minutes=45, demand_id=demands[3], credited=40)
    events += [evaluation(demands[0], "v1", 5, dt.date(2026, 11, 11)),
               evaluation(demands[1], "v1", 4, dt.date(2026, 11, 11)),
               evaluation(demands[2], "v1", 5, dt.date(2026, 11, 11)),
               evaluation(demands[3], "v2", 3, dt.date(2026, 11, 13))]
    feed(reporting, events)


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_commendation_lists_from_events_and_service_records(db, reporting, clock):
    clock.set(at(dt.date(2026, 12, 2)))
    november(db, reporting)
    out = reporting.commendation(CITY_ADMIN, {"region_code": CITY, "from": "2026-11-01",
                                              "to": "2026-11-30"})
    assert [(r["name"], r["level"]) for r in out["milestones"]] == [("王*明", 2)]
    assert [(r["name"], r["services"], r["minutes"]) for r in out["busiest_stations"]] == [
        ("育才社区服务站", 3, 180), ("和平社区服务站", 1, 40)]  # credited minutes where credited
    assert [(r["name"], r["mean_score"], r["evaluations"])
            for r in out["best_rated_stations"]] == [("育才社区服务站", 4.67, 3)]
    assert [(r["name"], r["months_served"]) for r in out["long_serving"]] == [("王*明", 6)]
    with pytest.raises(Forbidden):
        reporting.commendation(TOWNSHIP_ADMIN, {"region_code": CITY, "from": "2026-11-01",
                                                "to": "2026-11-30"})
    elsewhere = reporting.commendation(PROVINCE_ADMIN, {"region_code": OTHER_CITY,
                                                        "from": "2026-11-01",
                                                        "to": "2026-11-30"})
    assert not any(elsewhere[k] for k in ("milestones", "busiest_stations",
                                          "best_rated_stations", "long_serving"))


def test_the_rebuild_keeps_the_star_levels_and_evaluations(db, reporting, clock):
    clock.set(at(dt.date(2026, 12, 2)))
    november(db, reporting)
    query = {"region_code": CITY, "from": "2026-11-01", "to": "2026-11-30"}
    live = reporting.commendation(CITY_ADMIN, query)
    rebuild(db, clock.now())
    again = reporting.commendation(CITY_ADMIN, query)
    # the lists kept from events; the stations' come from service records, which this test
    # inserts directly (not from events), so a rebuild from the archive does not have them
    for kept in ("milestones", "long_serving"):
        assert again[kept] == live[kept] and live[kept]
    with db() as uow:
        assert uow.execute(sa.select(sa.func.count()).select_from(milestones_reached)
                           ).scalar() == 2


def test_a_monthly_report_prints_the_figures_and_names_and_verifies(db, reporting, clock):
    clock.set(at(dt.date(2026, 12, 2)))
    november(db, reporting)
    with pytest.raises(BadInput) as refused:
        reporting.generate_monthly_report(CITY_ADMIN, {"region_code": CITY, "month": "2026-12"})
    assert refused.value.code == "month_not_complete"
    with pytest.raises(NotFound):
        reporting.monthly_report(CITY_ADMIN, {"region_code": CITY, "month": "2026-11"})

    made = reporting.generate_monthly_report(CITY_ADMIN, {"region_code": CITY,
                                                          "month": "2026-11"})
    assert made["number"].startswith("YB-1301-202611-")
    assert made["region_name"] == "石家庄市"
    assert made["verify_url"].startswith("https://timebank.example.cn/api/v1/reports/monthly/")
    again = reporting.generate_monthly_report(CITY_ADMIN, {"region_code": CITY,
                                                           "month": "2026-11"})
    assert again == made  # made once per region and month
    assert reporting.monthly_report(CITY_ADMIN, {"region_code": CITY,
                                                 "month": "2026-11"}) == made

    pdf = base64.b64decode(reporting.monthly_report_pdf(CITY_ADMIN, made["number"])
                           ["pdf_base64"])
    text = pdf_text(pdf)
    for expected in ("石家庄市时间银行月度报告", "2026年11月", made["number"], "长安区",
                     "王*明", "育才社区服务站", "和平社区服务站", "4.67", "4.25",
                     made["verify_url"]):
        assert expected in text, expected
    lines = [line.strip() for line in text.splitlines()]

    def this_and_last_month(label):  # the key figures table: label, this month, last month
        at = lines.index(label)
        return lines[at + 1:at + 3]

    assert this_and_last_month("服务次数") == ["2", "2"]
    assert this_and_last_month("服务时长") == ["105", "90"]
    assert this_and_last_month("提交需求") == ["1", "0"]
    assert this_and_last_month("平均评分") == ["4.25", "0"]
    assert this_and_last_month("活跃志愿者") == ["2", "2"]
    with pytest.raises(NotFound):
        reporting.monthly_report_pdf(TOWNSHIP_ADMIN, made["number"])  # another scope

    verified = reporting.verify_monthly_report(made["number"].lower())
    assert verified["genuine"] is True and verified["reason"] is None
    assert (verified["region_name"], verified["month"]) == ("石家庄市", "2026-11")
    assert verified["sha256"] == made["sha256"]
    unknown = reporting.verify_monthly_report(monthly.make_number(CITY, dt.date(2026, 10, 1), 7))
    assert (unknown["genuine"], unknown["reason"]) == (False, "not_found")
    with pytest.raises(BadInput):
        reporting.verify_monthly_report("YB-1301-202611-XXXX")
    with db() as uow:
        uow.execute(sa.update(monthly_reports).values(pdf=pdf + b"%tampered"))
        uow.commit()
    assert reporting.verify_monthly_report(made["number"])["reason"] == "pdf_altered"
    with db() as uow:
        uow.execute(sa.text("UPDATE monthly_reports SET pdf = :pdf, "
                            "content = jsonb_set(content, '{region_name}', '\"唐山市\"')"),
                    {"pdf": pdf})
        uow.commit()
    assert reporting.verify_monthly_report(made["number"])["reason"] == "signature_mismatch"


def test_the_timer_makes_the_previous_months_reports_once_even_run_twice(db, reporting, clock):
    november(db, reporting)
    clock.set(dt.datetime(2026, 11, 30, 16, 30, tzinfo=UTC))  # 1 December 00:30 China time
    reporting.make_monthly_reports()
    with db() as uow:
        assert uow.execute(sa.select(sa.func.count()).select_from(monthly_reports)).scalar() == 0
    clock.set(dt.datetime(2026, 11, 30, 18, 0, tzinfo=UTC))  # 02:00 China time
    reporting.make_monthly_reports()
    with db() as uow:
        first = dict(uow.execute(sa.select(monthly_reports.c.region_code,
                                           monthly_reports.c.number)
                                 .where(monthly_reports.c.month == "2026-11")).all())
    assert set(first) == {"130000000000", CITY, OTHER_CITY, COUNTY, "130104000000",
                          OTHER_COUNTY}
    clock.advance(hours=1)
    reporting.make_monthly_reports()
    with db() as uow:
        second = dict(uow.execute(sa.select(monthly_reports.c.region_code,
                                            monthly_reports.c.number)).all())
    assert second == first
    province = reporting.monthly_report(PROVINCE_ADMIN, {"region_code": "130000000000",
                                                         "month": "2026-11"})
    text = pdf_text(base64.b64decode(
        reporting.monthly_report_pdf(PROVINCE_ADMIN, province["number"])["pdf_base64"]))
    assert "河北省时间银行月度报告" in text and "石家庄市" in text and "唐山市" in text


def test_the_commendation_export_rows(db, reporting, identity, clock):
    clock.set(at(dt.date(2026, 12, 2)))
    november(db, reporting)
    with db() as uow:
        ctx = SimpleNamespace(uow=uow, now=clock.now(), rpc=lambda name: identity)
        rows = list(commendation.rows(ctx, {"region_code": CITY, "from": "2026-11-01",
                                            "to": "2026-11-30"}))
    keys = [key for key, _, _ in commendation.COLUMNS]
    assert all(list(row) == keys for row in rows)
    assert [(r["list"], r["rank"], r["name"]) for r in rows] == [
        ("星级志愿者", 1, "王*明"), ("服务最多的服务站", 1, "育才社区服务站"),
        ("服务最多的服务站", 2, "和平社区服务站"), ("评价最好的服务站", 1, "育才社区服务站"),
        ("长期坚持服务的志愿者", 1, "王*明")]
    assert rows[0]["day"] == "2026-11-15" and rows[0]["level"] == 2
    assert rows[1]["subject_id"] == STATION and rows[3]["mean_score"] == 4.67


def test_without_its_key_reporting_refuses_reports_but_serves_the_rest(db, clock, identity):
    config = {"CHECK_CONTRACTS": "strict"}
    keyless = worker_factory(ReportingService, db=db, clock=clock, identity=identity,
                             report_keys=ReportKeys(config), config=config)
    clock.set(at(dt.date(2026, 12, 2)))
    november(db, keyless)
    with pytest.raises(Unavailable) as refused:
        keyless.generate_monthly_report(CITY_ADMIN, {"region_code": CITY, "month": "2026-11"})
    assert refused.value.code == "report_key_missing"
    with pytest.raises(Unavailable):
        keyless.make_monthly_reports()  # one refusal for the run
    assert keyless.commendation(CITY_ADMIN, {"region_code": CITY, "from": "2026-11-01",
                                             "to": "2026-11-30"})["milestones"]
    with db() as uow:
        assert uow.execute(sa.select(sa.func.count()).select_from(monthly_reports)).scalar() == 0


def test_a_report_another_process_is_making_is_left_to_it(db, reporting, clock, identity,
                                                          database_url, report_key_files):
    """Another process holds (region, month)'s lock: this one makes nothing and says so."""
    clock.set(at(dt.date(2026, 12, 2)))
    engine = sa.create_engine(database_url("reporting"))
    try:
        with engine.connect() as other:
            other.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                          {"k": f"reporting.monthly:{CITY}:2026-11"})
            assert monthly_app.make(db, CITY, dt.date(2026, 11, 1), clock.now(),
                                    IdentityNames(identity), ReportKeys(report_key_files)) is None
            with pytest.raises(Conflict) as refused:
                reporting.generate_monthly_report(CITY_ADMIN, {"region_code": CITY,
                                                               "month": "2026-11"})
            assert refused.value.code == "report_in_progress"
            other.rollback()
        assert reporting.generate_monthly_report(CITY_ADMIN, {"region_code": CITY,
                                                              "month": "2026-11"})["number"]
    finally:
        engine.dispose()
