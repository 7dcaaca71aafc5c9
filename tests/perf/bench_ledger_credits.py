"""Benchmark: ledger credits per second through the real path, and the same database work
done directly, in the same run.

    .venv/bin/python tests/perf/bench_ledger_credits.py [--events 100000] [--rate 1200]
        [--processes 2] [--volunteers 20000] [--batch-wait SECONDS]

(a) Real path: ``service_recorded`` events published to RabbitMQ (exchange
    ``demand.events``, persistent, as demand's relay does) at ``--rate`` per second; ledger
    processes (``python -m timebank_common.runner ledger``) consume them with the batch
    handler, credit each volunteer from the city's issuance account, append the hash chain,
    write ``hours_credited`` to the outbox and publish it. Latency per event = from its
    publish to the moment its transfer is visible to another connection (a poller follows the
    journal by sequence number every 20 ms; the chain is appended under one lock just before
    commit, so sequence order is commit order).
(b) Baseline: the same database work (inbox, accounts, transfers, entries, journal, outbox)
    done in this process by the batch handler's own steps (demand's ``SERVICE_RECORDED``
    contract loads each envelope, ``ledger.app.crediting.credit_services`` credits the
    batch) in batches of the same size, without RabbitMQ or nameko: the ceiling the real
    path is measured against.

Everything runs on this machine (loopback only), on a throw-away RabbitMQ vhost and
database, and the invariants are verified at the end.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))

from databases import ServiceDatabases  # noqa: E402
from kombu import Connection  # noqa: E402
from nameko.events import get_event_exchange  # noqa: E402
from sqlalchemy import text  # noqa: E402
from timebank_testing import Rabbit, free_port  # noqa: E402

from demand.contracts import SERVICE_RECORDED  # noqa: E402
from ledger.adapters.invariants import verify_balances  # noqa: E402
from ledger.app.crediting import credit_services  # noqa: E402
from ledger.domain.stars import DEFAULT_THRESHOLDS_HOURS  # noqa: E402
from ledger.entrypoints.crediting import CREDIT_BATCH, CREDIT_CONSUMER  # noqa: E402
from local_platform import LocalPlatform  # noqa: E402
from timebank_common.batch_events import handle_batch_once  # noqa: E402
from timebank_common.clock import SystemClock  # noqa: E402
from timebank_common.db import UnitOfWork, make_engine, make_event  # noqa: E402

CITIES = ["130100000000", "130200000000", "130300000000", "130400000000", "130500000000",
          "130600000000", "130700000000", "130800000000", "130900000000", "131000000000",
          "131100000000", "130181000000", "130682000000"]


def events_for(n: int, volunteers: list[str], tag: str) -> list[dict]:
    out = []
    for i in range(n):
        city = CITIES[i % len(CITIES)]
        payload = {"record_id": f"{tag}-{i}", "demand_id": f"d-{tag}-{i}",
                   "volunteer_id": volunteers[(i * 7919) % len(volunteers)],
                   "volunteer_region_code": None, "minutes": 30 + i % 90,
                   "category": "emotional_comfort", "funding_source": "issuance",
                   "recorded_at": dt.datetime.now(dt.UTC).isoformat()}
        out.append(make_event("service_recorded", payload, city))
    return out


def baseline(url: str, events: list[dict]) -> float:
    """Credits per second of the same DB work, in this process, batch by batch."""
    engine = make_engine(url, pool_size=2)
    clock = SystemClock()

    def credit(uow, batch):  # what LedgerService.on_service_recorded does with a batch
        credit_services(uow, [SERVICE_RECORDED.load_event(e) for e in batch], clock.now(),
                        DEFAULT_THRESHOLDS_HOURS)

    started = time.perf_counter()
    for i in range(0, len(events), CREDIT_BATCH):
        handle_batch_once(lambda: UnitOfWork(engine), CREDIT_CONSUMER,
                          events[i:i + CREDIT_BATCH], credit)
    rate = len(events) / (time.perf_counter() - started)
    engine.dispose()
    return rate


class JournalFollower(threading.Thread):
    """Records when each credited record became visible, following the journal by seq."""

    def __init__(self, url: str, tag: str):
        super().__init__(daemon=True)
        self.engine = make_engine(url, pool_size=1)
        self.tag, self.seen, self.stop = tag, {}, threading.Event()

    def run(self):
        last = 0
        query = text("SELECT j.seq, t.reference->>'record_id' FROM journal j "
                     "JOIN transfers t ON t.id = j.transfer_id WHERE j.seq > :last ORDER BY j.seq")
        while not self.stop.is_set():
            with self.engine.connect() as conn:
                rows = conn.execute(query, {"last": last}).all()
            now = time.time()
            for seq, record_id in rows:
                last = seq
                if record_id and record_id.startswith(self.tag):
                    self.seen.setdefault(record_id, now)
            time.sleep(0.02)
        self.engine.dispose()


def publish_paced(amqp_uri: str, events: list[dict], rate: float, sent: dict) -> None:
    exchange = get_event_exchange("demand", {})
    with Connection(amqp_uri) as conn:
        producer = conn.Producer()
        started = time.time()
        for i, event in enumerate(events):
            due = started + i / rate
            pause = due - time.time()
            if pause > 0:
                time.sleep(pause)
            sent[event["payload"]["record_id"]] = time.time()
            producer.publish(event, exchange=exchange, routing_key="service_recorded",
                             serializer="json", delivery_mode=2, declare=[exchange] if i == 0 else [])


_PG_BACKGROUND = ("checkpointer", "background writer", "walwriter", "autovacuum launcher",
                  "logical replication launcher", "stats collector")


def cpu_seconds(ledger_pids: set[int], database: str) -> dict[str, float]:
    """CPU seconds used so far by each group of processes on this machine (from /proc).
    PostgreSQL counts the backends of ``database`` and the server's own writers; other
    databases' backends (tests running meanwhile) go to "everything else"."""
    tick = os.sysconf("SC_CLK_TCK")
    groups: dict[str, float] = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(pid) in ledger_pids:
            group = "ledger processes"
        elif int(pid) == os.getpid():
            group = "this script (publisher, poller)"
        elif cmd.split(" ")[0].endswith("bin/postgres") or (
                cmd.startswith("postgres:") and (f" {database} " in cmd
                                                 or any(b in cmd for b in _PG_BACKGROUND))):
            group = "PostgreSQL"
        elif "beam.smp" in cmd:
            group = "RabbitMQ"
        else:
            group = "everything else"
        groups[group] = groups.get(group, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return groups


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=1200, help="events published per second")
    parser.add_argument("--processes", type=int, default=2, help="ledger processes")
    parser.add_argument("--volunteers", type=int, default=20_000)
    parser.add_argument("--batch-wait", type=float, default=None,
                        help="seconds the crediting handler waits to fill a batch "
                             "(LEDGER_CREDIT_BATCH_WAIT_SECONDS; default: deploy/config/ledger.yaml)")
    parser.add_argument("--baseline-events", type=int, default=20_000)
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    rabbit = Rabbit(f"tbperf-{run}")
    rabbit.create()
    tmp = Path(tempfile.mkdtemp(prefix="tbperf-"))
    prefix = f"tbperf_{run}"
    databases = ServiceDatabases(prefix, services=["ledger"])
    url = databases.superuser_url("ledger")  # the bench's own baseline and checks
    ports = [free_port() for _ in range(args.processes)]
    platform = LocalPlatform(env={"AMQP_URI": rabbit.uri, "LOG_LEVEL": "WARNING"}, databases=databases,
                             ports={"ledger": ports[0]}, log_dir=tmp / "log")
    volunteers = [str(uuid.uuid4()) for _ in range(args.volunteers)]
    try:
        platform.ensure_keys()
        databases.provision()
        platform.run_module("timebank_common.migrations", "ledger")
        direct = baseline(url, events_for(args.baseline_events, volunteers, f"base{run}"))

        for n, port in enumerate(ports):
            extra = {"LEDGER_HTTP": f"127.0.0.1:{port}"}
            if args.batch_wait is not None:
                extra["LEDGER_CREDIT_BATCH_WAIT_SECONDS"] = str(args.batch_wait)
            platform.start("ledger", extra, key=f"ledger-{n}")
        platform.ports.update({f"ledger-{n}": p for n, p in enumerate(ports)})
        platform.wait_healthy([f"ledger-{n}" for n in range(args.processes)])

        tag = f"real{run}"
        follower = JournalFollower(url, tag)
        follower.start()
        sent: dict[str, float] = {}
        events = events_for(args.events, volunteers, tag)
        ledger_pids = {platform.processes[f"ledger-{n}"].pid for n in range(args.processes)}
        cpu_before = cpu_seconds(ledger_pids, f"{prefix}_ledger")
        publisher = threading.Thread(target=publish_paced, args=(rabbit.uri, events, args.rate, sent))
        publisher.start()
        publisher.join()
        deadline = time.time() + 120
        while len(follower.seen) < args.events and time.time() < deadline:
            time.sleep(0.2)
        cpu_used = {group: seconds - cpu_before.get(group, 0.0)
                    for group, seconds in cpu_seconds(ledger_pids, f"{prefix}_ledger").items()}
        follower.stop.set()
        follower.join()

        engine = make_engine(url, pool_size=1)
        with UnitOfWork(engine) as uow:
            checks = verify_balances(uow)
        engine.dispose()
    finally:
        platform.stop_all()
        rabbit.delete()
        databases.drop()

    credited = len(follower.seen)
    latencies = [follower.seen[r] - sent[r] for r in follower.seen if r in sent]
    first_sent, last_seen = min(sent.values()), max(follower.seen.values())
    rate = credited / (last_seen - first_sent)
    print()
    print(f"{args.events} service_recorded events, offered at {args.rate:.0f}/s, "
          f"{args.processes} ledger processes, {args.volunteers} volunteers, 13 cities, "
          f"batch wait {args.batch_wait if args.batch_wait is not None else 'as configured'}; "
          "2 cores shared by RabbitMQ, PostgreSQL, the ledger and this script")
    print(f"credited: {credited} of {args.events} "
          f"({'all' if credited == args.events else 'MISSING ' + str(args.events - credited)})")
    print(f"real path (RabbitMQ -> ledger -> PostgreSQL): {rate:,.0f} credits/s sustained; "
          f"publish -> visible p50 {statistics.median(latencies) * 1000:.0f} ms, "
          f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms")
    print(f"baseline (same DB work, in process, batches of {CREDIT_BATCH}): "
          f"{direct:,.0f} credits/s")
    print(f"ratio real / baseline: {rate / direct:.2f}")
    print(f"CPU per credit over the real run ({sum(cpu_used.values()):.0f} CPU-s in "
          f"{last_seen - first_sent:.0f} s on {os.cpu_count()} cores):")
    for group, seconds in sorted(cpu_used.items(), key=lambda item: -item[1]):
        print(f"  {group:34s} {seconds / max(credited, 1) * 1000:6.3f} ms")
    print(f"invariants after the run: {'ok' if checks.get('ok') else checks}")
    return 0 if credited == args.events and checks.get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
