"""reporting's timers run by two processes at the same moment over the same due work do each
thing once (issue 17 item 5): two reporting workers (``worker_factory``, as two processes'
containers would run the timer) on one real database whose units of work commit (this
module's own), their timer methods released together (``side_by_side``); the exports'
folder sweep, which touches only files, in two real OS processes.

How each stays single: an export is a job claimed under a lease (``timebank_common.jobs``:
``SKIP LOCKED``, then ``running``), so one process writes its file; the sweep deletes a file
that is gone already as nothing (it was deleted once, by the other); a monthly report is
made under a (region, month) advisory lock and stored once (unique constraint, ``ON CONFLICT
DO NOTHING``); 志愿汇 changes are queued under the scan mark's row lock and pushes claimed
``SKIP LOCKED``, so each record version is POSTed once. The lag refresh only reads (newest
event applied, queue depths) into gauges: no test needed."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from nameko.testing.services import worker_factory
from timebank_testing.side_by_side import CommittingDatabase, side_by_side

from reporting.adapters.report_keys import ReportKeys
from reporting.adapters.tables import export_jobs, monthly_reports, service_records
from reporting.service import ReportingService

from .conftest import TOWNSHIP_ADMIN
from .test_exports import SPAN
from .test_monthly_reports import CITY, COUNTY, OTHER_CITY, OTHER_COUNTY
from .test_monthly_reports import identity as identity  # noqa: F401,PLC0414 - the fixture
from .test_monthly_reports import report_key_files as report_key_files  # noqa: F401,PLC0414
from .test_zyh_pushes import SECRET, T0, Receiver

SWEEPER = Path(__file__).with_name("export_sweeper.py")


@pytest.fixture(scope="module")
def url(own_database_url):
    return own_database_url("reporting")


@pytest.fixture(scope="module")
def db(url):
    made = CommittingDatabase(url, pool_size=8)
    yield made
    made.dispose()


def two_processes(db, clock, **config):
    return tuple(worker_factory(ReportingService, db=db, clock=clock,
                                config={"CHECK_CONTRACTS": "strict", **config})
                 for _ in range(2))


def test_two_export_runners_run_each_job_once(db, clock, tmp_path):
    config = {"EXPORTS": {"dir": str(tmp_path), "lease_seconds": 60, "keep_days": 2}}
    first, second = two_processes(db, clock, **config)
    at = dt.datetime(2026, 6, 10, 1, 30, tzinfo=dt.UTC)
    with db() as uow:
        uow.execute(sa.insert(service_records), [{
            "record_id": str(uuid.uuid4()), "demand_id": f"d{n}", "volunteer_id": f"v{n}",
            "elder_id": "e1", "region_code": "130102001001", "carrier_id": "c1",
            "category": "companionship", "funding_source": "issuance", "recorded_minutes": 60,
            "started_at": at, "ended_at": at, "recorded_at": at, "day": at.date(),
            "credited_minutes": 60, "version": 1, "updated_at": at} for n in range(20)])
        uow.commit()
    jobs = [first.start_export(TOWNSHIP_ADMIN, {"kind": "service_records", "format": fmt,
                                                "params": SPAN})["id"]
            for fmt in ("csv", "xlsx", "csv", "xlsx")]
    side_by_side(first.run_exports, second.run_exports)
    with db() as uow:
        ran = {r.id: (r.status, r.attempts, r.rows_done) for r in uow.execute(
            sa.select(export_jobs.c.id, export_jobs.c.status, export_jobs.c.attempts,
                      export_jobs.c.rows_done).where(export_jobs.c.id.in_(jobs)))}
    assert ran == dict.fromkeys(jobs, ("done", 1, 20))
    assert sorted(p.stem for p in tmp_path.iterdir()) == sorted(jobs)  # no temporary left


def test_two_processes_sweeping_one_folder_delete_each_file_once(url, tmp_path):
    """Four rounds of 1,000 temporary files a dead process left (two hours old), each swept
    by two processes at once: each file is deleted once, and neither trips over one the
    other took (a file gone between the listing and its look used to end the sweep with an
    error)."""
    rounds, files, old = 4, 1000, time.time() - 7200
    folders = [tmp_path / f"round{k}" for k in range(rounds)]
    for folder in folders:
        folder.mkdir()
        for n in range(files):
            path = folder / f".{uuid.uuid4()}.{n}.part"
            path.touch()
            os.utime(path, (old, old))
    start_at = f"{time.time() + 3:.3f}"  # both are running by then
    sweepers = [subprocess.Popen([sys.executable, str(SWEEPER), url, start_at, "1.0",
                                  *map(str, folders)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
    answers = [s.communicate(timeout=120) for s in sweepers]
    assert [s.returncode for s in sweepers] == [0, 0], [err for _, err in answers]
    counts = [list(map(int, out.split())) for out, _ in answers]
    assert [a + b for a, b in zip(*counts, strict=True)] == [files] * rounds
    assert [list(folder.iterdir()) for folder in folders] == [[]] * rounds


def test_two_processes_make_each_monthly_report_once(db, clock, identity,  # noqa: F811
                                                     report_key_files):  # noqa: F811
    config = {"CHECK_CONTRACTS": "strict", **report_key_files}
    first, second = (worker_factory(ReportingService, db=db, clock=clock, identity=identity,
                                    report_keys=ReportKeys(config), config=config)
                     for _ in range(2))
    clock.set(dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC))  # 1 December 02:00 China time
    side_by_side(first.make_monthly_reports, second.make_monthly_reports)
    with db() as uow:
        made = uow.execute(sa.select(monthly_reports.c.region_code, sa.func.count())
                           .where(monthly_reports.c.month == "2026-11")
                           .group_by(monthly_reports.c.region_code)).all()
    assert dict(made) == dict.fromkeys(
        ["130000000000", CITY, OTHER_CITY, COUNTY, "130104000000", OTHER_COUNTY], 1)


def test_two_processes_push_each_record_to_zyh_once(db, clock):
    receiver = Receiver()
    try:
        clock.set(T0 + dt.timedelta(minutes=5))
        receiver.now = int(clock.now().timestamp())
        records = [str(uuid.uuid4()) for _ in range(25)]
        with db() as uow:
            uow.execute(sa.insert(service_records), [{
                "record_id": r, "volunteer_id": "v1", "region_code": "130102001001",
                "carrier_id": "st-1", "category": "companionship", "recorded_minutes": 60,
                "credited_minutes": 60, "started_at": T0, "ended_at": T0, "day": T0.date(),
                "version": 1, "updated_at": T0} for r in records])
            uow.commit()
        zyh = {"ZYH": {"enabled": True, "endpoint": receiver.url, "app_id": "tb-app",
                       "secret": SECRET, "timeout_seconds": 5, "batch_size": 10}}
        side_by_side(*(p.push_zyh for p in two_processes(db, clock, **zyh)))
        pushed = [r["serviceRecordId"] for r in receiver.accepted()]
        assert len(pushed) == len(set(pushed))  # (the exports' records are credited too)
        assert set(records) <= set(pushed) and receiver.bad_signatures == 0
    finally:
        receiver.close()
