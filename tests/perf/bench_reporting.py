"""Benchmark: how fast reporting's read model absorbs events, and how long a province-year
query takes on a read model of realistic size.

    .venv/bin/python tests/perf/bench_reporting.py [--events 5000] [--volunteers 200000]

(a) Absorbing: ``service_recorded`` events across the province's counties, applied as the
    live handler applies them — inbox records, archive rows, the facts of all five levels,
    the service days and their active-volunteer changes, the elder's service day at every
    level (elders served) in one transaction — one event per
    transaction (``handle_once``), then ``BATCH`` per transaction (``handle_batch_once``, as
    the batch handler does).
(b) Seeding: a year of facts for 14 cities × 170 counties (12 per city) × 365 days × 8
    categories × 2 funding sources × 4 measures at the county, city and province levels
    (what 2,000 townships' events roll up to), and a year of service days of ``--volunteers``
    volunteers (about two a month each), with the active-volunteer changes they add (at the
    same three levels), inserted in bulk.
    A year of elder service days of ``--elders`` elders (a service about every four weeks
    each) at the community, county, city and province levels, with the previous day of each
    and their counts by (day, previous day) (as absorbing them keeps them), a fifth of the
    elders holding a hardship category.
(c) The province-year query through the use case (``series``, as the RPC runs it): by month
    with the summed measures, by day with the summed measures, by month with active
    volunteers too, and by month with distinct elders served; and the ``overview`` of the
    province year (every sum, active volunteers, elders served and by category, priority
    elders); each the median of 5 runs.
(d) demand's and matching's figures of the province year (``demand_figures`` and
    ``matching_figures``, the ``demand`` and ``matching`` sections of ``/api/v1/stats``): ``--demands`` demands' progress over the year's communities (exact
    median waits with ``percentile_cont``, counts, payers) and as many service records
    (elders served by category), seeded in bulk; the median of 5 runs.

On a throw-away database (dropped at the end); no broker, no service process.
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "services" / "reporting"))

from timebank_testing import PG_BASE  # noqa: E402

from reporting.app.absorbing import absorb  # noqa: E402
from reporting.app.demand_figures import demand_figures, matching_figures_of  # noqa: E402
from reporting.app.overview import overview  # noqa: E402
from reporting.app.series import series  # noqa: E402
from reporting.entrypoints.events import BATCH  # noqa: E402
from timebank_common.batch_events import handle_batch_once  # noqa: E402
from timebank_common.caller import Caller  # noqa: E402
from timebank_common.clock import FixedClock  # noqa: E402
from timebank_common.db import UnitOfWork, drop_database, ensure_database, make_engine  # noqa: E402
from timebank_common.events import handle_once  # noqa: E402
from timebank_common.migrations import upgrade  # noqa: E402

PROVINCE_ADMIN = Caller("bench", ("province_admin",), "130000000000")
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
CITIES = 14
COUNTIES_PER_CITY = 12  # 168 ≈ Hebei's ~170


def county_codes() -> list[str]:
    return [f"13{city:02d}{county:02d}000000" for city in range(1, CITIES + 1)
            for county in range(1, COUNTIES_PER_CITY + 1)]


def absorbing(db, events: int, batch: int, elders: bool = True) -> float:
    counties = county_codes()
    clock = FixedClock(dt.datetime(2026, 12, 31, tzinfo=dt.UTC))
    envelopes = []
    for n in range(events):
        at = dt.datetime(2026, 1, 1, 2, tzinfo=dt.UTC) + dt.timedelta(minutes=97 * n)
        region = counties[n % len(counties)][:6] + f"{n % 20 + 1:03d}{n % 7 + 1:03d}"
        envelopes.append({
            "event_id": str(uuid.uuid4()), "event_type": "service_recorded",
            "occurred_at": at.isoformat(), "v": 1, "region_code": region,
            "payload": {"record_id": str(uuid.uuid4()), "demand_id": str(uuid.uuid4()),
                        "volunteer_id": f"v{n % 3000}",
                        "elder_id": f"e{n % 5000}" if elders else None,
                        "minutes": 30 + n % 90,
                        "category": f"c{n % 8}", "funding_source": "issuance",
                        "recorded_at": at.isoformat()}})
    started = time.perf_counter()
    if batch == 1:  # as a single-event handler would
        for envelope in envelopes:
            handle_once(db, "reporting.on_service_recorded", envelope,
                        lambda uow, ev: absorb(uow, [ev], clock.now()))
    else:  # as the live batch handler does
        for first in range(0, events, batch):
            handle_batch_once(db, "reporting.on_service_recorded",
                              envelopes[first:first + batch],
                              lambda uow, evs: absorb(uow, evs, clock.now()))
    return events / (time.perf_counter() - started)


SEED_FACTS = """
WITH regions AS (
    SELECT '13' AS prefix, '' AS parent
    UNION ALL SELECT '13' || lpad(c::text, 2, '0'), '13' FROM generate_series(1, :cities) c
    UNION ALL SELECT '13' || lpad(c::text, 2, '0') || lpad(k::text, 2, '0'),
                     '13' || lpad(c::text, 2, '0')
              FROM generate_series(1, :cities) c, generate_series(1, :counties) k)
INSERT INTO facts (region_prefix, parent_prefix, day, measure, category, funding_source, value)
SELECT r.prefix, r.parent, d::date, m, 'c' || cat, f, 1 + (random() * 20)::int
FROM regions r, generate_series(CAST(:first AS date), CAST(:last AS date), interval '1 day') d,
     unnest(ARRAY['services_recorded', 'service_minutes', 'minutes_credited',
                  'demands_submitted']) m,
     generate_series(1, 8) cat, unnest(ARRAY['issuance', 'own_hours']) f
ON CONFLICT DO NOTHING
"""

SEED_SERVICE_DAYS = """
INSERT INTO service_days (region_code, day, volunteer_id)
SELECT '13' || lpad((1 + v % :cities)::text, 2, '0') || lpad((1 + v % :counties)::text, 2, '0')
       || lpad((1 + v % 20)::text, 3, '0') || '001',
       CAST(:first AS date) + ((v * 7 + s * 15) % 365), 'v' || v
FROM generate_series(1, :volunteers) v, generate_series(1, 24) s
ON CONFLICT DO NOTHING
"""

# what absorbing those service days in day order adds (``periods.newly_active``): each day
# makes the volunteer active from the end of the previous day's span to 90 days after it
SEED_ACTIVE_CHANGES = """
WITH levels(len, parent_len) AS (VALUES (2, 0), (4, 2), (6, 4)),
spans AS (
    SELECT substr(region_code, 1, len) AS prefix, substr(region_code, 1, parent_len) AS parent,
           volunteer_id, day,
           lag(day) OVER (PARTITION BY substr(region_code, 1, len), volunteer_id
                          ORDER BY day) AS previous
    FROM service_days, levels),
changes AS (
    SELECT prefix, parent, GREATEST(day, COALESCE(previous + 90, day)) AS day, 1 AS change
    FROM spans WHERE GREATEST(day, COALESCE(previous + 90, day)) < day + 90
    UNION ALL
    SELECT prefix, parent, day + 90, -1 FROM spans
    WHERE GREATEST(day, COALESCE(previous + 90, day)) < day + 90)
INSERT INTO facts (region_prefix, parent_prefix, day, measure, category, funding_source, value)
SELECT prefix, parent, day, 'active_change', '-', '-', sum(change)
FROM changes GROUP BY prefix, parent, day
ON CONFLICT (region_prefix, day, measure, category, funding_source)
DO UPDATE SET value = facts.value + excluded.value
"""


SEED_ELDER_DAYS = """
WITH served AS (
    SELECT DISTINCT '13' || lpad((1 + e % :cities)::text, 2, '0')
                    || lpad((1 + e % :counties)::text, 2, '0')
                    || lpad((1 + e % 20)::text, 3, '0') || '001' AS region_code,
           CAST(:first AS date) + ((e * 11 + s * 28) % 365) AS day, 's' || e AS elder_id
    FROM generate_series(1, :elders) e, generate_series(1, 13) s),
levels(len, parent_len) AS (VALUES (2, 0), (4, 2), (6, 4), (12, 9))
INSERT INTO elder_service_days (region_prefix, elder_id, day, prev_day, parent_prefix)
SELECT substr(region_code, 1, len), elder_id, day,
       lag(day) OVER (PARTITION BY substr(region_code, 1, len), elder_id ORDER BY day),
       substr(region_code, 1, parent_len)
FROM served, levels
ON CONFLICT DO NOTHING
"""

SEED_DAY_COUNTS = """
INSERT INTO elder_day_counts (region_prefix, day, prev_day, parent_prefix, elders)
SELECT region_prefix, day, COALESCE(prev_day, DATE '1900-01-01'), parent_prefix, count(*)
FROM elder_service_days GROUP BY 1, 2, 3, 4
ON CONFLICT (region_prefix, day, prev_day) DO UPDATE
SET elders = elder_day_counts.elders + excluded.elders
"""

SEED_PRIORITIES = """
INSERT INTO elder_priorities (elder_id, category, held)
SELECT 's' || e, (ARRAY['empty_nest', 'disability', 'economic_hardship'])[1 + e % 3], 1
FROM generate_series(1, :elders, 5) e
ON CONFLICT DO NOTHING
"""


def seeding_elders(engine, elders: int) -> tuple[int, int, float]:
    from sqlalchemy import text

    started = time.perf_counter()
    with engine.begin() as conn:
        params = {"cities": CITIES, "counties": COUNTIES_PER_CITY, "first": YEAR[0],
                  "elders": elders}
        conn.execute(text("TRUNCATE elder_service_days, elder_day_counts"))  # (a)'s elders
        conn.execute(text(SEED_ELDER_DAYS), params)
        conn.execute(text(SEED_DAY_COUNTS))
        conn.execute(text(SEED_PRIORITIES), params)
        conn.execute(text("ANALYZE elder_service_days; ANALYZE elder_day_counts; "
                          "ANALYZE elder_priorities"))
        rows = conn.execute(text("SELECT count(*) FROM elder_service_days")).scalar()
        counts = conn.execute(text("SELECT count(*) FROM elder_day_counts")).scalar()
    return rows, counts, time.perf_counter() - started


def overview_seconds(db) -> tuple[float, dict]:
    query = {"region_code": "130000000000", "from_": YEAR[0], "to": YEAR[1]}
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    times, answer = [], {}
    for _ in range(5):
        started = time.perf_counter()
        answer = overview(db, PROVINCE_ADMIN, query, now)
        times.append(time.perf_counter() - started)
    return statistics.median(times), answer


SEED_DEMANDS = """
INSERT INTO demand_progress (demand_id, region_code, submitted_day, submitted_at, category,
    channel, published_at, first_assigned_at, ever_assigned, status_rank, cancel_reason,
    funding_source, funding_chosen_by, fallback, shortfall_minutes, first_candidate_at)
SELECT 'bd' || n, region_code, (at AT TIME ZONE 'Asia/Shanghai')::date, at,
       (ARRAY['companionship', 'cleaning', 'meal', 'medical_escort'])[1 + n % 4],
       (ARRAY['app', 'phone', 'station'])[1 + n % 3],
       CASE WHEN n % 10 <> 0 THEN at + (n % 240) * interval '1 minute' END,
       CASE WHEN n % 5 <> 0 THEN at + (n % 1440) * interval '1 minute' END,
       n % 5 <> 0, (ARRAY[0, 1, 2, 3, 5, 6, 6, 9, 8, 9])[1 + n % 10],
       CASE WHEN n % 10 = 9 THEN 'expired' END,
       (ARRAY['issuance', 'own_hours', 'grant'])[1 + n % 3],
       (ARRAY['default', 'elder', 'operator', 'proxy'])[1 + n % 4], n % 50 = 0,
       CASE WHEN n % 50 = 0 THEN 30 ELSE 0 END,
       CASE WHEN n % 10 <> 0 AND n % 4 <> 0 THEN at + (n % 240 + n % 90) * interval '1 minute'
       END
FROM (SELECT n, '13' || lpad((1 + n % :cities)::text, 2, '0')
               || lpad((1 + n % :counties)::text, 2, '0')
               || lpad((1 + n % 20)::text, 3, '0') || '001' AS region_code,
             CAST(:first AS timestamptz) + (n % 365) * interval '1 day'
             + (n % 600) * interval '1 minute' AS at
      FROM generate_series(1, :demands) n) d
"""

SEED_RECORDS = """
INSERT INTO service_records (record_id, demand_id, volunteer_id, elder_id, region_code,
    category, funding_source, recorded_minutes, recorded_at, day, credited_minutes,
    version, updated_at)
SELECT 'br' || n, 'bd' || n, 'v' || (n % 200000), 'e' || (n % :elders), region_code,
       (ARRAY['companionship', 'cleaning', 'meal', 'medical_escort'])[1 + n % 4],
       'issuance', 60, now(), CAST(:first AS date) + (n % 365), 60, 1, now()
FROM (SELECT n, '13' || lpad((1 + n % :cities)::text, 2, '0')
               || lpad((1 + n % :counties)::text, 2, '0')
               || lpad((1 + n % 20)::text, 3, '0') || '001' AS region_code
      FROM generate_series(1, :demands) n) r
"""


def seeding_demands(engine, demands: int, elders: int) -> float:
    from sqlalchemy import text

    started = time.perf_counter()
    with engine.begin() as conn:
        params = {"cities": CITIES, "counties": COUNTIES_PER_CITY, "first": YEAR[0],
                  "demands": demands, "elders": elders}
        conn.execute(text(SEED_DEMANDS), params)
        conn.execute(text(SEED_RECORDS), params)
        conn.execute(text("ANALYZE demand_progress; ANALYZE service_records"))
    return time.perf_counter() - started


def demand_figures_seconds(db, figures=demand_figures) -> tuple[float, dict]:
    query = {"region_code": "130000000000", "from_": YEAR[0], "to": YEAR[1]}
    times, answer = [], {}
    for _ in range(5):
        started = time.perf_counter()
        answer = figures(db, PROVINCE_ADMIN, query)
        times.append(time.perf_counter() - started)
    return statistics.median(times), answer


def seeding(engine, volunteers: int) -> tuple[int, int, float]:
    started = time.perf_counter()
    with engine.begin() as conn:
        from sqlalchemy import text

        params = {"cities": CITIES, "counties": COUNTIES_PER_CITY, "first": YEAR[0],
                  "last": YEAR[1], "volunteers": volunteers}
        conn.execute(text(SEED_FACTS), params)
        conn.execute(text(SEED_SERVICE_DAYS), params)
        conn.execute(text(SEED_ACTIVE_CHANGES))
        conn.execute(text("ANALYZE facts; ANALYZE service_days"))
        facts = conn.execute(text("SELECT count(*) FROM facts")).scalar()
        days = conn.execute(text("SELECT count(*) FROM service_days")).scalar()
    return facts, days, time.perf_counter() - started


def query_seconds(db, period: str, measures: list[str]) -> tuple[float, dict]:
    query = {"region_code": "130000000000", "period": period, "from_": YEAR[0],
             "to": YEAR[1], "measures": measures}
    now = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
    times, answer = [], {}
    for _ in range(5):
        started = time.perf_counter()
        answer = series(db, PROVINCE_ADMIN, query, now)
        times.append(time.perf_counter() - started)
    return statistics.median(times), answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--volunteers", type=int, default=200_000)
    parser.add_argument("--elders", type=int, default=100_000)
    parser.add_argument("--elders-only", action="store_true",
                        help="only the elders' seeding and queries (and the overview)")
    parser.add_argument("--demands", type=int, default=200_000)
    parser.add_argument("--demands-only", action="store_true",
                        help="only (d): demand's figures of the province year")
    parser.add_argument("--absorb-only", action="store_true",
                        help="only (a), with and without the elders' service days")
    args = parser.parse_args()
    url = f"{PG_BASE}/tbperf_{uuid.uuid4().hex[:8]}_reporting"
    ensure_database(url)
    upgrade("reporting", url)
    engine = make_engine(url, pool_size=2)
    db = lambda: UnitOfWork(engine)  # noqa: E731
    try:
        if args.demands_only:
            demand_case(engine, db, args)
            return
        if args.absorb_only:
            for elders in (False, True):
                rate = absorbing(db, args.events, BATCH, elders)
                print(f"absorbed: {args.events} service_recorded events, {BATCH} per "
                      f"transaction, {'with' if elders else 'without'} elder service days: "
                      f"{rate:,.0f} events/s")
            return
        for batch in () if args.elders_only else (1, BATCH):
            rate = absorbing(db, args.events, batch)
            print(f"absorbed: {args.events} service_recorded events, {batch} per transaction "
                  f"(inbox, archive, 5 levels of facts, service day and active changes): "
                  f"{rate:,.0f} events/s")
        summed = ["services_recorded", "service_minutes", "minutes_credited",
                  "demands_submitted"]
        if not args.elders_only:
            facts, days, seconds = seeding(engine, args.volunteers)
            print(f"seeded: {facts:,} fact rows, {days:,} service days in {seconds:.1f} s")
        rows, counts, seconds = seeding_elders(engine, args.elders)
        print(f"seeded: {rows:,} elder service day rows (4 levels) of {args.elders:,} elders, "
              f"{counts:,} day-count rows, in {seconds:.1f} s")
        for period, measures in (() if args.elders_only else (
                ("month", summed), ("day", summed),
                ("month", [*summed, "active_volunteers"]))) + (
                ("month", ["elders_served"]), ("day", ["elders_served"])):
            seconds, answer = query_seconds(db, period, measures)
            print(f"province-year by {period}, {', '.join(measures)}: "
                  f"{seconds * 1000:.1f} ms (median of 5), {len(answer['rows'])} rows; "
                  f"first row {answer['rows'][0]['values']}")
        seconds, figures = overview_seconds(db)
        print(f"province-year overview: {seconds * 1000:.1f} ms (median of 5); elders served "
              f"{figures['elders_served']:,}, by category {figures['elders_served_by_category']}"
              f", active volunteers {figures['active_volunteers']:,}")
        demand_case(engine, db, args)
    finally:
        engine.dispose()
        drop_database(url)


def demand_case(engine, db, args) -> None:
    seconds = seeding_demands(engine, args.demands, args.elders)
    print(f"seeded: {args.demands:,} demands' progress and as many service records in "
          f"{seconds:.1f} s")
    seconds, figures = demand_figures_seconds(db)
    print(f"province-year demand_figures: {seconds * 1000:.1f} ms (median of 5); "
          f"{figures['demands']['total']:,} demands, submission to publication "
          f"{figures['timing']['submission_to_publication']}, elders served "
          f"{figures['served']['elders']:,}")
    seconds, figures = demand_figures_seconds(db, matching_figures_of)
    print(f"province-year matching_figures: {seconds * 1000:.1f} ms (median of 5); "
          f"{figures['published']:,} published, match rate {figures['match_rate']}, first "
          f"candidate {figures['time_to_first_candidate_seconds']}")


if __name__ == "__main__":
    main()
