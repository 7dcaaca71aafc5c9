"""Background jobs on real PostgreSQL (``timebank_common.jobs``): one claimer per job, progress
committed as it goes, a job whose process died is taken over after its lease (and the old
holder can no longer write), a job that dies every time is given up, finish and fail."""
import datetime as dt

import pytest
from sqlalchemy import MetaData, create_engine, text

from timebank_common import jobs
from timebank_common.db import UnitOfWork, drop_database, ensure_database

NOW = dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC)
metadata = MetaData()
table = jobs.job_table(metadata, "test_jobs")


@pytest.fixture(scope="module")
def engine(run_id):
    from timebank_testing import PG_BASE

    url = f"{PG_BASE}/tbtest_{run_id}_jobs"
    ensure_database(url)
    engine = create_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()
    drop_database(url)


@pytest.fixture
def db(engine):
    with engine.begin() as conn:
        conn.execute(text("TRUNCATE test_jobs"))
    return lambda: UnitOfWork(engine)


@pytest.fixture
def queue():
    return jobs.JobQueue(table, lease=dt.timedelta(seconds=30), max_attempts=2)


def _job(db, queue, job_id):
    with db() as uow:
        return queue.get(uow, job_id)


def test_a_job_is_claimed_once_and_reports_progress_until_done(db, queue):
    job_id = queue.enqueue(db, "export", {"region_code": "130100000000"}, NOW,
                           requested_by="u1", caller={"role": "city_admin"})
    first = queue.claim(db, NOW, "p1")
    assert first is not None and first.id == job_id and first.attempts == 1
    assert first.params == {"region_code": "130100000000"}
    assert queue.claim(db, NOW, "p2") is None  # held under its lease
    assert queue.progress(db, first, NOW + dt.timedelta(seconds=10), 500, 2000, {"after": "x"})
    row = _job(db, queue, job_id)
    assert (row.status, row.rows_done, row.total_rows, row.checkpoint) == (
        jobs.RUNNING, 500, 2000, {"after": "x"})
    assert jobs.percent(row.rows_done, row.total_rows, row.status) == 25
    assert queue.finish(db, first, NOW + dt.timedelta(seconds=20), {"file": "a.csv"}, 2000)
    row = _job(db, queue, job_id)
    assert (row.status, row.result, row.lease_owner) == (jobs.DONE, {"file": "a.csv"}, None)
    assert jobs.percent(row.rows_done, row.total_rows, row.status) == 100


def test_a_job_whose_process_died_is_taken_over_after_its_lease(db, queue):
    job_id = queue.enqueue(db, "export", {}, NOW)
    dead = queue.claim(db, NOW, "p1")
    assert dead is not None
    assert queue.progress(db, dead, NOW + dt.timedelta(seconds=20), 100, checkpoint=7)
    # p1 dies: nothing renews its lease (now until NOW+50 s)
    assert queue.claim(db, NOW + dt.timedelta(seconds=49), "p2") is None
    taken = queue.claim(db, NOW + dt.timedelta(seconds=51), "p2")
    assert taken is not None and (taken.id, taken.attempts, taken.checkpoint) == (job_id, 2, 7)
    # the old holder, had it only hung, can write nothing more
    assert not queue.progress(db, dead, NOW + dt.timedelta(seconds=52), 200)
    assert not queue.finish(db, dead, NOW + dt.timedelta(seconds=52), {"file": "half"})
    assert queue.finish(db, taken, NOW + dt.timedelta(seconds=60), {"file": "whole"})
    assert _job(db, queue, job_id).result == {"file": "whole"}


def test_a_job_that_dies_every_time_is_given_up(db, queue):
    job_id = queue.enqueue(db, "import", {}, NOW)
    assert queue.claim(db, NOW, "p1") is not None
    assert queue.claim(db, NOW + dt.timedelta(minutes=1), "p2") is not None  # attempt 2
    assert queue.claim(db, NOW + dt.timedelta(minutes=2), "p3") is None
    row = _job(db, queue, job_id)
    assert row.status == jobs.FAILED and row.error["code"] == "job_gave_up"


def test_a_failed_job_keeps_its_reason_and_kinds_filter_claims(db, queue):
    export_id = queue.enqueue(db, "export", {}, NOW)
    import_id = queue.enqueue(db, "import", {}, NOW + dt.timedelta(seconds=1))
    job = queue.claim(db, NOW, "p1", kinds=("import",))
    assert job is not None and job.id == import_id
    assert queue.fail(db, job, NOW, "bad_file", "文件无法读取", "The file cannot be read")
    assert _job(db, queue, import_id).error == {"code": "bad_file", "zh": "文件无法读取",
                                                "en": "The file cannot be read"}
    with db() as uow:
        assert [r.id for r in queue.of_requester(uow, "nobody")] == []
    assert _job(db, queue, export_id).status == jobs.QUEUED
    assert jobs.percent(0, None, jobs.RUNNING) is None and jobs.percent(0, 0, jobs.RUNNING) == 0
