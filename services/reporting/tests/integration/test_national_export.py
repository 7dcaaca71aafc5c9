"""The national volunteer system's export (全国志愿服务信息系统) on reporting's real database:
the rows from ``service_records`` (people from a stand-in identity answering as identity's
``national_volunteers``, ``person_names`` and ``place_names`` do), and the memory of what
was delivered — a second export is empty, a corrected record comes back as a correction row,
a voided one with 0 hours, a failed export delivers nothing — and the list of exports."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text

from identity.contracts import InterchangeExport, NationalVolunteers, PersonNames, PlaceNames
from reporting.adapters.tables import national_deliveries, service_records
from reporting.app.national_export import NATIONAL_RECORDS_EXPORT as EXPORT
from reporting.app.national_export import delivered
from timebank_common.caller import Caller
from timebank_common.db import insert_rows
from timebank_common.errors import Conflict, Forbidden

from .conftest import COMMUNITY, OTHER_CITY, PROVINCE_ADMIN, TOWNSHIP_ADMIN

NOVEMBER = {"region_code": "130100000000", "from": "2026-11-01", "to": "2026-11-30"}
STATION = "c-station-1"
OPERATOR = "o-operator-1"
UTC = dt.UTC


class StandInIdentity:
    """identity's three reads as the export asks them, noting each question; the questions
    and answers are checked against identity's contract (what the real RPCs declare)."""

    def __init__(self):
        self.asked: list[tuple[str, int]] = []
        self.exports: list[dict] = []

    def national_volunteers(self, caller, person_ids, export):
        assert Caller.from_dict(caller).is_service("reporting")
        assert len(person_ids) <= 500
        self.asked.append(("national_volunteers", len(person_ids)))
        self.exports.append(export)
        assert InterchangeExport().validate(export) == {}
        return checked(NationalVolunteers, {"items": [{"person_id": pid, "volunteer_number": f"N-{pid}",
                           "name": f"志愿者{pid[-3:]}", "id_type": "resident_id_card",
                           "id_number": f"1301021990{pid[-3:]:0>8}"}
                          for pid in person_ids if pid.startswith("v-")]})

    def person_names(self, person_ids):
        assert len(person_ids) <= 500
        self.asked.append(("person_names", len(person_ids)))
        return checked(PersonNames,
                       {"names": {pid: "张站长" for pid in person_ids if pid == OPERATOR}})

    def place_names(self, region_codes, carrier_ids):
        assert len(carrier_ids) <= 500 and not region_codes
        self.asked.append(("place_names", len(carrier_ids)))
        return checked(PlaceNames, {"regions": {}, "carriers": {
            cid: "育才社区养老服务站" for cid in carrier_ids if cid == STATION}})


def checked(schema, answer):
    assert schema().validate(answer) == {}, answer
    return answer


class StandInDemand:
    def catalog(self):
        return [{"code": "companionship", "name_zh": "陪伴聊天", "name_en": "Companionship"}]


class Context:
    """The export context as the export jobs' runner gives it: one unit of work from the
    first row to ``after_done``, the clock's instant, the RPC proxies."""

    def __init__(self, uow, now, identity, job_id=None):
        self.uow, self.now, self._identity = uow, now, identity
        if job_id:
            self.job_id = job_id

    def rpc(self, name):
        return {"identity": self._identity, "demand": StandInDemand()}[name]


@pytest.fixture
def db(uow_factory):
    return uow_factory("reporting")


@pytest.fixture
def identity():
    return StandInIdentity()


def record(n: int, *, minutes=60, day=dt.date(2026, 11, 2), region=COMMUNITY, version=1,
           credited=True, **changes) -> dict:
    start = dt.datetime.combine(day, dt.time(1, 0), UTC) + dt.timedelta(minutes=n)
    return {"record_id": f"r-{n:05d}", "demand_id": f"d-{n}", "volunteer_id": f"v-{n % 7:03d}",
            "elder_id": "e-1", "region_code": region, "volunteer_region_code": region,
            "carrier_id": STATION, "category": "companionship", "funding_source": "issuance",
            "recorded_minutes": minutes, "started_at": start,
            "ended_at": start + dt.timedelta(minutes=minutes),
            "recorded_at": start + dt.timedelta(hours=2), "recorded_by": OPERATOR, "day": day,
            "credited_minutes": minutes if credited else None,
            "transfer_id": f"t-{n}" if credited else None,
            "credited_at": start + dt.timedelta(hours=3) if credited else None,
            "corrected_at": None, "version": version, "updated_at": start, **changes}


def seed(db, rows):
    with db() as uow:
        insert_rows(uow, service_records, rows)
        uow.commit()


def change(db, record_id, **values):
    with db() as uow:
        uow.execute(service_records.update().where(service_records.c.record_id == record_id)
                    .values(version=service_records.c.version + 1, **values))
        uow.commit()


def export(db, clock, identity, params=NOVEMBER, job_id=None, finish=True):
    """Run the export kind as the runner does: count, rows, then after_done. The rows."""
    job_id = job_id or str(uuid.uuid4())
    with db() as uow:
        ctx = Context(uow, clock.now(), identity, job_id)
        total = EXPORT.count(ctx, params)
        rows = list(EXPORT.rows(ctx, params))
        assert total == len(rows)
        if finish:
            EXPORT.after_done(ctx, params)
            uow.commit()
    return rows


def test_the_rows_are_the_credited_records_of_the_region_and_period_in_national_columns(
        db, clock, identity):
    seed(db, [record(1, minutes=90), record(2, minutes=50, recorded_by=None),
              record(3, credited=False),  # not credited yet: not exported
              record(4, region=OTHER_CITY), record(5, day=dt.date(2026, 12, 1)),
              record(6, started_at=None, ended_at=None)])
    rows = export(db, clock, identity)
    assert [r["reference"] for r in rows] == ["r-00001:1", "r-00002:1", "r-00006:1"]
    first = rows[0]
    assert first == {
        "row_type": "新增", "reference": "r-00001:1", "corrects": "", "corrects_export": "",
        "volunteer_number": "N-v-001", "name": "志愿者001", "id_type": "居民身份证",
        "id_number": "130102199000000001", "organisation": "育才社区养老服务站",
        "project": "陪伴聊天", "content": "时间银行互助养老服务：陪伴聊天",
        "start": "2026-11-02 09:01:00", "end": "2026-11-02 10:31:00",
        "hours": Decimal("1.50"), "minutes": 90, "recorder": "张站长",
        "region_code": COMMUNITY}
    assert (rows[1]["hours"], rows[1]["recorder"]) == (Decimal("0.83"), "市级业务系统")
    assert (rows[2]["start"], rows[2]["end"]) == ("", "")
    assert [r["reference"] for r in export(db, clock, identity,
                                           {**NOVEMBER, "region_code": "130200000000"})] == \
        ["r-00004:1"]


def test_a_second_export_is_empty_then_corrections_come_as_their_own_rows(db, clock, identity):
    seed(db, [record(n) for n in range(1, 5)])
    first = export(db, clock, identity, job_id="job-1")
    assert [r["row_type"] for r in first] == ["新增"] * 4
    assert export(db, clock, identity, job_id="job-2") == []

    change(db, "r-00001", credited_minutes=45, corrected_at=clock.now())  # minutes adjusted
    change(db, "r-00002", credited_minutes=0, corrected_at=clock.now())  # voided
    seed(db, [record(9, minutes=30)])  # recorded since
    rows = {r["reference"]: r for r in export(db, clock, identity, job_id="job-3")}
    assert set(rows) == {"r-00001:2", "r-00002:2", "r-00009:1"}
    adjusted, voided, new = rows["r-00001:2"], rows["r-00002:2"], rows["r-00009:1"]
    assert (adjusted["row_type"], adjusted["corrects"], adjusted["corrects_export"],
            adjusted["hours"], adjusted["minutes"]) == ("更正", "r-00001:1", "job-1",
                                                        Decimal("0.75"), 45)
    assert (voided["row_type"], voided["corrects"], voided["hours"], voided["minutes"]) == \
        ("更正", "r-00002:1", Decimal("0.00"), 0)
    assert (new["row_type"], new["corrects"]) == ("新增", "")
    assert export(db, clock, identity) == []

    with db() as uow:
        last = dict(delivered(uow, "130100000000", dt.date(2026, 11, 1),
                              dt.date(2026, 11, 30)))
        versions = uow.execute(national_deliveries.select().where(
            national_deliveries.c.record_id == "r-00002")).all()
    assert last == {"r-00001": 45, "r-00002": 0, "r-00003": 60, "r-00004": 60, "r-00009": 30}
    assert [(v.version, v.minutes, v.export_id, v.row_type) for v in versions] == [
        (1, 60, "job-1", "new"), (2, 0, "job-3", "correction")]


def test_a_failed_export_delivers_nothing(db, clock, identity):
    seed(db, [record(n) for n in range(1, 4)])
    with db() as uow:  # the job dies half-way: its transaction goes, never committed
        rows = EXPORT.rows(Context(uow, clock.now(), identity), NOVEMBER)
        next(rows)
    assert len(export(db, clock, identity)) == 3
    assert export(db, clock, identity) == []


def test_a_record_changed_while_the_export_runs_is_the_next_exports_correction(
        db, clock, identity):
    seed(db, [record(1), record(2)])
    with db() as uow:
        ctx = Context(uow, clock.now(), identity, "job-1")
        rows = list(EXPORT.rows(ctx, NOVEMBER))
        # a credit_corrected absorbed meanwhile (its own transaction in production)
        uow.execute(service_records.update().where(service_records.c.record_id == "r-00002")
                    .values(version=2, credited_minutes=20))
        seed(db, [record(3)])  # and a record arriving
        EXPORT.after_done(ctx, NOVEMBER)
        uow.commit()
    assert [r["reference"] for r in rows] == ["r-00001:1", "r-00002:1"]
    later = export(db, clock, identity)
    assert [(r["reference"], r["row_type"], r["minutes"], r["corrects_export"])
            for r in later] == [("r-00002:2", "更正", 20, "job-1"), ("r-00003:1", "新增", 60, "")]


def test_a_full_export_carries_every_credited_record_and_its_total_is_the_credited_minutes(
        db, clock, identity):
    minutes = [15, 30, 45, 50, 60, 75, 90, 100, 120, 7]
    seed(db, [record(n, minutes=m) for n, m in enumerate(minutes, 1)])
    export(db, clock, identity)
    change(db, "r-00003", credited_minutes=0)  # voided: nothing to deliver in full
    change(db, "r-00004", credited_minutes=40)
    rows = export(db, clock, identity, {**NOVEMBER, "full": True})
    credited = [m for m in minutes]
    credited[2], credited[3] = 0, 40
    assert len(rows) == 9 and {r["row_type"] for r in rows} == {"新增"}
    assert sum(r["minutes"] for r in rows) == sum(credited)
    assert abs(sum(r["hours"] for r in rows) - Decimal(sum(credited)) / 60) <= \
        Decimal("0.005") * len(rows)


def test_people_are_asked_of_identity_in_batches_of_500_for_the_export(db, clock, identity):
    seed(db, [record(n, volunteer_id=f"v-{n:04d}") for n in range(1, 1203)])
    rows = export(db, clock, identity, job_id="job-big")
    assert len(rows) == 1202 and all(r["name"] for r in rows)
    asked = [n for what, n in identity.asked if what == "national_volunteers"]
    assert asked == [500, 500, 202]
    assert {e["reference"] for e in identity.exports} == {"job-big"}
    assert identity.exports[0] == {"reference": "job-big", "kind": "national_records",
                                   "region_code": "130100000000"}


def test_past_exports_are_listed_for_supervisors_of_the_region(db, clock, identity, reporting):
    seed(db, [record(1), record(2), record(4, region=OTHER_CITY)])
    export(db, clock, identity, job_id="job-sjz")
    clock.advance(hours=1)
    change(db, "r-00001", credited_minutes=30)
    export(db, clock, identity, job_id="job-sjz-2")
    export(db, clock, identity, {**NOVEMBER, "region_code": "130000000000"}, job_id="job-prov")
    listed = reporting.national_exports(PROVINCE_ADMIN, {"region_code": "130000000000"})
    assert [(e["id"], e["rows"], e["corrections"], e["minutes"]) for e in listed["items"]] == [
        ("job-prov", 1, 0, 60), ("job-sjz-2", 1, 1, 30), ("job-sjz", 2, 0, 120)]
    assert listed["items"][1]["from"] == "2026-11-01"
    city = reporting.national_exports(PROVINCE_ADMIN, {"region_code": "130100000000"})
    assert [e["id"] for e in city["items"]] == ["job-sjz-2", "job-sjz"]
    with pytest.raises(Forbidden):
        reporting.national_exports(TOWNSHIP_ADMIN, {"region_code": "130100000000"})
    with pytest.raises(Forbidden):
        EXPORT.authorize(Caller.from_dict(TOWNSHIP_ADMIN), NOVEMBER)
    EXPORT.authorize(Caller.from_dict(PROVINCE_ADMIN), NOVEMBER)


def test_one_national_export_runs_at_a_time(db, clock, identity, database_url):
    seed(db, [record(1)])
    other = create_engine(database_url("reporting"))
    try:
        with other.connect() as running:  # another export's transaction holds the lock
            running.execute(text("SELECT pg_advisory_xact_lock(hashtext("
                                 "'reporting.national_export'))"))
            with db() as uow, pytest.raises(Conflict) as refused:
                next(EXPORT.rows(Context(uow, clock.now(), identity), NOVEMBER))
            assert refused.value.code == "national_export_running"
            running.rollback()
    finally:
        other.dispose()
    assert len(export(db, clock, identity)) == 1
