"""Benchmark: exporting service records through the real runner (``reporting.app.exports``:
claim, count, server-side cursor, writer, progress every 5,000 rows, rename, finish) as CSV and
XLSX, with a baseline of 10,000 rows measured in the same run, so the ratio of the peak memory
growth shows that memory does not grow with the rows.

    .venv/bin/python tests/perf/bench_exports.py [--rows 1000000] [--baseline 10000]

On a throw-away database (dropped at the end), rows seeded with one ``generate_series``
insert; files in a temporary directory. Memory: the process's resident set high-water mark
(``VmHWM``, reset before each export through ``/proc/self/clear_refs``) minus its resident
set before. Prints the figures; asserts nothing about time.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "services" / "reporting"))

import sqlalchemy as sa  # noqa: E402
from timebank_testing import PG_BASE  # noqa: E402

from reporting.app import exports  # noqa: E402
from timebank_common.caller import Caller  # noqa: E402
from timebank_common.clock import FixedClock  # noqa: E402
from timebank_common.db import UnitOfWork, drop_database, ensure_database, make_engine  # noqa: E402
from timebank_common.migrations import upgrade  # noqa: E402

PROVINCE_ADMIN = Caller("bench", ("province_admin",), "130000000000")
NOW = dt.datetime(2027, 1, 5, 2, tzinfo=dt.UTC)


def seed(engine, rows: int, first: int = 0) -> None:
    """``rows`` records over 2026 in 168 counties' communities."""
    with engine.begin() as conn:
        conn.execute(sa.text("""
            INSERT INTO service_records (record_id, demand_id, volunteer_id, elder_id,
                region_code, volunteer_region_code, carrier_id, category, funding_source,
                recorded_minutes, started_at, ended_at, recorded_at, recorded_by, day,
                credited_minutes, transfer_id, credited_at, version, updated_at)
            SELECT 'r' || lpad(n::text, 9, '0'), 'd' || n, 'v' || (n % 200000), 'e' || (n % 90000),
                '13' || lpad((n % 14 + 1)::text, 2, '0') || lpad((n % 12 + 1)::text, 2, '0')
                    || lpad((n % 20 + 1)::text, 3, '0') || lpad((n % 7 + 1)::text, 3, '0'),
                NULL, 'c' || (n % 2000), 'cat' || (n % 8), 'issuance', 30 + n % 90,
                t - interval '2 hours', t - interval '1 hour', t, 'op' || (n % 500),
                (t AT TIME ZONE 'Asia/Shanghai')::date, 30 + n % 90, 't' || n, t, 1, t
            FROM (SELECT n, timestamptz '2026-01-01 02:00+00' + (n % 364) * interval '1 day'
                             + (n % 600) * interval '1 minute' AS t
                  FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS n) AS s"""),
            {"first": first, "last": first + rows - 1})
        conn.execute(sa.text("ANALYZE service_records"))


def _status(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def export(db, directory: str, fmt: str, rows: int, traced: bool) -> dict[str, float]:
    settings = exports.Settings(dir=directory, every=5000, keep_days=1)
    clock = FixedClock(NOW)
    queue = settings.queue()
    job_id = queue.enqueue(db, "service_records", {"format": fmt, "params": {
        "region_code": "130000000000", "from": "2026-01-01", "to": "2026-12-31"}},
        clock.now(), requested_by="bench", caller=PROVINCE_ADMIN.to_dict())
    Path("/proc/self/clear_refs").write_text("5")  # reset the high-water mark
    before = _status("VmRSS")
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    assert exports.run_next(db, settings, clock.now, "bench") == job_id
    seconds = time.perf_counter() - started
    growth = _status("VmHWM") - before
    python_peak = tracemalloc.get_traced_memory()[1] if traced else float("nan")
    tracemalloc.stop()
    with db() as uow:
        job = queue.get(uow, job_id)
    assert job.status == "done" and job.rows_done == rows, (job.status, job.error)
    size = Path(directory, job.result["file"]).stat().st_size
    Path(directory, job.result["file"]).unlink()
    return {"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds,
            "growth_mb": growth / 2**20, "size_mb": size / 2**20,
            "python_peak_mb": python_peak / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=10_000)
    parser.add_argument("--tracemalloc", action="store_true",
                        help="also the peak of Python's allocations (slower)")
    args = parser.parse_args()
    url = f"{PG_BASE}/tbperf_{uuid.uuid4().hex[:8]}_reporting"
    ensure_database(url)
    upgrade("reporting", url)
    engine = make_engine(url, pool_size=2)

    def db():
        return UnitOfWork(engine)

    try:
        results = {}
        with tempfile.TemporaryDirectory() as directory:
            started = time.perf_counter()
            seed(engine, args.baseline)
            for fmt in ("csv", "xlsx"):  # warm up (imports, caches, pools) before measuring
                export(db, directory, fmt, args.baseline, False)
            for fmt in ("csv", "xlsx"):
                results[("baseline", fmt)] = export(db, directory, fmt, args.baseline,
                                                    args.tracemalloc)
            seed(engine, args.rows - args.baseline, first=args.baseline)
            print(f"seeded {args.rows:,} service records in "
                  f"{time.perf_counter() - started:.1f} s (with the baseline's exports)")
            for fmt in ("csv", "xlsx"):
                results[("full", fmt)] = export(db, directory, fmt, args.rows,
                                                args.tracemalloc)
        for fmt in ("csv", "xlsx"):
            base, full = results[("baseline", fmt)], results[("full", fmt)]
            for name, r in (("baseline", base), ("full", full)):
                traced = (f"  Python peak {r['python_peak_mb']:6.2f} MB" if args.tracemalloc
                          else "")
                print(f"{fmt:4} {name:8} {r['rows']:>9,} rows  {r['seconds']:7.1f} s  "
                      f"{r['rows_per_s']:>8,.0f} rows/s  file {r['size_mb']:7.1f} MB  "
                      f"peak RSS growth {r['growth_mb']:6.2f} MB{traced}")
            key = "python_peak_mb" if args.tracemalloc else "growth_mb"
            what = "Python peak" if args.tracemalloc else "RSS growth"
            if base[key] >= 1:
                print(f"{fmt:4} {args.rows // args.baseline}x the rows: "
                      f"{full[key] / base[key]:.2f}x the baseline's {what}")
            else:
                print(f"{fmt:4} {args.rows // args.baseline}x the rows: {what} "
                      f"{full[key]:.2f} MB against the baseline's {base[key]:.2f} MB")
    finally:
        engine.dispose()
        drop_database(url)


if __name__ == "__main__":
    main()
