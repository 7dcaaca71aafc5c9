"""Benchmark: ``candidates_for`` and ``feed_for`` through the LIVE matching service, while the
city keeps changing.

    .venv/bin/python tests/perf/bench_matching_db.py [--volunteers 500000] [--demands 20000]
        [--queries 1000] [--feeds 300] [--processes 1] [--changes-per-second 0,20]

Matching processes (``python -m timebank_common.runner matching``, as deployed) run on a
throw-away RabbitMQ vhost and database holding a synthetic city (bench_matching.py's: the
volunteers with their homes, radii, weekly hours, qualifications, history, minutes this month,
good ratings and assignments; the open demands). Each process builds its views at start-up
(timed, with its resident memory). Then, for each rate of ``--changes-per-second`` in turn
(default: none, then 20 a second), while changes arrive — assignments added and withdrawn,
services recorded (history, minutes), evaluations, qualifications verified, volunteers
suspended and made eligible again (events through RabbitMQ, handled by whichever process takes
them), homes and radii moved (``set_preferences`` over RPC) — the client asks
``candidates_for`` for ``--queries`` random open demands, one at a time, over nameko RPC, then
``feed_for`` for ``--feeds`` random volunteers, and prints p50/p99 of each, with the load
average (the machine may be shared). A bare ``ping`` RPC to the same processes, measured
first, is the floor. Each process's /metrics gives the deltas it applied and its full builds
(1 = only the start-up one). One ``dispatch`` of a township (about 1/40 of the demands, held,
not applied) is timed at the end.

bench_matching.py measures the domain alone (index, dispatch, quality) without I/O.
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
import uuid  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "services" / "matching"))
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_matching import NOW, make_demands, make_volunteers  # noqa: E402
from databases import ServiceDatabases  # noqa: E402
from nameko.standalone.rpc import ServiceRpcProxy  # noqa: E402
from timebank_testing import EventBus, Rabbit, free_port  # noqa: E402

from local_platform import LocalPlatform  # noqa: E402
from matching.adapters.tables import (  # noqa: E402
    assignments,
    category_requirements,
    good_ratings,
    monthly_minutes,
    open_demands,
    priority_elders,
    volunteer_history,
    volunteer_preferences,
    volunteers,
)
from matching.domain import geo  # noqa: E402
from matching.domain.availability import ALWAYS  # noqa: E402
from matching.domain.city_feed import city_unit  # noqa: E402
from timebank_common.clock import CHINA  # noqa: E402
from timebank_common.db import (  # noqa: E402
    UnitOfWork,
    insert_rows,
    make_engine,
    make_event,
)

OPERATOR = {"person_id": "bench-op", "roles": ["province_admin"], "scope": "130000000000"}
TOWNSHIPS = 40  # demands spread over 130102001… 130102040: a dispatch takes one township


def windows_of(mask: int) -> list[dict]:
    """Weekly windows (runs of whole hours) giving back the mask."""
    if mask == ALWAYS:
        return []
    out = []
    for day in range(7):
        hour = 0
        while hour < 24:
            if mask >> (day * 24 + hour) & 1:
                end = hour
                while end < 24 and mask >> (day * 24 + end) & 1:
                    end += 1
                out.append({"weekday": day, "start": f"{hour:02d}:00", "end": f"{end:02d}:00"})
                hour = end
            else:
                hour += 1
    return out


def region_of(j: int) -> str:
    return f"130102{j % TOWNSHIPS + 1:03d}001"


def load_city(engine, people, demands, now: dt.datetime) -> None:
    month = now.astimezone(CHINA).strftime("%Y-%m")
    with UnitOfWork(engine) as uow:
        for i in range(0, len(people), 5000):
            chunk = people[i:i + 5000]
            insert_rows(uow.session, volunteers, [
                {"person_id": v.person_id, "region_code": region_of(i), "eligible": True,
                 "qualifications": sorted(v.qualifications), "as_of": now} for v in chunk])
            insert_rows(uow.session, volunteer_preferences, [
                {"person_id": v.person_id, "home_lat": v.lat, "home_lng": v.lng,
                 "cell": geo.cell_of(v.lat, v.lng), "radius_km": v.radius_km,
                 "availability": windows_of(v.availability), "updated_at": now}
                for v in chunk])
            insert_rows(uow.session, volunteer_history, [
                {"volunteer_id": v.person_id, "completed": v.completed, "no_shows": v.no_shows,
                 "rating_sum": v.rating_sum, "rating_count": v.rating_count} for v in chunk])
            insert_rows(uow.session, monthly_minutes, [
                {"volunteer_id": v.person_id, "month": month, "minutes": v.minutes_this_month}
                for v in chunk if v.minutes_this_month])
            rated = [{"elder_id": e, "volunteer_id": v.person_id}
                     for v in chunk for e in v.well_rated_by]
            if rated:
                insert_rows(uow.session, good_ratings, rated)
            busy = [{"demand_id": f"busy-{uuid.uuid4().hex[:12]}", "volunteer_id": v.person_id,
                     "window_start": s, "window_end": e} for v in chunk for s, e in v.busy]
            if busy:
                insert_rows(uow.session, assignments, busy)
        rows = [{"demand_id": d.demand_id, "region_code": region_of(j),
                 "city_unit": city_unit(region_of(j)),
                 "category": "home_care" if d.qualifications else "companionship",
                 "elder_id": d.elder_id, "window_start": d.window_start,
                 "window_end": d.window_end, "expected_minutes": 60, "open_slots": d.open_slots,
                 "location_lat": d.lat, "location_lng": d.lng, "published_at": d.published_at,
                 "qualifications": sorted(d.qualifications)} for j, d in enumerate(demands)]
        for i in range(0, len(rows), 5000):
            insert_rows(uow.session, open_demands, rows[i:i + 5000])
        insert_rows(uow.session, priority_elders, [
            {"elder_id": e} for e in sorted({d.elder_id for d in demands if d.priority_elder})])
        insert_rows(uow.session, category_requirements, [
            {"code": "companionship", "qualifications": []},
            {"code": "home_care", "qualifications": ["nurse"]}])
        uow.commit()
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")


def rss_mb(pid: int) -> str:
    kilobytes = re.search(r"VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text()).group(1)
    return f"{int(kilobytes) / 1024:,.0f} MB"


def metric(port: int, name: str) -> float:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30) as resp:
            text = resp.read().decode()
    except OSError:  # busy building its index
        return 0.0
    found = re.search(rf"^{name} ([0-9.e+]+)$", text, re.M)
    return float(found.group(1)) if found else 0.0


class Changer:
    """A city that keeps changing: one change every 1/rate s, of every kind in turn."""

    def __init__(self, bus: EventBus, rpc, people, demands, rate: float, seed: int):
        self.bus, self.rpc, self.people, self.demands = bus, rpc, people, demands
        self.rate, self.pick = rate, random.Random(seed)
        self.assigned: list[tuple[str, str]] = []
        self.suspended: list[str] = []
        self.done = 0
        self.running = True

    def run(self) -> None:
        kinds = [self.assign, self.record, self.withdraw, self.evaluate, self.move,
                 self.qualify, self.suspend, self.reinstate]
        started = time.monotonic()
        while self.running:
            kinds[self.done % len(kinds)]()
            self.done += 1
            pause = started + self.done / self.rate - time.monotonic()
            if pause > 0:
                eventlet.sleep(pause)

    def _v(self):
        return self.pick.choice(self.people)

    def assign(self):
        v, d = self._v(), self.pick.choice(self.demands)
        demand_id = f"x-{uuid.uuid4().hex[:10]}"  # not one of the open demands: they stay open
        self.bus.publish("demand", make_event("demand_assigned", {
            "demand_id": demand_id, "volunteer_id": v.person_id,
            "elder_id": d.elder_id, "window_start": d.window_start.isoformat(),
            "window_end": d.window_end.isoformat(), "open_slots": 0}, "130102001001"))
        self.assigned.append((v.person_id, demand_id))

    def record(self):
        v = self._v()
        self.bus.publish("demand", make_event("service_recorded", {
            "record_id": str(uuid.uuid4()), "demand_id": f"x-{uuid.uuid4().hex[:10]}",
            "volunteer_id": v.person_id, "elder_id": "e1", "minutes": 90,
            "recorded_at": dt.datetime.now(dt.UTC).isoformat()}, "130102001001"))

    def withdraw(self):
        if self.assigned:
            person, demand_id = self.assigned.pop(0)
            self.bus.publish("demand", make_event("assignment_withdrawn", {
                "demand_id": demand_id, "volunteer_id": person, "open_slots": None},
                "130102001001"))

    def evaluate(self):
        self.bus.publish("demand", make_event("evaluation_submitted", {
            "demand_id": f"x-{uuid.uuid4().hex[:10]}", "volunteer_id": self._v().person_id,
            "elder_id": f"e{self.pick.randint(0, 50_000)}", "score": 5}, "130102001001"))

    def move(self):
        v = self._v()
        self.rpc.set_preferences(OPERATOR, v.person_id, {
            "home": {"lat": v.lat + self.pick.gauss(0, 0.02), "lng": v.lng + self.pick.gauss(0, 0.02)},
            "radius_km": self.pick.choice([1, 3, 5, 10, 20]), "availability": []})

    def qualify(self):
        self.bus.publish("identity", make_event("qualification_verified", {
            "person_id": self._v().person_id, "kind": "nurse"}, "130102001001"))

    def suspend(self):
        v = self._v()
        self.suspended.append(v.person_id)
        self.bus.publish("identity", make_event("volunteer_suspended", {
            "person_id": v.person_id, "region_code": "130102001001",
            "reasons": ["screening_flagged"]}, "130102001001"))

    def reinstate(self):
        if self.suspended:
            self.bus.publish("identity", make_event("volunteer_eligible", {
                "person_id": self.suspended.pop(0), "region_code": "130102001001",
                "qualifications": []}, "130102001001"))


def summary(name: str, times: list[float]) -> str:
    p50, p99 = np.percentile(times, [50, 99])
    return (f"{name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(times):.1f} ms over "
            f"{len(times):,} calls (bar p99 <= 50 ms: {'PASS' if p99 <= 50 else 'FAIL'})")


def measure(matching, side, bus, people, demands, ports, rate, args, pick) -> None:
    changer = Changer(bus, side, people, demands, rate, args.seed) if rate else None
    changing = eventlet.spawn(changer.run) if changer else None
    times, found = [], []
    for d in (pick.choice(demands) for _ in range(args.queries)):
        t = time.perf_counter()
        found.append(len(matching.candidates_for(OPERATOR, d.demand_id)["items"]))
        times.append((time.perf_counter() - t) * 1000)
    feed_times, feed_found = [], []
    for v in (pick.choice(people) for _ in range(args.feeds)):
        caller = {"person_id": v.person_id, "roles": ["volunteer"], "scope": "130102001001"}
        t = time.perf_counter()
        feed_found.append(len(matching.feed_for(caller, v.person_id)["items"]))
        feed_times.append((time.perf_counter() - t) * 1000)
    if changer:
        changer.running = False
        changing.wait()
    print(f"with {rate:g} changes/s ({changer.done if changer else 0:,} changes made while "
          f"measuring), load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}:")
    print("  " + summary("candidates_for", times) + f"; median candidates {int(np.median(found))}")
    print("  " + summary("feed_for", feed_times) + f"; median items {int(np.median(feed_found))}")
    for n, port in enumerate(ports):
        print(f"  process {n}: {metric(port, 'timebank_matching_index_deltas_total'):,.0f} "
              f"volunteers and demands changed by deltas so far, "
              f"{metric(port, 'timebank_matching_index_builds_total'):.0f} full build(s)")


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the processes, drop the data
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--volunteers", type=int, default=500_000)
    parser.add_argument("--demands", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=1_000)
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--changes-per-second", default="0,20",
                        type=lambda v: [float(x) for x in v.split(",")],
                        help="one measurement per rate, in turn (default: 0, then 20)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} cores)")

    run = uuid.uuid4().hex[:8]
    rabbit = Rabbit(f"tbperf-{run}")
    rabbit.create()
    prefix = f"tbperf_{run}"
    databases = ServiceDatabases(prefix, services=["matching"])
    url = databases.superuser_url("matching")  # loading the synthetic city
    ports = [free_port() for _ in range(args.processes)]
    platform = LocalPlatform(env={"AMQP_URI": rabbit.uri, "LOG_LEVEL": "WARNING"},
                             databases=databases,
                             ports={"matching": ports[0]},
                             log_dir=Path(tempfile.mkdtemp(prefix="tbperf-")) / "log")
    bus = None
    try:
        databases.provision()
        databases.migrate(["matching"])  # as the owner role: the processes' app role is granted
        engine = make_engine(url)
        now = dt.datetime.now(dt.UTC)
        weeks = max(0, math.ceil((now - NOW).total_seconds() / (7 * 86400)) + 1)
        shift = dt.timedelta(weeks=weeks)  # whole weeks: hours of the week stay the same
        t0 = time.perf_counter()
        people = [replace(v, busy=tuple((s + shift, e + shift) for s, e in v.busy))
                  for v in make_volunteers(args.volunteers, args.seed)]
        demands = [replace(d, window_start=d.window_start + shift,
                           window_end=d.window_end + shift,
                           published_at=now - (NOW - d.published_at))
                   for d in make_demands(args.demands, args.seed)]
        load_city(engine, people, demands, now)
        engine.dispose()
        print(f"synthetic city: {len(people):,} volunteers, {len(demands):,} open demands, "
              f"loaded into PostgreSQL in {time.perf_counter() - t0:.0f} s")

        t0 = time.perf_counter()
        for n, port in enumerate(ports):
            platform.start("matching", {"MATCHING_HTTP": f"127.0.0.1:{port}"},
                           key=f"matching-{n}")
        platform.ports.update({f"matching-{n}": p for n, p in enumerate(ports)})
        platform.wait_healthy([f"matching-{n}" for n in range(args.processes)], timeout=600)
        while not all(metric(p, "timebank_matching_index_volunteers") >= len(people) * 0.99
                      for p in ports):
            time.sleep(0.5)
            if time.perf_counter() - t0 > 1800:
                raise SystemExit("the index was not built within 30 minutes")
        memory = ", ".join(rss_mb(platform.processes[f"matching-{n}"].pid)
                           for n in range(args.processes))
        print(f"{args.processes} matching process(es) started and built their index of "
              f"{len(people):,} volunteers in {time.perf_counter() - t0:.0f} s; resident "
              f"memory {memory}")

        bus = EventBus(rabbit.uri)
        pick = random.Random(args.seed)
        with ServiceRpcProxy("matching", {"AMQP_URI": rabbit.uri}, timeout=120) as matching, \
                ServiceRpcProxy("matching", {"AMQP_URI": rabbit.uri}, timeout=120) as side:
            for d in pick.sample(demands, 20):  # warm-up
                matching.candidates_for(OPERATOR, d.demand_id)
            ping_times = []
            for _ in range(300):  # the floor: a bare RPC round trip to the same process
                t = time.perf_counter()
                matching.ping()
                ping_times.append((time.perf_counter() - t) * 1000)
            p50, p99 = np.percentile(ping_times, [50, 99])
            print(f"RPC floor (ping to the same process(es), nothing changing): p50 {p50:.1f} "
                  f"ms, p99 {p99:.1f} ms")
            for rate in args.changes_per_second:
                measure(matching, side, bus, people, demands, ports, rate, args, pick)
            t = time.perf_counter()
            run_out = matching.dispatch(OPERATOR, {"region_code": "130102001000",
                                                   "auto_apply": False})
            dispatch_s = time.perf_counter() - t
        print(f"dispatch of township 130102001000 through RPC: {run_out['demands']:,} demands, "
              f"{run_out['slots']:,} slots, {run_out['proposed']:,} proposed in "
              f"{dispatch_s:.1f} s")
    finally:
        if bus is not None:
            bus.close()
        platform.stop_all()
        rabbit.delete()
        databases.drop()


if __name__ == "__main__":
    main()
