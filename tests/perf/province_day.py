"""The simulated Hebei day (issue 17, item 3), driven through the gateway.

    .venv/bin/python tests/perf/province_day.py [--services 20000] [--clients 32] [--seed 1]
        [--procs ledger=2,demand=1,matching=4] [--json out.json]

starts a platform of its own (its own RabbitMQ vhost and databases, ``start_platform``), runs
the day of ``province_day_plan.DayPlan.at_scale(services, seed)`` with ``clients`` concurrent
clients, prints each stage's requests, errors, throughput and latency percentiles and the wall
time, and checks that every recorded service was credited exactly once (each volunteer's
statement and balance against what the day recorded).

``run_day(gateway_url, plan, clients, on_stage=None, divisions=...)`` is what the chaos suite
calls under its faults: ``on_stage(name)`` is called before each stage.

Everything goes through the gateway, as the province admin, the staff the admin sets up, the
municipal systems, elders and volunteers would, except one setup step the API has no route
for: the day's townships and communities are added with identity's division import command
(``identity.commands.import_divisions``, the operator's way to load the official code list;
``divisions`` runs it). The demo data gives the province admin's login.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(HERE))

from probe_sampler import ProbeSampler  # noqa: E402
from province_day_client import DayError, Gateway, Login, StageStats  # noqa: E402
from province_day_plan import DayPlan, Service  # noqa: E402

PASSWORD = "Province@2026"
ELIGIBLE = {"registry_status": "verified", "screening": "clear", "health_declared": True,
            "training_hours_completed": 8}
SETTLE_SECONDS = 600.0  # the ledger catching up with the day's records
SETUP_STAGES = ("staff", "elders", "volunteers", "relatives")


# --- what a run made, and its figures ---------------------------------------------------------
@dataclass
class DayReport:
    """Per-stage figures, wall time, and the ids the day made (for the checks)."""
    services: int
    clients: int
    stages: list[StageStats] = field(default_factory=list)
    wall_seconds: float = 0.0
    setup_seconds: float = 0.0
    volunteers: dict[int, str] = field(default_factory=dict)  # plan index -> person id
    elders: dict[int, str] = field(default_factory=dict)
    demands: dict[int, str] = field(default_factory=dict)  # service index -> demand id
    records: dict[int, dict] = field(default_factory=dict)  # service index -> last record answer
    credited: dict[str, dict[str, int]] = field(default_factory=dict)  # volunteer -> record -> min
    given: dict[str, int] = field(default_factory=dict)  # volunteer -> minutes gifted + donated
    anomalies: list[str] = field(default_factory=list)

    def stage(self, name: str) -> StageStats:
        found = next((s for s in self.stages if s.name == name), None)
        if found is None:
            found = StageStats(name)
            self.stages.append(found)
        return found

    def as_dict(self) -> dict:
        return {"services": self.services, "clients": self.clients,
                "wall_seconds": round(self.wall_seconds, 1),
                "setup_seconds": round(self.setup_seconds, 1),
                "day_seconds": round(self.wall_seconds - self.setup_seconds, 1),
                "requests": sum(len(s.latencies) for s in self.stages),
                "stages": [s.as_dict() for s in self.stages],
                "credited_records": sum(len(r) for r in self.credited.values()),
                "anomalies": self.anomalies[:50]}

    def table(self) -> str:
        lines = [f"{'stage':<14}{'requests':>9}{'errors':>8}{'retries':>8}{'wall s':>8}"
                 f"{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"]
        for s in self.stages:
            d = s.as_dict()
            lines.append(f"{d['stage']:<14}{d['requests']:>9}{sum(d['errors'].values()):>8}"
                         f"{d['retries']:>8}{d['wall_seconds']:>8.1f}{d['throughput']:>8.1f}"
                         f"{d['p50_ms']:>8.1f}{d['p95_ms']:>8.1f}{d['p99_ms']:>8.1f}")
        total = sum(len(s.latencies) for s in self.stages)
        day = self.wall_seconds - self.setup_seconds
        day_requests = sum(len(s.latencies) for s in self.stages if s.name not in SETUP_STAGES)
        lines.append(f"wall time {self.wall_seconds:.1f} s: setup (staff, people) "
                     f"{self.setup_seconds:.1f} s, the day {day:.1f} s ({day_requests} requests,"
                     f" {day_requests / max(day, 1e-9):.1f} req/s); {total} requests in all")
        return "\n".join(lines)


# --- people's numbers -------------------------------------------------------------------------
def id_number(kind: int, n: int, first_year: int) -> tuple[str, str]:
    """A valid, unique resident ID number and mobile number for person ``n`` of ``kind``
    (0 staff, 1 elder, 2 volunteer)."""
    from identity.commands.demo import demo_id_number  # noqa: PLC0415

    birth = dt.date(first_year, 1, 1) + dt.timedelta(days=n // 400 + 37 * kind)
    sequence = (n % 400) * 2 + 1 + (n % 2)  # odd: male
    return demo_id_number(birth.strftime("%Y%m%d"), f"{sequence:03d}"), f"15{kind}{n:08d}"


def divisions_csv(plan: DayPlan) -> str:
    """The day's townships and communities, in the official list's CSV shape."""
    rows = ["code,name"]
    for township in sorted({s.township for s in plan.stations}):
        city = next(s.city_name for s in plan.stations if s.township == township)
        rows.append(f"{township},{city}时间银行演练街道")
    rows += [f"{s.community},{s.city_name}第{int(s.community[-3:])}社区" for s in plan.stations]
    return "\n".join(rows) + "\n"


def import_divisions_with(env: dict[str, str]) -> Callable[[str], None]:
    """``divisions`` for ``run_day``: identity's import command in a platform's environment."""
    def run(csv_text: str) -> None:
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write(csv_text)
        done = subprocess.run([sys.executable, "-m", "identity.commands.import_divisions",
                               f.name, "--config", "deploy/config/identity.yaml"],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise DayError(f"importing the day's divisions failed: {done.stdout} {done.stderr}")
    return run


# --- the day ----------------------------------------------------------------------------------
class _Day:
    """One run's state: logins and ids, filled in stage by stage."""

    def __init__(self, gateway_url: str, plan: DayPlan, clients: int,
                 on_stage: Callable[[str], None] | None,
                 on_stage_end: Callable[[StageStats], None] | None = None):
        self.gw = Gateway(gateway_url, uuid.uuid4().hex[:10])
        self.plan, self.clients = plan, clients
        self.on_stage = on_stage or (lambda name: None)
        self.on_stage_end = on_stage_end or (lambda stats: None)
        self.report = DayReport(len(plan.services), clients)
        self.admin: Login | None = None
        self.carriers: dict[int, str] = {}
        self.operators: dict[int, Login] = {}  # per station
        self.township: dict[str, Login] = {}  # per township
        self.api: dict[str, Login] = {}  # per city-level unit
        self.elder_logins: dict[int, Login] = {}
        self.volunteer_logins: dict[int, Login] = {}

    # -- running a stage over many items with the day's clients --------------------------
    def stage(self, name: str, items: Iterable[Any], work: Callable[[StageStats, Any], None]
              ) -> None:
        self.on_stage(name)
        stats = self.report.stage(name)
        started = time.monotonic()
        failures: list[str] = []
        pool = ThreadPoolExecutor(self.clients)
        try:
            futures = [pool.submit(work, stats, item) for item in items]
            # the first item that fails (its client gave up after retrying for minutes) ends
            # the stage: the items not yet started never start, or a part that stays broken
            # would cost each of them those minutes again
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            for future in done:
                exc = future.exception()
                if exc is not None:
                    failures.append(f"{type(exc).__name__}: {exc}")
        finally:  # failed or interrupted (Ctrl-C): what has not started never will
            pool.shutdown(wait=True, cancel_futures=True)
        stats.wall_seconds += time.monotonic() - started
        self.on_stage_end(stats)
        if failures:
            raise DayError(f"stage {name}: {len(failures)} failed; first: " + " | ".join(
                failures[:3]))

    def station_of(self, s: Service):
        return self.plan.stations[s.station]

    # -- setup: staff, stations, people ---------------------------------------------------
    def setup_staff(self, divisions: Callable[[str], None]) -> None:
        from identity.commands.demo import DEMO_ACCOUNTS  # noqa: PLC0415

        province = next(a for a in DEMO_ACCOUNTS if a["role"] == "province_admin")
        self.admin = Login(province["phone"], province["password"])
        stats = self.report.stage("staff")
        started = time.monotonic()
        divisions(divisions_csv(self.plan))
        stats.wall_seconds += time.monotonic() - started
        townships = sorted({s.township for s in self.plan.stations})
        cities = sorted({s.city for s in self.plan.stations})

        def township_admin(stats: StageStats, township: str) -> None:
            number, phone = id_number(0, 100_000 + townships.index(township), 1978)
            self.gw.call(stats, "POST", "/api/v1/operators", {
                "name": "乡镇管理员", "id_number": number, "phone": phone,
                "initial_password": PASSWORD, "region_code": township,
                "role": "township_admin", "scope_code": township},
                login=self.admin, key=f"township:{township}")
            login = Login(phone, PASSWORD)
            login.renew(self.gw, stats)
            self.township[township] = login

        def api_client(stats: StageStats, city: str) -> None:
            client = self.gw.call(stats, "POST", "/api/v1/api-clients", {
                "name": f"{city}民政局业务系统（演练）", "scope_code": city,
                "client_id": f"day-{self.gw.run}-{city[:6]}"}, login=self.admin,
                key=f"api-client:{city}")
            api = Login(client_id=client["client_id"], client_secret=client["client_secret"])
            api.renew(self.gw, stats)
            self.api[city] = api

        def station(stats: StageStats, station) -> None:
            carrier = self.gw.call(stats, "POST", "/api/v1/carriers", {
                "name": f"{station.city_name}第{station.index}时间银行服务站",
                "kind": "social_work_station", "region_code": station.community,
                "address": f"{station.city_name}演练街道{station.index}号",
                "contact_name": "站长", "contact_phone": "0311-88880000",
                "longitude": station.longitude, "latitude": station.latitude},
                login=self.admin, key=f"carrier:{station.index}")
            self.carriers[station.index] = carrier["carrier_id"]
            number, phone = id_number(0, station.index, 1985)
            self.gw.call(stats, "POST", "/api/v1/operators", {
                "name": "站点工作人员", "id_number": number, "phone": phone,
                "initial_password": PASSWORD, "region_code": station.community,
                "role": "station_operator", "carrier_id": carrier["carrier_id"]},
                login=self.admin, key=f"operator:{station.index}")
            login = Login(phone, PASSWORD)
            login.renew(self.gw, stats)
            self.operators[station.index] = login

        self.stage("staff", townships, township_admin)
        self.stage("staff", cities, api_client)
        self.stage("staff", self.plan.stations, station)

    def setup_people(self) -> None:
        plan = self.plan

        def elder(stats: StageStats, e) -> None:
            station = plan.stations[e.station]
            number, phone = id_number(1, e.index, 1950)
            body = {"name": "老人", "id_number": number, "phone": phone,
                    "address": f"{station.city_name}演练社区{e.index}号",
                    "region_code": station.community, "carrier_id": self.carriers[e.station],
                    "phone_only": not e.app}
            if e.app:
                body["initial_password"] = PASSWORD
            made = self.gw.call(stats, "POST", "/api/v1/elders", body,
                                login=self.operators[e.station], key=f"elder:{e.index}")
            self.report.elders[e.index] = made["person_id"]
            if e.app:
                login = Login(phone, PASSWORD)
                login.renew(self.gw, stats)
                self.elder_logins[e.index] = login

        def volunteer(stats: StageStats, v) -> None:
            station = plan.stations[v.station]
            number, phone = id_number(2, v.index, 1980)
            made = self.gw.call(stats, "POST", "/api/v1/volunteers", {
                "name": "志愿者", "id_number": number, "phone": phone,
                "region_code": station.community, "volunteer_number": f"V{phone}",
                "initial_password": PASSWORD, **ELIGIBLE},
                login=self.operators[v.station], key=f"volunteer:{v.index}")
            if not made.get("eligible"):
                raise DayError(f"volunteer {v.index} not eligible: {made.get('reasons')}")
            self.report.volunteers[v.index] = made["person_id"]
            login = Login(phone, PASSWORD)
            login.renew(self.gw, stats)
            self.volunteer_logins[v.index] = login

        def relatives(stats: StageStats, gift) -> None:
            station = plan.volunteers[gift.volunteer].station
            link = self.gw.call(stats, "POST", "/api/v1/relations", {
                "person_id": self.report.volunteers[gift.volunteer],
                "relative_person_id": self.report.elders[gift.elder], "kind": "parent",
                "evidence": "户口簿（演练）"}, login=self.operators[station],
                key=f"relation:{gift.volunteer}:{gift.elder}")
            self.gw.call(stats, "POST", f"/api/v1/relations/{link['link_id']}/verify",
                         {"decision": "verify"},
                         login=self.township[plan.stations[station].township],
                         key=f"relation-verify:{link['link_id']}")

        self.stage("elders", plan.elders, elder)
        self.stage("volunteers", plan.volunteers, volunteer)
        self.stage("relatives", plan.gifts, relatives)

    # -- the day's stages -----------------------------------------------------------------
    def submit(self, stats: StageStats, s: Service) -> None:
        station = self.station_of(s)
        now = dt.datetime.now(dt.UTC)
        body = {"elder_id": self.report.elders[s.elder], "category": s.category,
                "description": "演练：老人希望有人上门陪伴", "address": f"演练社区{s.elder}号",
                # starts a little later: every check-in of the day falls within the window's
                # tolerance (30 min) and before the no-show grace (30 min after the start)
                "window_start": (now + dt.timedelta(minutes=5)).isoformat(),
                "window_end": (now + dt.timedelta(hours=8)).isoformat(),
                "expected_minutes": s.expected_minutes, "volunteers_needed": 1,
                "channel": s.channel, "funding_source": "issuance",
                "location": {"lat": station.latitude, "lng": station.longitude}}
        login = (self.elder_logins[s.elder] if s.channel == "app" else
                 self.api[station.city] if s.channel == "api" else self.operators[s.station])
        made = self.gw.call(stats, "POST", "/api/v1/demands", body, login=login,
                            key=f"demand:{s.index}")
        self.report.demands[s.index] = made["demand_id"]

    def review(self, stats: StageStats, s: Service) -> None:
        decision = {"decision": "reject", "reason": "演练：不属于服务范围"} if s.rejected else \
            {"decision": "approve"}
        self.gw.call(stats, "POST", f"/api/v1/demands/{self.report.demands[s.index]}/review",
                     decision, login=self.operators[s.station], key=f"review:{s.index}")

    def take(self, stats: StageStats, s: Service) -> None:
        demand = self.report.demands[s.index]
        volunteer = self.report.volunteers[s.volunteer]
        if s.assigned_by_station:
            self.gw.call(stats, "POST", f"/api/v1/demands/{demand}/assign",
                         {"volunteer_id": volunteer}, login=self.operators[s.station],
                         key=f"assign:{s.index}")
        else:
            self.gw.call(stats, "POST", f"/api/v1/demands/{demand}/claim",
                         login=self.volunteer_logins[s.volunteer], key=f"claim:{s.index}")

    def presence(self, action: str) -> Callable[[StageStats, Service], None]:
        def step(stats: StageStats, s: Service) -> None:
            station = self.station_of(s)
            self.gw.call(stats, "POST", f"/api/v1/demands/{self.report.demands[s.index]}/{action}",
                         {"lat": station.latitude, "lng": station.longitude},
                         login=self.volunteer_logins[s.volunteer], key=f"{action}:{s.index}")
        return step

    def record(self, stats: StageStats, s: Service) -> None:
        answer = self.gw.call(stats, "POST", f"/api/v1/demands/{self.report.demands[s.index]}/record", {
            "volunteer_id": self.report.volunteers[s.volunteer], "minutes": s.minutes,
            "confirmation": s.confirmation, "note": "演练：电话回访确认"},
            login=self.operators[s.station], key=f"record:{s.index}")
        self.report.records[s.index] = answer
        flagged = s.outcome != "sent"
        expected = "held" if flagged else "awaiting_confirmation" if s.confirmation == "app" \
            else "sent"
        if answer["status"] != expected:
            self.report.anomalies.append(
                f"service {s.index}: recorded {answer['status']} (plan: {expected}),"
                f" flags {[f['code'] for f in answer.get('flags', [])]}")

    def confirm(self, stats: StageStats, s: Service) -> None:
        self.gw.call(stats, "POST", f"/api/v1/demands/{self.report.demands[s.index]}/confirm",
                     {"confirmed_by": "elder"}, login=self.elder_logins[s.elder],
                     key=f"confirm:{s.index}")

    def second_look(self, stats: StageStats, s: Service) -> None:
        record = self.report.records[s.index]["record_id"]
        action = "release" if s.outcome == "released" else "reject"
        answer = self.gw.call(stats, "POST", f"/api/v1/records/{record}/{action}",
                              {"reason": "演练：乡镇复核"},
                              login=self.township[self.station_of(s).township],
                              key=f"{action}:{s.index}")
        self.report.records[s.index] = answer

    def evaluate(self, stats: StageStats, s: Service) -> None:
        self.gw.call(stats, "POST", f"/api/v1/demands/{self.report.demands[s.index]}/evaluate",
                     {"score": s.score, "tags": [], "comment": "演练评价"},
                     login=self.elder_logins[s.elder], key=f"evaluate:{s.index}")

    def dispute(self, stats: StageStats, s: Service) -> None:
        township = self.township[self.station_of(s).township]
        opened = self.gw.call(stats, "POST", "/api/v1/disputes", {
            "record_id": self.report.records[s.index]["record_id"],
            "reason": "演练：对记录时长有疑问"}, login=self.volunteer_logins[s.volunteer],
            key=f"dispute:{s.index}")
        dispute = opened["dispute_id"]
        self.gw.call(stats, "POST", f"/api/v1/disputes/{dispute}/take", {}, login=township,
                     key=f"take:{s.index}")
        self.gw.call(stats, "POST", f"/api/v1/disputes/{dispute}/resolve",
                     {"outcome": "upheld", "reason": "演练：核实无误"}, login=township,
                     key=f"resolve:{s.index}")

    def credited_by_the_day(self) -> None:
        """What the day's answers say reached the ledger: records sent, per volunteer."""
        for v in self.report.volunteers.values():
            self.report.credited.setdefault(v, {})
        for index, record in self.report.records.items():
            if record["status"] == "sent":
                s = self.plan.services[index]
                volunteer = self.report.volunteers[s.volunteer]
                self.report.credited[volunteer][record["record_id"]] = record["minutes"]

    def settle(self) -> None:
        """Wait until every volunteer's earned minutes show the day's credits."""
        self.on_stage("settle")
        stats = self.report.stage("settle")
        started = time.monotonic()
        pending = dict(self.report.credited)
        deadline = started + SETTLE_SECONDS

        def earned(person: str) -> int:
            return self.gw.call(stats, "GET", f"/api/v1/accounts/{person}",
                                login=self.admin)["earned_minutes"]

        with ThreadPoolExecutor(self.clients) as pool:
            while pending:
                shown = dict(zip(pending, pool.map(earned, pending), strict=True))
                pending = {p: r for p, r in pending.items() if shown[p] < sum(r.values())}
                if pending and time.monotonic() > deadline:
                    stats.wall_seconds += time.monotonic() - started
                    raise DayError(f"the ledger did not catch up in {SETTLE_SECONDS:.0f} s:"
                                   f" {len(pending)} volunteers short")
                if pending:
                    time.sleep(1.0)
        stats.wall_seconds += time.monotonic() - started
        self.on_stage_end(stats)

    def transfers(self) -> None:
        def gift(stats: StageStats, g) -> None:
            self.gw.call(stats, "POST", "/api/v1/transfers", {
                "kind": "gift_to_relative", "minutes": g.minutes,
                "to_person_id": self.report.elders[g.elder], "note": "演练：赠送父母"},
                login=self.volunteer_logins[g.volunteer], key=f"gift:{g.volunteer}")

        def donation(stats: StageStats, d) -> None:
            self.gw.call(stats, "POST", "/api/v1/transfers", {
                "kind": "donation", "minutes": d.minutes, "note": "演练：捐赠"},
                login=self.volunteer_logins[d.volunteer], key=f"donation:{d.volunteer}")

        self.stage("gifts", self.plan.gifts, gift)
        self.stage("donations", self.plan.donations, donation)
        for g in self.plan.gifts:
            person = self.report.volunteers[g.volunteer]
            self.report.given[person] = self.report.given.get(person, 0) + g.minutes
        for d in self.plan.donations:
            person = self.report.volunteers[d.volunteer]
            self.report.given[person] = self.report.given.get(person, 0) + d.minutes


def run_day(gateway_url: str, plan: DayPlan, clients: int = 32,
            on_stage: Callable[[str], None] | None = None,
            divisions: Callable[[str], None] | None = None,
            on_stage_end: Callable[[StageStats], None] | None = None) -> DayReport:
    """Set up the day's people, run its stages with ``clients`` concurrent clients, and return
    the figures and the ids made. ``divisions(csv_text)`` imports the day's townships and
    communities (``import_divisions_with(env)``); ``on_stage(name)`` runs before each stage,
    ``on_stage_end(stats)`` after it (the figures so far of that stage's name)."""
    if divisions is None:
        raise ValueError("divisions: the day's communities must be imported (import_divisions_with)")
    day = _Day(gateway_url, plan, clients, on_stage, on_stage_end)
    began = time.monotonic()
    day.setup_staff(divisions)
    day.setup_people()
    day.report.setup_seconds = time.monotonic() - began
    served = [s for s in plan.services if not s.rejected]
    day.stage("submit", plan.services, day.submit)
    day.stage("review", plan.services, day.review)
    for wave in range(plan.waves):
        now = [s for s in served if s.wave == wave]
        day.stage("claim_assign", now, day.take)
        day.stage("check_in", now, day.presence("check-in"))
        day.stage("check_out", now, day.presence("check-out"))
    day.stage("record", served, day.record)
    day.stage("confirm", [s for s in served if s.confirmation == "app"], day.confirm)
    day.stage("second_look", [s for s in served if s.outcome in ("released", "rejected")],
              day.second_look)
    day.stage("evaluate", [s for s in served if s.score is not None], day.evaluate)
    # a confirmed record's answer was "awaiting_confirmation": it is sent now
    for s in served:
        record = day.report.records[s.index]
        if s.confirmation == "app" and s.outcome in ("sent", "released") and \
                record["status"] == "awaiting_confirmation":
            day.report.records[s.index] = {**record, "status": "sent"}
    day.stage("dispute", [s for s in served if s.disputed], day.dispute)
    day.credited_by_the_day()
    day.settle()
    day.transfers()
    day.report.wall_seconds = time.monotonic() - began
    return day.report


# --- checks -----------------------------------------------------------------------------------
def check_ledger(gateway_url: str, report: DayReport, clients: int = 16) -> list[str]:
    """Every recorded service credited exactly once: each volunteer's statement holds one
    service credit per record the day sent, of its minutes, and the balance is their sum less
    what the volunteer gave. Returns the problems found (empty: all good)."""
    from identity.commands.demo import DEMO_ACCOUNTS  # noqa: PLC0415

    province = next(a for a in DEMO_ACCOUNTS if a["role"] == "province_admin")
    gw = Gateway(gateway_url, "check")
    admin = Login(province["phone"], province["password"])
    stats = StageStats("check")

    def one(item: tuple[str, dict[str, int]]) -> list[str]:
        person, records = item
        credits: list[dict] = []
        page = 1
        while True:
            answer = gw.call(stats, "GET", f"/api/v1/accounts/{person}/statement"
                             f"?page={page}&page_size=100", login=admin)
            credits += [i for i in answer["items"] if i["kind"] == "service_credit"]
            if page * 100 >= answer["total"]:
                break
            page += 1
        problems = []
        ids = [c["transfer_id"] for c in credits]
        if len(ids) != len(set(ids)):
            problems.append(f"{person}: a transfer shows twice")
        if len(credits) != len(records):
            problems.append(f"{person}: {len(credits)} service credits for {len(records)} records")
        want = sum(records.values())
        got = sum(c["amount_minutes"] for c in credits)
        if got != want:
            problems.append(f"{person}: credited {got} min, recorded {want}")
        balance = gw.call(stats, "GET", f"/api/v1/accounts/{person}", login=admin)
        expected = want - report.given.get(person, 0)
        if balance["earned_minutes"] != expected:
            problems.append(f"{person}: earned {balance['earned_minutes']}, expected {expected}")
        return problems

    with ThreadPoolExecutor(clients) as pool:
        return [p for found in pool.map(one, report.credited.items()) for p in found]


# --- the CLI's own platform -------------------------------------------------------------------
@contextmanager
def start_platform(procs: dict[str, int], db_pool: int = 3
                   ) -> Iterator[tuple[Any, dict[str, str]]]:
    """A platform on a vhost and databases of its own, the demo data loaded, high rate limits;
    ``procs`` names services to run with more than one process; ``db_pool`` is each process's
    connection pool (as many again on overflow: the machine's PostgreSQL allows 100 clients,
    shared with every other platform running here). Yields (platform, env for commands). The
    one place that knows how the platform is provisioned."""
    from databases import ServiceDatabases  # noqa: PLC0415
    from timebank_testing import Rabbit, free_port  # noqa: PLC0415

    from local_platform import ALL, LocalPlatform  # noqa: PLC0415

    run = uuid.uuid4().hex[:8]
    rabbit = Rabbit(f"tbday-{run}")
    rabbit.create()
    prefix = f"tbday_{run}"
    tmp = Path(tempfile.mkdtemp(prefix="tbday-"))
    ports = {name: free_port() for name in ALL}
    databases = ServiceDatabases(prefix)  # roles and databases of this run, dropped after it
    platform = LocalPlatform(databases=databases, env={
        "AMQP_URI": rabbit.uri,
        "JWT_PRIVATE_KEY_FILE": str(tmp / "jwt.pem"), "JWT_PUBLIC_KEY_FILE": str(tmp / "jwt.pub"),
        "PII_KEYS_FILE": str(tmp / "pii-keys.json"), "LOG_LEVEL": "WARNING",
        "RPC_TIMEOUT_SECONDS": "60", "RATE_LIMIT_STORAGE_URL": "memory://",
        "DB_POOL_SIZE": str(db_pool),
        **{f"RATE_LIMIT_{name}": "10000000/minute"
           for name in ("LOGIN", "LOGIN_IP", "PUBLIC", "WRITE", "READ")}},
        ports=ports, log_dir=tmp / "log")
    try:
        platform.prepare(demo=True)
        platform.start_all(timeout=240)
        for name, count in procs.items():
            for n in range(2, count + 1):
                port = free_port()
                platform.ports[f"{name}{n}"] = port
                platform.start(name, {f"{name.upper()}_HTTP": f"127.0.0.1:{port}"},
                               key=f"{name}{n}")
        platform.wait_healthy([k for k in platform.processes if k not in ALL], timeout=240)
        yield platform, dict(platform.base_env)
    finally:
        platform.stop_all()
        rabbit.delete()
        databases.drop()


def cpu_seconds(platform: Any) -> dict[str, float]:
    """CPU seconds (user + system) each of the platform's processes has used so far: on a
    machine shared with other work the wall time says little, the CPU each request costs does."""
    tick = os.sysconf("SC_CLK_TCK")
    out = {}
    for key, proc in platform.processes.items():
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        out[key] = (int(fields[11]) + int(fields[12])) / tick
    return out


def cpu_table(before: dict[str, float], middle: dict[str, float], after: dict[str, float],
              setup_requests: int, day_requests: int) -> str:
    lines = [f"{'process':<12}{'setup cpu s':>12}{'day cpu s':>11}{'day ms/request':>16}"]
    for key in sorted(after):
        setup = middle.get(key, 0.0) - before.get(key, 0.0)
        day = after[key] - middle.get(key, 0.0)
        lines.append(f"{key:<12}{setup:>12.1f}{day:>11.1f}{1000 * day / max(day_requests, 1):>16.2f}")
    setup = sum(middle.values()) - sum(before.values())
    day = sum(after.values()) - sum(middle.values())
    lines.append(f"{'all':<12}{setup:>12.1f}{day:>11.1f}{1000 * day / max(day_requests, 1):>16.2f}"
                 f"   (setup {1000 * setup / max(setup_requests, 1):.1f} ms/request;"
                 " PostgreSQL and RabbitMQ not counted: shared with other work)")
    return "\n".join(lines)


def parse_procs(text: str) -> dict[str, int]:
    out = {}
    for part in filter(None, text.split(",")):
        name, _, count = part.partition("=")
        out[name.strip()] = int(count)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--services", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--procs", default="", help="e.g. ledger=2,demand=1,matching=4")
    parser.add_argument("--db-pool", type=int, default=3,
                        help="connections per process (twice that at most)")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    plan = DayPlan.at_scale(args.services, args.seed)
    print("plan:", json.dumps(plan.summary()), flush=True)
    with start_platform(parse_procs(args.procs), args.db_pool) as (platform, env):
        load_before = os.getloadavg()
        cpu = {"before": cpu_seconds(platform)}
        probes = ProbeSampler({key: platform.url(key) for key in platform.processes}).start()

        def on_stage(name: str) -> None:
            if name == "submit":  # the people are there: the day begins
                cpu["middle"] = cpu_seconds(platform)
            print(f"  {time.strftime('%H:%M:%S')} {name}", flush=True)

        report = run_day(platform.url("gateway"), plan, args.clients, on_stage=on_stage,
                         divisions=import_divisions_with(env),
                         on_stage_end=lambda stats: print(f"    {json.dumps(stats.as_dict())}"
                                                          f" load {os.getloadavg()[0]:.1f}",
                                                          flush=True))
        load_after = os.getloadavg()
        cpu["after"] = cpu_seconds(platform)
        probes.stop()
        print(report.table())
        print(f"probes during the day, every process every 0.5 s:\n{probes.table()}")
        setup_requests = sum(len(s.latencies) for s in report.stages if s.name in SETUP_STAGES)
        print(cpu_table(cpu["before"], cpu["middle"], cpu["after"], setup_requests,
                        sum(len(s.latencies) for s in report.stages) - setup_requests))
        print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f}"
              f" (1 min; {os.cpu_count()} cores)")
        for line in report.anomalies[:20]:
            print("anomaly:", line)
        started = time.monotonic()
        problems = check_ledger(platform.url("gateway"), report)
        print(f"check: {sum(len(r) for r in report.credited.values())} records over"
              f" {len(report.credited)} volunteers, {len(problems)} problems"
              f" ({time.monotonic() - started:.1f} s)")
        for line in problems[:20]:
            print("  ", line)
        if args.json:
            Path(args.json).write_text(json.dumps({
                **report.as_dict(), "plan": plan.summary(), "procs": args.procs,
                "cpu_seconds": cpu,
                "load_before": load_before, "load_after": load_after,
                "problems": problems[:100]}, ensure_ascii=False, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
