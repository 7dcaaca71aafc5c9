"""Issue 17, item 2: the platform on one PostgreSQL cluster per service.

Six clusters (``pg_createcluster``, run by user postgres, each on its own port), every process
connected to its own cluster as its application role; the first path runs while the ledger's
cluster is restarted twice (before the check-in and before the hours are recorded) and paused
(SIGSTOP, 3 s) while the credit is on its way, and the volunteer is credited 90 minutes exactly
once."""
from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from first_path import run_path, wait_for, wait_for_balance
from local_platform import SERVICES
from platform_fixtures import Api, running_platform

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform(tmp_path_factory, channels):
    with running_platform(tmp_path_factory.mktemp("per-service"), channels,
                          topology="per-service") as instance:
        yield instance


def connected_roles(url: str, database: str) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return set(conn.execute(text(
                "SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = :d "
                "AND pid <> pg_backend_pid()"), {"d": database}).scalars())
    finally:
        engine.dispose()


def test_each_service_runs_on_a_cluster_of_its_own_as_its_app_role(platform):
    databases = platform.databases
    clusters = {service: line for service, line in zip(SERVICES, databases.status(), strict=True)}
    assert len(set(databases.ports.values())) == len(SERVICES)
    for service in SERVICES:
        assert "online /var/lib/postgresql/15/" in clusters[service], clusters[service]
        owner = {int(open(f"/proc/{pid}/status").read().split("Uid:")[1].split()[0])
                 for pid in databases.server_pids(service)}
        assert owner == {_postgres_uid()}, (service, owner)  # the server runs as postgres
        assert connected_roles(databases.superuser_url(service), databases.database(service)) \
            == {databases.app_role(service)}, service


def _postgres_uid() -> int:
    import pwd  # noqa: PLC0415

    return pwd.getpwnam("postgres").pw_uid


def stopped(pid: int) -> bool:
    return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0] == "T"


def test_first_path_credits_once_while_the_ledgers_database_restarts_and_pauses(
        platform, demo_accounts):
    api = Api(platform.url("gateway"))
    databases = platform.databases
    faults = []
    pause = threading.Thread(target=databases.pause, args=("ledger", 3))

    def before(step):
        if step in ("check_in", "record"):  # the ledger's pooled connections die
            databases.restart("ledger")
            faults.append(f"restart before {step}")
        if step == "after_record":  # frozen while the credit is on its way
            pause.start()
            wait_for(lambda: stopped(databases.server_pids("ledger")[0]), bool, timeout=10,
                     interval=0.01)
            faults.append("pause")

    result = run_path(api, demo_accounts, before=before)
    assert faults == ["restart before check_in", "restart before record", "pause"]
    person = result["volunteer"]["person_id"]
    started = time.monotonic()  # a read during the pause waits for the server, then answers
    api.call("GET", f"/api/v1/accounts/{person}", token=result["volunteer_token"], expect=200)
    assert time.monotonic() - started > 1.0
    pause.join()
    balance = wait_for_balance(api, result, 90, timeout=120)
    assert balance["earned_minutes"] == 90, balance
    statement = wait_for(
        lambda: api.call("GET", f"/api/v1/accounts/{person}/statement",
                         token=result["volunteer_token"], expect=200).json(),
        lambda s: s["total"] >= 1)
    assert statement["total"] == 1, statement
    time.sleep(1.5)  # a doubled credit would show by now (as test_chaos.assert_exactly)
    assert api.call("GET", f"/api/v1/accounts/{person}", token=result["volunteer_token"],
                    expect=200).json()["earned_minutes"] == 90
    assert platform.healthy("ledger")
