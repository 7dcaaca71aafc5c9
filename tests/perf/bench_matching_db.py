"""Benchmark: ``candidates_for`` against PostgreSQL on a synthetic city of ``--volunteers`` (a
throw-away database): (1) volunteers loaded per query (grid cells + a radius bound in SQL); (2)
the per-process index the service runs (``matching.index_cache``): a base built once, plus the
volunteers changed since, reloaded per query.

    .venv/bin/python tests/perf/bench_matching_db.py [--volunteers 50000] [--queries 200]

bench_matching.py measures the in-memory index alone over 500,000 volunteers.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "services" / "matching"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_matching import NOW, make_demands, make_volunteers  # noqa: E402

from matching import volunteer_repository as vrepo  # noqa: E402
from matching.domain import geo  # noqa: E402
from matching.domain.candidates import VolunteerIndex  # noqa: E402
from matching.index_cache import IndexCache  # noqa: E402
from matching.tables import assignments, volunteer_history, volunteer_preferences, volunteers  # noqa: E402
from timebank_common.db import UnitOfWork, drop_database, insert_rows, make_engine  # noqa: E402
from timebank_common.migrations import upgrade  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"


def load_city(engine, people) -> None:
    with UnitOfWork(engine) as uow:
        for i in range(0, len(people), 5000):
            chunk = people[i:i + 5000]
            insert_rows(uow.session, volunteers, [
                {"person_id": v.person_id, "region_code": "130102001001", "eligible": True,
                 "qualifications": sorted(v.qualifications), "as_of": NOW} for v in chunk])
            insert_rows(uow.session, volunteer_preferences, [
                {"person_id": v.person_id, "home_lat": v.lat, "home_lng": v.lng,
                 "cell": geo.cell_of(v.lat, v.lng), "radius_km": v.radius_km,
                 "availability": [], "updated_at": NOW} for v in chunk])
            insert_rows(uow.session, volunteer_history, [
                {"volunteer_id": v.person_id, "completed": v.completed, "no_shows": v.no_shows,
                 "rating_sum": v.rating_sum, "rating_count": v.rating_count} for v in chunk])
            busy = [{"demand_id": str(uuid.uuid4()), "volunteer_id": v.person_id,
                     "window_start": s, "window_end": e} for v in chunk for s, e in v.busy]
            if busy:
                insert_rows(uow.session, assignments, busy)
        uow.commit()
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--volunteers", type=int, default=50_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    url = f"{PG}/tbbench_matching_{uuid.uuid4().hex[:8]}"
    upgrade("matching", url)
    engine = make_engine(url)
    try:
        people = make_volunteers(args.volunteers, 2026)
        t0 = time.perf_counter()
        load_city(engine, people)
        print(f"loaded {len(people):,} volunteers into PostgreSQL in "
              f"{time.perf_counter() - t0:.1f} s")
        demands = random.Random(1).sample(make_demands(5_000, 2026), args.queries)
        times, found = [], []
        for d in demands:
            t = time.perf_counter()
            with UnitOfWork(engine) as uow:
                index = VolunteerIndex(vrepo.volunteers_near(uow, [(d.lat, d.lng)], NOW))
            found.append(len(index.candidates(d)))
            times.append((time.perf_counter() - t) * 1000)
        p50, p99 = np.percentile(times, [50, 99])
        print(f"candidates_for, volunteers loaded per query: p50 {p50:.1f} ms, p99 {p99:.1f} ms, "
              f"max {max(times):.1f} ms over {len(demands)} demands; median candidates "
              f"{int(np.median(found))}")
        cache = IndexCache()
        t0 = time.perf_counter()
        with UnitOfWork(engine) as uow:
            cache.candidates(uow, demands[0], 20, NOW)
        print(f"per-process index (what the service runs): base of {len(cache.base):,} "
              f"volunteers built in {time.perf_counter() - t0:.1f} s")
        times = []
        for i, d in enumerate(demands):
            with UnitOfWork(engine) as uow:  # one volunteer changes between queries
                vrepo.add_history(uow, people[i].person_id, completed=1)
                uow.commit()
            t = time.perf_counter()
            with UnitOfWork(engine) as uow:
                cache.candidates(uow, d, 20, NOW)
            times.append((time.perf_counter() - t) * 1000)
        p50, p99 = np.percentile(times, [50, 99])
        print(f"candidates_for with the per-process index ({len(demands)} changes applied "
              f"on the way): p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(times):.1f} ms")
    finally:
        engine.dispose()
        drop_database(url)


if __name__ == "__main__":
    main()
