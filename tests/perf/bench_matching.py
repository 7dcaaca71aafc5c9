"""Benchmark: matching's candidate search, batch dispatch and dispatch quality on a synthetic city.

    .venv/bin/python tests/perf/bench_matching.py                  # full size (issue 6)
    .venv/bin/python tests/perf/bench_matching.py --volunteers 50000 --demands 2000 \
        --dispatch-demands 500 --dispatch-volunteers 5000           # a quick run

A Shijiazhuang-like city: ~15,000 km² (37.45–38.75° N, 113.6–115.5° E), a dense urban centre
(about half the people within ~8 km of 38.04° N 114.51° E), 22 county towns, and a thin rural
spread. Volunteers have service radii of 1–20 km, some qualifications, weekly hours (40 % "any
time"), history (completions, no-shows, ratings, minutes this month) and 5 % an assignment in
the coming fortnight. Demands follow the people, in the next 14 days between 08:00 and 18:00,
10 % need a nurse, 20 % are for priority elders, 5 % are group demands of 3–5.

Measures (the same domain code the service runs):
1. candidates_for: build the in-memory index of all volunteers, then p50/p99 latency of the
   ranked top 20 over ``--queries`` random demands (bar: p99 ≤ 50 ms);
2. dispatch of ``--dispatch-demands`` demands × ``--dispatch-volunteers`` volunteers: wall time
   (bar ≤ 30 s) and memory (peak RSS of the process, and the rise during dispatch);
3. quality: on small instances, the dispatch objective against the exact optimum of an integer
   programme (bar ≥ 99 %).
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "services" / "matching"))

from matching.domain import availability as avail  # noqa: E402
from matching.domain.candidates import DemandToMatch, Volunteer  # noqa: E402
from matching.domain.dispatch import exact_dispatch, objective, plan_dispatch  # noqa: E402
from matching.domain.volunteer_index import VolunteerIndex  # noqa: E402

NOW = dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC)
CENTRE = (38.04, 114.51)
LAT_RANGE, LNG_RANGE = (37.45, 38.75), (113.6, 115.5)


def city_points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    towns = np.column_stack([rng.uniform(*LAT_RANGE, 22), rng.uniform(*LNG_RANGE, 22)])
    kind = rng.choice(3, size=n, p=[0.55, 0.35, 0.10])
    lat, lng = np.empty(n), np.empty(n)
    c = kind == 0  # urban centre, sigma ≈ 7 km
    lat[c] = rng.normal(CENTRE[0], 0.063, c.sum())
    lng[c] = rng.normal(CENTRE[1], 0.08, c.sum())
    t = kind == 1  # county towns, sigma ≈ 3 km
    which = rng.integers(0, len(towns), t.sum())
    lat[t] = rng.normal(towns[which, 0], 0.027)
    lng[t] = rng.normal(towns[which, 1], 0.034)
    r = kind == 2  # countryside
    lat[r] = rng.uniform(*LAT_RANGE, r.sum())
    lng[r] = rng.uniform(*LNG_RANGE, r.sum())
    return np.clip(lat, *LAT_RANGE), np.clip(lng, *LNG_RANGE)


def make_volunteers(n: int, seed: int) -> list[Volunteer]:
    rng = np.random.default_rng(seed)
    pick = random.Random(seed)
    lat, lng = city_points(rng, n)
    radii = rng.choice([1.0, 3.0, 5.0, 5.0, 10.0, 20.0], n)
    out = []
    for i in range(n):
        kinds = frozenset(k for k, p in (("nurse", 0.05), ("doctor", 0.02), ("lawyer", 0.01))
                          if pick.random() < p)
        if pick.random() < 0.4:
            hours = avail.ALWAYS
        else:
            days = pick.sample(range(7), 3)
            start, end = pick.choice([("08:00", "12:00"), ("14:00", "18:00"), ("08:00", "18:00")])
            hours = avail.mask_of_windows([{"weekday": d, "start": start, "end": end}
                                           for d in days])
        busy = ()
        if pick.random() < 0.05:
            s = NOW + dt.timedelta(days=pick.randint(0, 13), hours=pick.randint(0, 9))
            busy = ((s, s + dt.timedelta(hours=2)),)
        completed = pick.randint(0, 40)
        out.append(Volunteer(
            f"v{i:07d}", float(lat[i]), float(lng[i]), float(radii[i]), kinds, hours, busy,
            completed, pick.randint(0, 3) if completed else 0,
            float(completed * pick.uniform(3.5, 5.0)), completed, pick.randint(0, 1800),
            frozenset({f"e{pick.randint(0, 50_000)}"}) if pick.random() < 0.1 else frozenset()))
    return out


def make_demands(n: int, seed: int) -> list[DemandToMatch]:
    rng = np.random.default_rng(seed + 1)
    pick = random.Random(seed + 1)
    lat, lng = city_points(rng, n)
    out = []
    for j in range(n):
        local_day = NOW + dt.timedelta(days=pick.randint(1, 14))
        start = local_day + dt.timedelta(hours=pick.randint(0, 8))  # 08:00–16:00 Shanghai
        length = pick.choice([1, 1, 2, 2, 3])
        out.append(DemandToMatch(
            f"d{j:06d}", f"e{pick.randint(0, 50_000)}", float(lat[j]), float(lng[j]), start,
            start + dt.timedelta(hours=length),
            frozenset({"nurse"}) if pick.random() < 0.1 else frozenset(),
            pick.randint(3, 5) if pick.random() < 0.05 else 1, pick.random() < 0.2,
            NOW - dt.timedelta(days=pick.uniform(0, 10))))
    return out


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_candidates(volunteers, demands, queries: int, seed: int) -> None:
    t0 = time.perf_counter()
    index = VolunteerIndex(volunteers)
    built = time.perf_counter() - t0
    pick = random.Random(seed)
    sample = [pick.choice(demands) for _ in range(queries)]
    for d in sample[:20]:  # warm-up
        index.candidates(d)
    times, found = [], []
    for d in sample:
        t = time.perf_counter()
        found.append(len(index.candidates(d)))
        times.append((time.perf_counter() - t) * 1000)
    p50, p99 = np.percentile(times, [50, 99])
    print(f"candidates_for: {len(volunteers):,} volunteers indexed in {built:.1f} s; "
          f"{queries:,} random demands of {len(demands):,}")
    print(f"  latency p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {max(times):.2f} ms "
          f"(bar p99 <= 50 ms: {'PASS' if p99 <= 50 else 'FAIL'}); "
          f"median candidates returned {int(np.median(found))}, none for "
          f"{sum(f == 0 for f in found)}")


def bench_dispatch(volunteers, demands, n_demands: int, n_volunteers: int, seed: int) -> None:
    pick = random.Random(seed + 2)
    chosen_v = pick.sample(volunteers, min(n_volunteers, len(volunteers)))
    chosen_d = pick.sample(demands, min(n_demands, len(demands)))
    before = rss_mb()
    t0 = time.perf_counter()
    index = VolunteerIndex(chosen_v)
    proposals = plan_dispatch(chosen_d, index, NOW)
    took = time.perf_counter() - t0
    slots = sum(d.open_slots for d in chosen_d)
    by_volunteer: dict[str, list] = {}
    windows = {d.demand_id: d for d in chosen_d}
    for p in proposals:
        by_volunteer.setdefault(p.volunteer_id, []).append(windows[p.demand_id])
    clashes = sum(1 for ds in by_volunteer.values() for a in ds for b in ds
                  if a is not b and a.window_start < b.window_end and b.window_start < a.window_end)
    print(f"dispatch: {len(chosen_d):,} demands ({slots:,} slots) x {len(chosen_v):,} volunteers "
          f"in {took:.1f} s (bar <= 30 s: {'PASS' if took <= 30 else 'FAIL'})")
    print(f"  matched {len(proposals):,} slots ({len(proposals) / slots:.1%}), "
          f"mean distance {np.mean([p.distance_km for p in proposals]):.2f} km, "
          f"overlapping assignments {clashes}")
    tracemalloc.start()  # a second, traced run: what the dispatch itself allocates at peak
    plan_dispatch(chosen_d, VolunteerIndex(chosen_v), NOW)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  memory: dispatch's own peak allocation {peak / 2**20:.0f} MB (tracemalloc, index "
          f"included); process peak RSS {rss_mb():.0f} MB, of which {before:.0f} MB before "
          f"dispatch (the synthetic city)")


def bench_quality(instances: int, seed: int) -> None:
    print(f"quality on {instances} small instances (80 volunteers x 50 demands, one county):")
    worst = 1.0
    for i in range(instances):
        rng = random.Random(seed + 100 + i)
        vols = [Volunteer(f"v{k}", CENTRE[0] + rng.gauss(0, 0.05), CENTRE[1] + rng.gauss(0, 0.06),
                          rng.choice([2.0, 5.0, 10.0]),
                          frozenset({"nurse"}) if rng.random() < 0.2 else frozenset())
                for k in range(80)]
        ds = []
        for j in range(50):
            start = NOW + dt.timedelta(hours=rng.randint(0, 30))
            ds.append(DemandToMatch(
                f"d{j}", "e", CENTRE[0] + rng.gauss(0, 0.05), CENTRE[1] + rng.gauss(0, 0.06),
                start, start + dt.timedelta(hours=rng.choice([1, 2, 3])),
                frozenset({"nurse"}) if rng.random() < 0.1 else frozenset(),
                rng.choice([1, 1, 1, 2, 3]), rng.random() < 0.3,
                NOW - dt.timedelta(days=rng.uniform(0, 7))))
        index = VolunteerIndex(vols)
        ours = objective(plan_dispatch(ds, index, NOW))
        best = exact_dispatch(ds, index, NOW)
        ratio = ours / best if best else 1.0
        worst = min(worst, ratio)
        print(f"  instance {i + 1}: dispatch {ours:,.1f}  exact optimum {best:,.1f}  "
              f"= {ratio:.4%}")
    print(f"  worst {worst:.4%} (bar >= 99 %: {'PASS' if worst >= 0.99 else 'FAIL'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--volunteers", type=int, default=500_000)
    parser.add_argument("--demands", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--dispatch-demands", type=int, default=5_000)
    parser.add_argument("--dispatch-volunteers", type=int, default=50_000)
    parser.add_argument("--quality-instances", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    t0 = time.perf_counter()
    volunteers = make_volunteers(args.volunteers, args.seed)
    demands = make_demands(args.demands, args.seed)
    print(f"synthetic city: {len(volunteers):,} volunteers, {len(demands):,} open demands "
          f"(generated in {time.perf_counter() - t0:.1f} s)")
    bench_candidates(volunteers, demands, args.queries, args.seed)
    bench_dispatch(volunteers, demands, args.dispatch_demands, args.dispatch_volunteers,
                   args.seed)
    if args.quality_instances:
        bench_quality(args.quality_instances, args.seed)


if __name__ == "__main__":
    main()
