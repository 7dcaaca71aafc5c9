"""What the fault injector breaks, wired to the parts a platform runs on: small adapters, one
per kind of part, so a test assembles the ``FaultTargets`` of the topology it started.

* processes (``process_targets``): a ``LocalPlatform``'s processes, several of one service
  too (``add_process``); SIGKILL and start again, wait for ``/health`` — works on any topology;
* the broker (``broker_targets``): a ``RabbitCluster`` (deploy/rabbit_cluster.py): kill a node
  and start it, partition a node and heal; a single shared broker node has no such target (it
  is the machine's, never restarted by a test);
* databases, per service (``database_targets``): a ``ServiceDatabases`` of the per-service
  topology (deploy/databases.py): ``restart`` and ``pause`` its cluster;
* databases on one shared server (``shared_server_database_targets``): the machine's one
  PostgreSQL is never restarted or stopped by a test, so the faults are played on the service's
  own database: a restart cuts every connection to it and refuses new ones for a moment (what
  the service sees of a server restart), a pause takes every table's lock for a few seconds
  (every statement waits, as on a stalled server).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from injector import (
    BROKER_NODE_KILL,
    PARTITION,
    FaultTargets,
)
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.pool import NullPool
from timebank_testing import free_port

from local_platform import PlatformError

RECOVERY_SECONDS = 180
"""How long a part may take to come back (a process starting beside a loaded platform, a
broker node syncing its quorum queues)."""


# --- processes ----------------------------------------------------------------------------
def add_process(platform, service: str, number: int) -> str:
    """Start process ``number`` (2, 3, ...) of ``service`` beside the first, on its own HTTP
    port; its key is ``<service>-<number>``."""
    key = f"{service}-{number}"
    platform.ports[key] = free_port()
    extra = {f"{service.upper()}_HTTP": f"127.0.0.1:{platform.ports[key]}"}
    platform.start(service, extra, key=key)
    platform.extra_env = {**getattr(platform, "extra_env", {}), key: (service, extra)}
    platform.wait_healthy([key], timeout=RECOVERY_SECONDS)
    return key


def kill_and_restart(platform, key: str) -> None:
    """SIGKILL the process ``key`` (no cleanup, like a crash), start it again as it was
    started, and wait until it answers ``/health``. A process that exits while starting (its
    database or broker refused it for a moment) is started again, as a supervisor (systemd,
    Kubernetes) would, until ``RECOVERY_SECONDS`` have passed."""
    service, extra = getattr(platform, "extra_env", {}).get(key, (key, None))
    platform.kill(key)
    deadline = time.monotonic() + RECOVERY_SECONDS
    while True:
        platform.start(service, extra, key=key)
        try:
            platform.wait_healthy([key], timeout=max(1.0, deadline - time.monotonic()))
            return
        except PlatformError as exc:
            exited = platform.processes[key].poll() is not None
            if not exited or time.monotonic() > deadline:
                raise
            print(f"{key} exited while starting ({exc}); started again", flush=True)
            platform.processes.pop(key)


def process_targets(platform) -> FaultTargets:
    """Every process the platform runs may be killed."""
    return FaultTargets(processes=sorted(platform.processes),
                        kill_process=lambda key: kill_and_restart(platform, key))


# --- the broker ---------------------------------------------------------------------------
def broker_targets(targets: FaultTargets, cluster: Any | None, index_base: int = 1) -> None:
    """Wire the broker faults to a ``RabbitCluster`` (``None``: one shared node, skipped).
    The injector numbers nodes 1..size; ``index_base`` is the cluster's first index."""
    if cluster is None:
        why = ("one shared RabbitMQ node (the machine's): no node to kill or cut off; "
               "needs deploy/rabbit_cluster.py")
        targets.missing.update({BROKER_NODE_KILL: why, PARTITION: why})
        return

    def node(i: int) -> int:
        return i - 1 + index_base

    def kill(i: int) -> None:
        cluster.kill_node(node(i))
        cluster.start_node(node(i))
        cluster.wait_healthy()

    def partition(i: int, seconds: float) -> None:
        cluster.partition(node(i))
        try:
            time.sleep(seconds)  # the partition's length, not a wait for something
        finally:
            cluster.heal(node(i))
        cluster.wait_healthy()

    targets.broker_nodes = getattr(cluster, "size", 3)
    targets.kill_broker_node, targets.partition_broker_node = kill, partition


# --- databases ----------------------------------------------------------------------------
def database_targets(targets: FaultTargets, databases: Any, services: list[str],
                     ready: Callable[[str], None]) -> None:
    """Wire the database faults to a per-service ``ServiceDatabases``: ``restart(service)``
    and ``pause(service, seconds)`` of its own cluster; ``ready(service)`` waits until the
    service's database answers again."""
    def restart(service: str) -> None:
        databases.restart(service)
        ready(service)

    def pause(service: str, seconds: float) -> None:
        databases.pause(service, seconds)
        ready(service)

    targets.databases = list(services)
    targets.restart_database, targets.pause_database = restart, pause


def shared_server_database_targets(targets: FaultTargets, db_url: Callable[[str], str],
                                   services: list[str], down_seconds: float = 2.0) -> None:
    """The database faults on one shared PostgreSQL server (see the module's docstring)."""
    targets.databases = list(services)
    targets.restart_database = lambda service: cut_connections(db_url(service), down_seconds)
    targets.pause_database = lambda service, seconds: lock_every_table(db_url(service), seconds)


def wait_database_answers(url: str, timeout: float = RECOVERY_SECONDS) -> None:
    """Poll until a connection to ``url`` runs a query."""
    engine = create_engine(url, poolclass=NullPool)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                with engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                return
            except Exception:  # noqa: BLE001 - not back yet
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        engine.dispose()


def cut_connections(url: str, down_seconds: float) -> None:
    """What a service sees of its database server restarting: every open connection is cut
    (``pg_terminate_backend``, mid-transaction or not) and new ones are refused for
    ``down_seconds``; then the database takes connections again."""
    database = make_url(url).database
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false'))
            try:
                conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                  "WHERE datname = :d AND pid <> pg_backend_pid()"),
                             {"d": database})
                time.sleep(down_seconds)  # the outage's length, not a wait for something
            finally:
                conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true'))
    finally:
        admin.dispose()
    wait_database_answers(url)


def lock_every_table(url: str, seconds: float) -> None:
    """What a service sees of its database server stalling: for ``seconds`` every table of its
    database is locked (ACCESS EXCLUSIVE, taken once the transactions under way end), so each
    statement waits; then the locks go and the statements run."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn, conn.begin():
            conn.execute(text("SET LOCAL lock_timeout = '30s'"))
            tables = conn.execute(text(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public' "
                "ORDER BY tablename")).scalars().all()
            conn.execute(text(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE"))
            time.sleep(seconds)  # the stall's length, not a wait for something
    finally:
        engine.dispose()
    wait_database_answers(url)
