"""Issue 17, item 4: a day of load while processes, broker nodes and databases fail — and at
the end nothing lost, nothing doubled, nothing stuck.

The platform: every service and the gateway as processes (``running_platform``), two
processes each of ledger and demand, on the province's topology — a 3-node RabbitMQ cluster
(``deploy/rabbit_cluster.py``) and a PostgreSQL cluster per service (``deploy/databases.py``,
``per-service``); needs root (network namespaces, ``pg_createcluster``), so it runs only
under ``-m cluster`` (deploy/test_groups.py: alone, after the other groups). The load (``load.drive_load``): the province day when
``tests/perf/province_day.py`` is there, journeys of our own until the faults are done. The
faults (``injector.FaultInjector``, seeded): CI's minimum schedule — 20 process kills, 2 broker
node kills, a partition, a database restart, a pause of the ledger's database — or, with
``CHAOS_FULL=1``, the full one under a full-scale day. A kind whose part this topology lacks is
skipped with its reason (``wire_targets`` also serves a platform on one shared broker
node and server). Then, once the platform
has settled, every check of ``checks.py``.

The run prints the faults survived per kind, the load's figures and the wall time. On 2
shared cores: ~7 minutes (platform start ~2, faults ~5), 0 findings (seeds 2 and 3).
"""
from __future__ import annotations

import os
import signal
import threading
import time

import checks
import pytest
from injector import FaultInjector, Schedule
from load import drive_load
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool
from targets import (
    add_process,
    broker_targets,
    database_targets,
    process_targets,
    shared_server_database_targets,
    wait_database_answers,
)

from local_platform import SERVICES
from platform_fixtures import running_platform
from rabbit_cluster import RabbitCluster

FULL = os.environ.get("CHAOS_FULL") == "1"
SEED = int(os.environ.get("CHAOS_SEED", "20261207"))
REPLICATED = ("ledger", "demand")  # two processes each
CLIENTS = 8 if FULL else 4
DAY_SERVICES = 20_000 if FULL else 300
MIN_JOURNEYS = 40  # the load went on between the faults, not only before them
BOUND_SECONDS = 15 * 60  # CI's bound for the whole test, the platform's start included

# it boots a RabbitMQ cluster in network namespaces (root): only when -m names "cluster"
pytestmark = pytest.mark.cluster


@pytest.fixture
def chaos_platform(tmp_path, channels):
    """The province's topology: a 3-node RabbitMQ cluster (prefix and subnet of its own, so it
    never meets an operator's ``tbrmq`` on 10.77.0 or the cluster tests' ``tbclt``) and a
    PostgreSQL cluster per service (on free ports, clear of the 5441-5446 an operator's
    ``deploy/databases.py`` uses). Everything is stopped and dropped however the test ends."""
    started = time.monotonic()
    cluster = RabbitCluster(tmp_path / "rabbit", prefix="tbchaos", subnet="10.78.0")
    try:
        cluster.start()
        # small pools (2, and as many again at a peak): processes killed and started again
        # open their own while the old connections are still being closed
        with running_platform(tmp_path, channels, {"DB_POOL_SIZE": "2"},
                              topology="per-service", cluster=cluster) as platform:
            platform.started_at = started
            for service in REPLICATED:
                add_process(platform, service, 2)
            yield platform
    finally:
        cluster.stop()


def wire_targets(platform):
    """The faults this platform's topology offers: its processes always; the broker's nodes
    when it runs on a ``RabbitCluster`` (``platform.cluster``); the databases per service
    when it has ``ServiceDatabases`` of that topology (``platform.databases``), else the
    stand-ins on the shared server."""
    targets = process_targets(platform)
    broker_targets(targets, getattr(platform, "cluster", None))
    databases = getattr(platform, "databases", None)
    if databases is not None and getattr(databases, "topology", "") == "per-service":
        database_targets(targets, databases, list(SERVICES),
                         lambda s: wait_database_answers(databases.superuser_url(s)))
    else:
        shared_server_database_targets(targets, platform.db_url, list(SERVICES))
    return targets


def rabbit_queue_depths(rabbit):
    """Messages in each queue of the platform's vhost (ready and unacknowledged), from the
    management API of whichever cluster node answers."""
    def depths() -> dict[str, int]:
        return {q["name"]: int(q.get("messages", 0)) for q in rabbit.queues()}

    return depths


RESERVATIONS = "SELECT count(*) FROM transfers WHERE phase = 'pending'"


def what_was_checked(made, platform) -> str:
    """How much the checks looked at (a check over nothing proves nothing)."""
    def count(service, sql):
        with made[service].connect() as conn:
            return conn.execute(text(sql)).scalar_one()

    return (f"checked {count('demand', 'SELECT count(*) FROM service_records')} service records,"
            f" {count('ledger', 'SELECT count(*) FROM transfers')} ledger transfers"
            f" ({count('ledger', RESERVATIONS)} reservations),"
            f" {len(platform.sms.accepted)} SMS, {len(platform.mailbox.mails)} e-mails,"
            f" {count('reporting', 'SELECT count(*) FROM event_archive')} archived events")


def run_checks(platform) -> tuple[list[str], str]:
    made = {s: create_engine(platform.db_url(s), poolclass=NullPool) for s in SERVICES}
    try:
        findings = checks.every_process_running(
            {name: process.poll() for name, process in platform.processes.items()})
        findings += checks.wait_settled(made.__getitem__, SERVICES,
                                        rabbit_queue_depths(platform.rabbit))
        findings += checks.credited_exactly_once(made["demand"], made["ledger"])
        findings += checks.ledger_verifies(made["ledger"])
        findings += checks.no_reservation_past_its_demand(made["demand"], made["ledger"])
        findings += checks.no_notification_sent_twice(list(platform.sms.accepted),
                                                       list(platform.mailbox.mails))
        findings += checks.dead_letters_explained(platform.rabbit.uri, SERVICES)
        findings += checks.reporting_equals_rebuild(made["reporting"])
        return findings, what_was_checked(made, platform)
    finally:
        for engine in made.values():
            engine.dispose()


def stacks_into_logs(platform, seconds: float = 10.0) -> str:
    """Every process writes where each of its green threads is into its log (``SIGUSR1``,
    ``timebank_common.stacks``): asked when a check found something, so the logs say where a
    process that stopped answering was stuck. Returns where the logs are."""
    asked = []
    for key, process in platform.processes.items():
        if process.poll() is None:
            process.send_signal(signal.SIGUSR1)
            asked.append(platform.log_dir / f"{key}.log")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not all(
            "=== end of stacks ===" in log.read_text(errors="replace") for log in asked):
        time.sleep(0.2)  # polling the logs for the dumps' last line
    return f"stacks of {len(asked)} processes in {platform.log_dir}"


def queues_without_consumers(platform) -> list[str]:
    """The platform's queues (RPC, events, replies; not the dead letters) no process consumes."""
    try:
        return sorted(q["name"] for q in platform.rabbit.queues()
                      if not q.get("consumers") and not q["name"].endswith(".dead-letters"))
    except Exception as exc:  # noqa: BLE001 - the broker's view is a clue, not a check
        return [f"(not known: {exc!r})"]


def last_errors(platform, per_process: int = 3) -> list[str]:
    """Each process's last warnings and errors (its JSON log lines), short: printed with the
    findings, so a CI log that keeps only its tail still says what each process last met."""
    lines = []
    for log in sorted(platform.log_dir.glob("*.log")):
        found = [line for line in log.read_text(errors="replace").splitlines()
                 if ('"level": "ERROR"' in line or '"level": "WARNING"' in line)
                 and "(expected)" not in line]  # a refusal answered, not a fault
        lines += [f"{log.stem}: {line[:300]}" for line in found[-per_process:]]
    return lines


def test_province_day_under_faults(chaos_platform, demo_accounts, capsys):
    platform = chaos_platform
    injector = FaultInjector(wire_targets(platform), Schedule.full() if FULL else Schedule.ci(),
                             seed=SEED)
    bound = threading.Timer(BOUND_SECONDS, injector.stop)
    bound.daemon = True
    bound.start()  # a schedule that overruns stops, and its missing faults fail the test
    injector.start()
    report = drive_load(platform, demo_accounts, injector.finished, clients=CLIENTS,
                        seed=SEED, services=DAY_SERVICES)
    injector.join()
    bound.cancel()
    stalled = not report.made_progress(MIN_JOURNEYS) or isinstance(report.province_day, str)
    if stalled:  # where each process was while the day could not go on, before anything moves
        report.errors.append(f"queues without a consumer: {queues_without_consumers(platform)}; "
                             f"{stacks_into_logs(platform)}")
    findings, checked = run_checks(platform)
    if findings and not stalled:
        checked += f"\nqueues without a consumer: {queues_without_consumers(platform)}; " \
                   f"{stacks_into_logs(platform)}"
    wall = time.monotonic() - platform.started_at
    with capsys.disabled():
        print(f"\n{injector.summary()}\n{report.summary()}\n"
              f"{checked}\nchecks: {len(findings)} findings; wall time {wall:.0f}s")
        if findings:
            for line in last_errors(platform):
                print(f"  LOG {line}")
        for finding in findings:
            print(f"  FINDING {finding}")

    assert not injector.failed and not injector.crashed, injector.summary()
    assert not injector.missing_counts(), injector.summary()
    assert report.made_progress(MIN_JOURNEYS), report.summary()
    assert findings == []
    assert FULL or wall < BOUND_SECONDS
