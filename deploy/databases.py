"""The services' databases: where they live, who owns them, who may use them.

    python deploy/databases.py provision [--topology shared|per-service] [--prefix timebank]
    python deploy/databases.py migrate [service ...]       # as each database's owner role
    python deploy/databases.py env                          # `export` lines for the processes
    python deploy/databases.py restart ledger | pause ledger 5 | status | drop

Why this exists (issue 17, item 2): no platform process runs with superuser rights or creates
databases. Provisioning is a separate, once-only step that needs the superuser; migrations are
a separate step run as each database's owner; the service processes connect as an application
role that can only read and write rows of its own database.

Per service ``<s>`` (database ``<prefix>_<s>``):

- ``<prefix>_<s>_owner`` owns the database and every schema object the migrations make. LOGIN
  (trust authentication here cannot express "only the migration job"), NOSUPERUSER, NOCREATEDB,
  NOCREATEROLE. ``python -m timebank_common.migrations`` connects as this role
  (``<S>_MIGRATION_DATABASE_URL``).
- ``<prefix>_<s>_app`` is what the processes connect as (``<S>_DATABASE_URL``): LOGIN, nothing
  else. CONNECT and TEMPORARY on its own database only (CONNECT is revoked from PUBLIC on every
  service database); SELECT/INSERT/UPDATE/DELETE on tables and USAGE/SELECT on sequences through
  ``ALTER DEFAULT PRIVILEGES FOR ROLE <owner>``, so the tables later migrations make are covered
  without a grant step. The migration command narrows this per service afterwards
  (``timebank_common.migrations.apply_grants``: the ledger's journal and entries are
  append-only for the app role, ``alembic_version`` read-only).

Topologies: ``shared`` puts every service database on one server (the machine's 127.0.0.1:5432,
or ``TIMEBANK_PG``); ``per-service`` makes one PostgreSQL 15 cluster per service with
``pg_createcluster`` on its own port (data under /var/lib/postgresql/15/<prefix>-<service>, or
``base_dir``), run by user postgres, so one service's database can be restarted or paused
(SIGSTOP) on its own. Role passwords: none with trust authentication; a deployment that
authenticates sets ``TIMEBANK_DB_PASSWORD`` (provision gives it to the roles and ``env()`` puts
it in the URLs) or hands the processes URLs of its own.
"""
from __future__ import annotations

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("identity", "ledger", "demand", "matching", "notify", "reporting")
PG_VERSION = "15"
DEFAULT_SUPERUSER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432"
FIRST_CLUSTER_PORT = 5441  # per-service clusters of the default prefix: 5441..5446
CLUSTER_SETTINGS = {  # six clusters beside everything else on a small machine
    "shared_buffers": "64MB", "max_connections": "100", "work_mem": "4MB",
    "maintenance_work_mem": "32MB", "max_wal_size": "256MB",
}
TOPOLOGIES = ("shared", "per-service")


class DatabaseSetupError(RuntimeError):
    pass


def _quote(name: str) -> str:
    if not name.replace("_", "").replace("-", "").isalnum():
        raise DatabaseSetupError(f"not a plain identifier: {name!r}")
    return f'"{name}"'


class ServiceDatabases:
    """The databases of one platform instance (``prefix`` keeps instances apart: tests give
    each run its own) in one of the two topologies.

    ``ports`` (per-service topology): each service's cluster port; by default the port of a
    cluster that already exists, else ``FIRST_CLUSTER_PORT`` + the service's index.
    ``superuser_url`` (shared topology): the server, as its superuser (``TIMEBANK_PG``).
    """

    def __init__(self, prefix: str = "timebank", topology: str = "shared",
                 base_dir: Path | str | None = None, services: Iterable[str] = SERVICES,
                 ports: Mapping[str, int] | None = None, superuser_url: str | None = None,
                 password: str | None = None):
        if topology not in TOPOLOGIES:
            raise DatabaseSetupError(f"topology is one of {', '.join(TOPOLOGIES)}: {topology!r}")
        self.prefix = prefix
        self.topology = topology
        self.base_dir = Path(base_dir) if base_dir else None
        self.services = tuple(services)
        self.password = password if password is not None else os.environ.get("TIMEBANK_DB_PASSWORD")
        self._server = make_url(superuser_url or os.environ.get("TIMEBANK_PG", DEFAULT_SUPERUSER_URL))
        self.ports: dict[str, int] = {}
        if topology == "per-service":
            existing = _clusters(self.cluster_name(service) for service in self.services)
            for index, service in enumerate(self.services):
                given = (ports or {}).get(service)
                found = existing.get(self.cluster_name(service), {}).get("port")
                self.ports[service] = int(given or found or FIRST_CLUSTER_PORT + index)

    # -- names and addresses ----------------------------------------------------------------
    def database(self, service: str) -> str:
        return f"{self.prefix}_{service}"

    def owner_role(self, service: str) -> str:
        return f"{self.prefix}_{service}_owner"

    def app_role(self, service: str) -> str:
        return f"{self.prefix}_{service}_app"

    def cluster_name(self, service: str) -> str:
        return f"{self.prefix}-{service}"

    def _server_of(self, service: str) -> URL:
        if self.topology == "per-service":
            return self._server.set(host="127.0.0.1", port=self.ports[service])
        return self._server

    def _url(self, service: str, role: str | None, database: str | None = None) -> str:
        server = self._server_of(service)
        if role is not None:
            server = server.set(username=role, password=self.password)
        url = server.set(database=database or self.database(service))
        return url.render_as_string(hide_password=False)

    def superuser_url(self, service: str) -> str:
        """The service's database as the superuser: for test assertions and this module only."""
        return self._url(service, None)

    def app_url(self, service: str) -> str:
        return self._url(service, self.app_role(service))

    def owner_url(self, service: str) -> str:
        return self._url(service, self.owner_role(service))

    def env(self) -> dict[str, str]:
        """What the processes of a platform need: ``<S>_DATABASE_URL`` (app role) and
        ``<S>_MIGRATION_DATABASE_URL`` (owner role) per service (deploy/config/<s>.yaml)."""
        env = {}
        for service in self.services:
            env[f"{service.upper()}_DATABASE_URL"] = self.app_url(service)
            env[f"{service.upper()}_MIGRATION_DATABASE_URL"] = self.owner_url(service)
        return env

    # -- provisioning (superuser, once) ------------------------------------------------------
    def provision(self) -> None:
        """Clusters (per-service), roles, databases and grants; idempotent (a second run
        resets the roles' attributes and the grants to the model above)."""
        if self.topology == "per-service":  # initdb waits on the disk more than the CPU
            with ThreadPoolExecutor(3) as pool:
                list(pool.map(self._ensure_cluster, self.services))
        for service in self.services:
            self._provision_roles_and_database(service)

    def _admin(self, service: str, database: str = "postgres"):
        url = self._server_of(service).set(database=database)
        return create_engine(url, isolation_level="AUTOCOMMIT", hide_parameters=True)

    def _provision_roles_and_database(self, service: str) -> None:
        owner, app, database = (_quote(self.owner_role(service)), _quote(self.app_role(service)),
                                _quote(self.database(service)))
        password = ""
        if self.password:
            password = " PASSWORD '" + self.password.replace("'", "''") + "'"
        admin = self._admin(service)
        try:
            with admin.connect() as conn:
                for role in (self.owner_role(service), self.app_role(service)):
                    if not conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"),
                                        {"r": role}).scalar():
                        conn.execute(text(f"CREATE ROLE {_quote(role)}"))
                    conn.execute(text(
                        f"ALTER ROLE {_quote(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE "
                        f"NOREPLICATION NOBYPASSRLS{password}"))
                if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :d"),
                                {"d": self.database(service)}).scalar():
                    conn.execute(text(f"ALTER DATABASE {database} OWNER TO {owner}"))
                else:
                    conn.execute(text(f"CREATE DATABASE {database} OWNER {owner}"))
                conn.execute(text(f"REVOKE ALL ON DATABASE {database} FROM PUBLIC"))
                conn.execute(text(f"GRANT CONNECT, TEMPORARY ON DATABASE {database} TO {app}"))
        finally:
            admin.dispose()
        inside = self._admin(service, self.database(service))
        try:
            with inside.connect() as conn:
                conn.execute(text("REVOKE CREATE ON SCHEMA public FROM PUBLIC"))
                conn.execute(text(f"GRANT USAGE, CREATE ON SCHEMA public TO {owner}"))
                conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {app}"))
                conn.execute(text(
                    f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                    f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app}"))
                conn.execute(text(
                    f"ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public "
                    f"GRANT USAGE, SELECT ON SEQUENCES TO {app}"))
        finally:
            inside.dispose()

    def _ensure_cluster(self, service: str) -> None:
        name, port = self.cluster_name(service), self.ports[service]
        clusters = _clusters([name])
        if name not in clusters:
            command = ["pg_createcluster", PG_VERSION, name, "-p", str(port),
                       "--start-conf=manual"]
            if self.base_dir is not None:
                command += ["-d", str(self.base_dir / name)]
            for key, value in CLUSTER_SETTINGS.items():
                command += ["-o", f"{key}={value}"]
            _run([*command, "--", "--auth=trust", "--encoding=UTF8"])
            clusters = _clusters([name])
        if clusters[name]["status"] != "online":
            _run(["pg_ctlcluster", PG_VERSION, name, "start"])

    # -- migrations (owner roles) ------------------------------------------------------------
    def migrate(self, services: Iterable[str] | None = None,
                extra_env: Mapping[str, str] | None = None) -> None:
        """``python -m timebank_common.migrations <services>`` with this instance's URLs: each
        database upgraded as its owner role (``extra_env``: e.g. ``PII_KEYS_FILE``)."""
        env = dict(os.environ, **(extra_env or {}), **self.env())
        subprocess.run([sys.executable, "-m", "timebank_common.migrations",
                        *(services or self.services)], cwd=ROOT, env=env, check=True)

    # -- faults (per-service topology) -------------------------------------------------------
    def _cluster(self, service: str) -> dict:
        if self.topology != "per-service":
            raise DatabaseSetupError("restart and pause act on a service's own cluster "
                                     "(per-service topology)")
        cluster = _clusters([self.cluster_name(service)]).get(self.cluster_name(service))
        if cluster is None:
            raise DatabaseSetupError(f"no cluster {self.cluster_name(service)}: provision first")
        return cluster

    def restart(self, service: str) -> None:
        """Restart the service's cluster (fast mode: open connections are cut, as in a crash
        of the server process the clients see; committed work is kept)."""
        self._cluster(service)
        _run(["pg_ctlcluster", PG_VERSION, self.cluster_name(service), "restart", "-m", "fast"])

    def pause(self, service: str, seconds: float) -> None:
        """Freeze the service's cluster for ``seconds`` (SIGSTOP to the postmaster and its
        children, then SIGCONT): connections stay open and queries hang, as with a server that
        stalls on its disk. Blocks for ``seconds``; run it in a thread to do other things."""
        pids = self.server_pids(service)
        try:
            for pid in pids:
                os.kill(pid, signal.SIGSTOP)
            time.sleep(seconds)  # the fault's length, not a wait for something to happen
        finally:
            for pid in reversed(pids):
                try:
                    os.kill(pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass

    def server_pids(self, service: str) -> list[int]:
        """The postmaster's pid, then its children's."""
        cluster = self._cluster(service)
        pid_file = Path(cluster["datadir"]) / "postmaster.pid"
        postmaster = int(pid_file.read_text().split()[0])
        return [postmaster, *child_pids(postmaster)]

    # -- removal -----------------------------------------------------------------------------
    def drop(self) -> None:
        """Remove everything ``provision`` made (clusters, or databases and roles)."""
        if self.topology == "per-service":
            clusters = _clusters(self.cluster_name(service) for service in self.services)
            with ThreadPoolExecutor(3) as pool:
                list(pool.map(self._drop_cluster, [self.cluster_name(service)
                                                   for service in self.services
                                                   if self.cluster_name(service) in clusters]))
            return
        for service in self.services:
            admin = self._admin(service)
            try:
                with admin.connect() as conn:
                    conn.execute(text(
                        f"DROP DATABASE IF EXISTS {_quote(self.database(service))} WITH (FORCE)"))
                    for role in (self.app_role(service), self.owner_role(service)):
                        conn.execute(text(f"DROP ROLE IF EXISTS {_quote(role)}"))
            finally:
                admin.dispose()

    @staticmethod
    def _drop_cluster(name: str) -> None:
        # thrown away: no checkpoint to wait for (a smart or fast stop took ~4 s each)
        subprocess.run(["pg_ctlcluster", PG_VERSION, name, "stop", "-m", "immediate"],
                       capture_output=True)
        _run(["pg_dropcluster", PG_VERSION, name])

    def status(self) -> list[str]:
        clusters = _clusters(self.cluster_name(service) for service in self.services)
        lines = []
        for service in self.services:
            where = self._server_of(service)
            state = ""
            if self.topology == "per-service":
                found = clusters.get(self.cluster_name(service))
                state = f" cluster {self.cluster_name(service)}: " + (
                    f"{found['status']} {found['datadir']}" if found else "absent")
            lines.append(f"{service}: {self.database(service)} at {where.host}:{where.port}{state}")
        return lines

    def __enter__(self) -> ServiceDatabases:
        self.provision()
        return self

    def __exit__(self, *exc) -> None:
        self.drop()


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise DatabaseSetupError(f"{shlex.join(command)} failed ({done.returncode}): "
                                 f"{done.stderr.strip() or done.stdout.strip()}")


def _clusters(names: Iterable[str]) -> dict[str, dict]:
    """``pg_lsclusters`` of each named cluster that exists: name -> port, status, owner,
    datadir. One cluster at a time: a listing of all fails while another cluster is being
    made (its configuration half written), and would then hide clusters that exist."""
    clusters = {}
    for name in names:
        try:
            listing = subprocess.run(["pg_lsclusters", "-h", PG_VERSION, name],
                                     capture_output=True, text=True).stdout
        except OSError:  # PostgreSQL's Debian tools are not installed: no cluster
            return {}
        fields = listing.split()
        if len(fields) >= 6 and fields[1] == name:
            clusters[name] = {"port": int(fields[2]), "status": fields[3], "owner": fields[4],
                              "datadir": fields[5]}
    return clusters


def child_pids(pid: int) -> list[int]:
    """The living processes whose parent is ``pid``, from /proc."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Provision, migrate and operate the services' "
                                     "databases (superuser for provision/drop)")
    parser.add_argument("action", choices=("provision", "migrate", "env", "status", "restart",
                                           "pause", "drop"))
    parser.add_argument("args", nargs="*", help="migrate: services; restart: service; "
                        "pause: service seconds")
    parser.add_argument("--topology", choices=TOPOLOGIES,
                        default=os.environ.get("TIMEBANK_DB_TOPOLOGY", "shared"))
    parser.add_argument("--prefix", default=os.environ.get("TIMEBANK_DB_PREFIX", "timebank"))
    parser.add_argument("--base-dir", default=None, help="per-service clusters' data folders")
    args = parser.parse_args(argv)
    databases = ServiceDatabases(args.prefix, args.topology, args.base_dir)
    try:
        if args.action == "provision":
            databases.provision()
            print("\n".join(databases.status()))
        elif args.action == "migrate":
            databases.migrate(args.args or None)
        elif args.action == "env":
            for key, value in databases.env().items():
                print(f"export {key}={shlex.quote(value)}")
        elif args.action == "status":
            print("\n".join(databases.status()))
        elif args.action == "restart":
            databases.restart(args.args[0])
        elif args.action == "pause":
            databases.pause(args.args[0], float(args.args[1]))
        elif args.action == "drop":
            databases.drop()
    except (DatabaseSetupError, IndexError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
