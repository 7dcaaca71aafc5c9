"""Export jobs end to end on a database of their own (committed, as in production): asked for
over the RPCs, run by the runner into a whole file, downloaded in chunks, taken over after a
process died mid-file, failed with a reason, swept once expired."""
from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import os

import openpyxl
import pytest
import sqlalchemy as sa
from nameko.testing.services import worker_factory

from reporting.adapters.tables import export_jobs, service_records
from reporting.app import exports
from reporting.service import ReportingService
from timebank_common.db import UnitOfWork, make_engine
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound

from .conftest import PROVINCE_ADMIN, TOWNSHIP_ADMIN

UTC = dt.UTC
TOWNSHIP = "130102001000"
SPAN = {"region_code": TOWNSHIP, "from": "2026-06-01", "to": "2026-06-30"}


class Killed(BaseException):
    """The process dies (nothing in the runner catches it)."""


@pytest.fixture
def setup(own_database_url, clock, tmp_path):
    engine = make_engine(own_database_url("reporting"), pool_size=2)

    def db():
        return UnitOfWork(engine)

    config = {"EXPORTS": {"dir": str(tmp_path / "exports"), "lease_seconds": 60,
                          "keep_days": 2, "every": 5}}
    service = worker_factory(ReportingService, db=db, clock=clock, config=config)
    with engine.begin() as conn:
        conn.execute(sa.text("TRUNCATE service_records, export_jobs"))
    yield service, db, exports.Settings.of(config), engine
    engine.dispose()


def seed(engine, count, region="130102001001", day=dt.date(2026, 6, 10)):
    at = dt.datetime(2026, 6, 10, 1, 30, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(service_records.insert(), [{
            "record_id": f"{region}-{n:05d}", "demand_id": f"d{n}", "volunteer_id": f"v{n}",
            "elder_id": "e1", "region_code": region, "carrier_id": "c1",
            "category": "companionship", "funding_source": "issuance", "recorded_minutes": 60,
            "started_at": at, "ended_at": at, "recorded_at": at, "day": day,
            "credited_minutes": 60, "version": 1, "updated_at": at} for n in range(count)])


def download(service, caller, job_id):
    data, offset = b"", 0
    while True:
        chunk = service.export_file_chunk(caller, job_id, offset)
        data += base64.b64decode(chunk["data"])
        offset = chunk["next_offset"]
        if chunk["eof"]:
            return data, chunk


def test_an_export_runs_to_a_whole_file_the_asker_downloads(setup, clock, monkeypatch):
    service, db, settings, engine = setup
    seed(engine, 12)
    seed(engine, 3, region="130202003004")  # another city: not in the file
    job = service.start_export(TOWNSHIP_ADMIN, {"kind": "service_records", "format": "xlsx",
                                                "params": SPAN})
    assert (job["status"], job["percent"], job["file_name"]) == ("queued", None, None)
    with pytest.raises(Conflict) as early:
        service.export_file_chunk(TOWNSHIP_ADMIN, job["id"], 0)
    assert early.value.code == "export_not_ready"
    assert exports.run_next(db, settings, clock.now, "runner-a") == job["id"]
    done = service.export_job(TOWNSHIP_ADMIN, job["id"])
    assert (done["status"], done["percent"], done["rows"], done["total_rows"]) == (
        "done", 100, 12, 12)
    assert done["file_name"].startswith("服务记录_130102001000_") and done["size_bytes"] > 0
    monkeypatch.setattr(exports, "CHUNK_BYTES", 1000)  # several chunks
    data, last = download(service, TOWNSHIP_ADMIN, job["id"])
    assert len(data) == done["size_bytes"] and last["media_type"].endswith("sheet")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == 13 and sheet["A1"].value == "服务记录编号 / Record"
    assert sheet["J2"].value == "2026-06-10 09:30:00"  # started, China time
    assert [item["id"] for item in service.list_exports(TOWNSHIP_ADMIN)["items"]] == [job["id"]]
    assert service.list_exports(PROVINCE_ADMIN)["items"] == []
    with pytest.raises(NotFound):
        service.export_job(PROVINCE_ADMIN, job["id"])  # not theirs
    moved = {**TOWNSHIP_ADMIN, "scope": "130202003000"}  # the same person, another township
    with pytest.raises(Forbidden):
        service.export_file_chunk(moved, job["id"], 0)
    with pytest.raises(Forbidden):
        service.list_exports({**TOWNSHIP_ADMIN, "roles": ["volunteer"]})


def test_a_csv_export_opens_in_excel(setup, clock):
    service, db, settings, engine = setup
    seed(engine, 7)
    job = service.start_export(PROVINCE_ADMIN, {"kind": "service_records", "format": "csv",
                                                "params": {**SPAN, "region_code":
                                                           "130000000000"}})
    exports.run_next(db, settings, clock.now, "runner-a")
    data, last = download(service, PROVINCE_ADMIN, job["id"])
    assert data.startswith(b"\xef\xbb\xbf") and last["media_type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(lines) == 8 and lines[0][0] == "服务记录编号 / Record"


def test_asking_is_checked(setup):
    service, _, _, _ = setup
    with pytest.raises(Forbidden):
        service.start_export(TOWNSHIP_ADMIN, {"kind": "service_records", "format": "csv",
                                              "params": {**SPAN, "region_code":
                                                         "130200000000"}})
    with pytest.raises(BadInput) as unknown:
        service.start_export(TOWNSHIP_ADMIN, {"kind": "payroll", "params": SPAN})
    assert unknown.value.code == "unknown_export_kind"
    with pytest.raises(BadInput):
        service.start_export(TOWNSHIP_ADMIN, {"kind": "service_records", "format": "pdf",
                                              "params": SPAN})
    with pytest.raises(BadInput):
        service.start_export(TOWNSHIP_ADMIN, {"kind": "service_records",
                                              "params": {"region_code": TOWNSHIP}})


def test_a_job_whose_process_died_is_finished_by_another_after_its_lease(setup, clock):
    service, db, settings, engine = setup
    seed(engine, 23)
    job = service.start_export(TOWNSHIP_ADMIN, {"kind": "service_records", "format": "xlsx",
                                                "params": SPAN})
    queue = settings.queue()

    class Dying(type(queue)):  # the first runner's process is killed after 10 rows
        def progress(self, db, job, now, rows_done, total_rows=None, checkpoint=None):
            held = super().progress(db, job, now, rows_done, total_rows, checkpoint)
            if rows_done >= 10:
                raise Killed()
            return held

    with pytest.raises(Killed):
        exports.run_next(db, settings, clock.now, "runner-a",
                         queue=Dying(queue.table, queue.lease, queue.max_attempts))
    half = service.export_job(TOWNSHIP_ADMIN, job["id"])
    assert (half["status"], half["rows"], half["total_rows"], half["percent"]) == (
        "running", 10, 23, 43)
    assert not list((settings_dir := exports.Path(settings.dir)).glob("*.xlsx"))
    assert exports.run_next(db, settings, clock.now, "runner-b") is None  # lease still held
    clock.advance(dt.timedelta(seconds=61))
    assert exports.run_next(db, settings, clock.now, "runner-b") == job["id"]
    done = service.export_job(TOWNSHIP_ADMIN, job["id"])
    assert (done["status"], done["rows"]) == ("done", 23)
    with engine.connect() as conn:
        assert conn.execute(sa.select(export_jobs.c.attempts)).scalar() == 2
    data, _ = download(service, TOWNSHIP_ADMIN, job["id"])
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == [
        f"130102001001-{n:05d}" for n in range(23)]
    assert not list(settings_dir.glob("*.part"))  # the dead runner's is removed on the way out
    leftover = settings_dir / ".dead.part"  # one a process killed outright left behind
    leftover.write_bytes(b"half")
    os.utime(leftover, (clock.now().timestamp(),) * 2)
    assert exports.sweep(db, settings, clock.now()) == 0  # maybe still being written
    clock.advance(dt.timedelta(hours=2))
    assert exports.sweep(db, settings, clock.now()) == 1
    assert not leftover.exists()
    assert (settings_dir / f"{job['id']}.xlsx").exists()  # not expired yet


def test_a_bad_job_fails_with_a_reason_and_files_expire(setup, clock):
    service, db, settings, engine = setup
    queue = settings.queue()
    bad = queue.enqueue(db, "service_records", {"format": "csv", "params": {
        "region_code": TOWNSHIP, "from": "2026-13-01", "to": "2026-06-30"}},
                        clock.now(), requested_by="p-township",
                        caller=TOWNSHIP_ADMIN)
    exports.run_next(db, settings, clock.now, "runner-a")
    failed = service.export_job(TOWNSHIP_ADMIN, bad)
    assert failed["status"] == "failed" and failed["error"]["code"] == "validation_failed"
    assert failed["error"]["zh"] and failed["error"]["en"]
    seed(engine, 2)
    job = service.start_export(TOWNSHIP_ADMIN, {"kind": "service_records", "format": "csv",
                                                "params": SPAN})
    exports.run_next(db, settings, clock.now, "runner-a")
    clock.advance(dt.timedelta(days=2, hours=1))
    service.run_exports()  # nothing to run; sweeps
    assert not (exports.Path(settings.dir) / f"{job['id']}.csv").exists()
    with pytest.raises(Conflict) as gone:
        service.export_file_chunk(TOWNSHIP_ADMIN, job["id"], 0)
    assert gone.value.code == "export_expired"


def test_asking_again_with_the_same_key_answers_the_first_job(setup):
    service, _, _, _ = setup
    request = {"kind": "service_records", "format": "csv", "params": SPAN}
    first = service.start_export(TOWNSHIP_ADMIN, request, idempotency_key="k-1")
    again = service.start_export(TOWNSHIP_ADMIN, request, idempotency_key="k-1")
    assert again["idempotency_replayed"] and again["answer"]["id"] == first["answer"]["id"]
    assert len(service.list_exports(TOWNSHIP_ADMIN)["items"]) == 1


def test_the_series_and_breakdown_kinds_export_the_supervisors_figures(setup, clock):
    service, db, settings, engine = setup
    series = service.start_export(PROVINCE_ADMIN, {"kind": "series", "format": "csv", "params": {
        "region_code": "130000000000", "period": "month", "from": "2026-01-01",
        "to": "2026-12-31", "measures": ["service_minutes", "active_volunteers"]}})
    breakdown = service.start_export(PROVINCE_ADMIN, {"kind": "breakdown", "format": "xlsx",
                                                      "params": {"region_code": "130000000000",
                                                                 "from": "2026-01-01",
                                                                 "to": "2026-12-31"}})
    while exports.run_next(db, settings, clock.now, "runner-a"):
        pass
    data, _ = download(service, PROVINCE_ADMIN, series["id"])
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == ["周期 / Period", "开始日期 / Start", "结束日期 / End",
                        "服务分钟数 / Service minutes", "活跃志愿者数 / Active volunteers"]
    assert [line[0] for line in lines[1:]] == [f"2026-{m:02d}" for m in range(1, 13)]
    done = service.export_job(PROVINCE_ADMIN, breakdown["id"])
    assert done["status"] == "done" and done["file_name"].startswith("下级区划统计_")


def test_a_kind_reaches_only_the_services_reporting_declares(setup):
    service, _, _, _ = setup
    assert service._rpc_proxy("identity") is service.identity
    with pytest.raises(LookupError):
        service._rpc_proxy("db")


def test_a_runner_whose_job_was_taken_over_stops_and_leaves_it_to_the_other(setup, clock):
    service, db, settings, engine = setup
    seed(engine, 12)
    job = service.start_export(TOWNSHIP_ADMIN, {"kind": "service_records", "format": "csv",
                                                "params": SPAN})
    queue = settings.queue()
    taken: list = []

    class Hung(type(queue)):  # runner A stalls past its lease; B takes the job meanwhile
        def progress(self, db, job, now, rows_done, total_rows=None, checkpoint=None):
            if rows_done >= 5 and not taken:
                clock.advance(dt.timedelta(seconds=61))
                taken.append(queue.claim(db, clock.now(), "runner-b"))
            return super().progress(db, job, clock.now(), rows_done, total_rows, checkpoint)

    assert exports.run_next(db, settings, clock.now, "runner-a",
                            queue=Hung(queue.table, queue.lease, queue.max_attempts)) == job["id"]
    assert taken[0] is not None and taken[0].id == job["id"]
    held = service.export_job(TOWNSHIP_ADMIN, job["id"])
    assert held["status"] == "running" and held["rows"] == 0  # A stopped at once, wrote nothing
    assert not list(exports.Path(settings.dir).glob("*"))  # no file, no leftover
    exports._run(db, settings, clock.now, taken[0], None, queue)  # B goes on with it
    done = service.export_job(TOWNSHIP_ADMIN, job["id"])
    assert (done["status"], done["rows"]) == ("done", 12)
