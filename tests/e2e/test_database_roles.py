"""Issue 17: "No process runs with database superuser rights or creates databases at start".

On databases provisioned by ``deploy/databases.py`` (shared topology, roles of this run): what a
service's application role cannot do, what its owner role cannot do either, and a service
process started against an unmigrated database refusing to start with the command to run."""
from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from databases import ServiceDatabases
from sqlalchemy import create_engine, exc, text
from sqlalchemy.pool import NullPool

from local_platform import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def databases():
    """ledger and identity provisioned; only the ledger migrated (as its owner role)."""
    instance = ServiceDatabases(f"tbroles_{uuid.uuid4().hex[:8]}", services=["ledger", "identity"])
    try:
        instance.provision()
        instance.migrate(["ledger"])
        yield instance
    finally:
        instance.drop()


def run_sql(url: str, statement: str):
    engine = create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            return conn.execute(text(statement)).all()
    finally:
        engine.dispose()


def refused(url: str, statement: str) -> str:
    with pytest.raises(exc.DBAPIError) as caught:
        run_sql(url, statement)
    return str(caught.value.orig)


def test_the_app_role_reads_and_writes_rows_of_its_own_database_only(databases):
    app = databases.app_url("ledger")
    assert run_sql(app, "SELECT current_user, count(*) FROM transfers") == [
        (databases.app_role("ledger"), 0)]
    assert "permission denied to create database" in refused(app, "CREATE DATABASE tbroles_x")
    assert "permission denied for schema public" in refused(app, "CREATE TABLE t (a int)")
    assert "must be owner" in refused(app, "ALTER TABLE transfers ADD COLUMN x int")
    # the journal and entries are append-only for the process; the schema version read-only
    for statement in ("UPDATE journal SET hash = hash", "DELETE FROM entries",
                      "TRUNCATE journal", "UPDATE alembic_version SET version_num = 'x'"):
        assert "permission denied" in refused(app, statement), statement
    other = databases.app_url("identity").replace(databases.app_role("identity"),
                                                  databases.app_role("ledger"))
    assert "permission denied for database" in refused(other, "SELECT 1")
    [(superuser, createdb, createrole)] = run_sql(
        databases.superuser_url("ledger"),
        f"SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles "
        f"WHERE rolname = '{databases.app_role('ledger')}'")
    assert (superuser, createdb, createrole) == (False, False, False)


def test_the_owner_role_changes_the_schema_but_creates_no_database(databases):
    owner = databases.owner_url("ledger")
    assert "permission denied to create database" in refused(owner, "CREATE DATABASE tbroles_y")
    [(superuser, createdb)] = run_sql(
        databases.superuser_url("ledger"),
        f"SELECT rolsuper, rolcreatedb FROM pg_roles "
        f"WHERE rolname = '{databases.owner_role('ledger')}'")
    assert (superuser, createdb) == (False, False)
    other = databases.owner_url("identity").replace(databases.owner_role("identity"),
                                                    databases.owner_role("ledger"))
    assert "permission denied for database" in refused(other, "SELECT 1")


def start_service(service: str, databases: ServiceDatabases) -> subprocess.CompletedProcess:
    env = dict(os.environ, **databases.env(), LOG_LEVEL="WARNING",
               **{f"{service.upper()}_HTTP": "127.0.0.1:1"})  # never reached: it stops first
    return subprocess.run([sys.executable, "-m", "timebank_common.runner", service], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


def test_a_process_on_an_unmigrated_database_refuses_to_start_naming_the_command(databases):
    done = start_service("identity", databases)
    assert done.returncode == 1, done.stderr
    assert "数据库未迁移到最新版本" in done.stderr
    assert "python -m timebank_common.migrations identity" in done.stderr
    # nothing was created by the attempt: the database is as provisioned
    assert run_sql(databases.superuser_url("identity"),
                   "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


def test_a_process_whose_database_was_never_provisioned_says_so(databases):
    unprovisioned = ServiceDatabases(f"tbroles_none_{uuid.uuid4().hex[:6]}", services=["ledger"])
    done = start_service("ledger", unprovisioned)
    assert done.returncode == 1, done.stderr
    assert "python deploy/databases.py provision" in done.stderr
    assert run_sql(databases.superuser_url("ledger").rsplit("/", 1)[0] + "/postgres",
                   f"SELECT count(*) FROM pg_database "
                   f"WHERE datname = '{unprovisioned.database('ledger')}'") == [(0,)]
