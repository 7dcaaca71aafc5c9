"""Backup and restore, tried (issue 18, item 7): back up every service's database, destroy
them, restore, let the outboxes replay, verify, and time each step.

    python deploy/drill.py backup  --dir var/backups/2026-12-07   # pg_dump each, a manifest
    python deploy/drill.py restore --dir var/backups/2026-12-07   # processes stopped first
    python deploy/drill.py verify                                  # processes running again
    python deploy/drill.py drill   --dir var/backups/drill         # all of it, timed

Options as ``deploy/databases.py``: ``--prefix`` (``TIMEBANK_DB_PREFIX``, default timebank),
``--topology`` (``TIMEBANK_DB_TOPOLOGY``); the broker from ``AMQP_URI`` and its management API
from ``TIMEBANK_RABBIT_API`` (default http://127.0.0.1:15672); ``TIMEBANK_DB_PASSWORD`` as the
roles' password (given to pg_dump/pg_restore as ``PGPASSWORD``, never on a command line).

The order (deploy/README.md, "Backup and restore"):

1. **stop** every service process (a restore under running processes is not what an operator
   does: they would write into half-restored tables, or hold the database open). ``drill``
   stops the processes it runs; ``restore`` refuses while an application role is connected.
2. **backup**: ``pg_dump --format=custom`` of each database as its owner role (it owns every
   object), to ``<dir>/<service>.dump``; ``<dir>/manifest.json`` names per service the
   database, file, size, sha256, alembic revision, unsent outbox rows, the time, and for the
   ledger its journal head (seq and hash). Before anything is dropped, the manifest is read
   and every dump checked against its sha256 (``check_backup``).
3. **destroy**: ``DROP DATABASE ... WITH (FORCE)`` as the superuser (the roles are kept).
4. **recreate**: ``ServiceDatabases.provision`` (databases, schema rights, the owner's default
   privileges for the application role).
5. **restore**: each dump's sha256 checked against the manifest, then ``pg_restore --no-owner
   --no-acl --single-transaction`` as the owner role: every object is the owner's, whatever
   the roles were called where the dump was made; the ledger's journal head compared with the
   manifest's.
6. **migrate**: ``python -m timebank_common.migrations`` as the owner roles: upgrades a dump of an
   older release to head, and restates the application role's grants (``apply_grants``: the
   ledger's journal append-only, ``alembic_version`` read-only), which ``--no-acl`` left to
   it; then every database is checked to be at head.
7. **start** the processes (``drill``; after ``restore`` the operator starts them).
8. **replay**: wait until no outbox has an unsent row and no work queue holds a message (the
   relays publish what was committed but not sent at backup time; consumers skip what their
   inbox already holds).
9. **verify**: the ledger's invariants and hash chain (``ledger.app.verification``), and
   reporting's read model equal to a rebuild from its event archive
   (``reporting.app.rebuilding.differences_from_rebuild``).

Each step's seconds are printed in a table; the exit status is 1, with the reason, when a step
fails or a verification finds something.
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import requests
from databases import TOPOLOGIES, ServiceDatabases  # this folder is on sys.path
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = "manifest.json"
WORK_QUEUES_ONLY = (".dead-letters",)  # a check of their own (timebank_common.deadletters)
REPLIES = "rpc.reply-"  # a caller's transient answers, nobody's work
KEY_FILES = {"JWT_PRIVATE_KEY_FILE": "jwt-private.pem", "JWT_PUBLIC_KEY_FILE": "jwt-public.pem",
             "PII_KEYS_FILE": "pii-keys.json",
             "CERTIFICATE_PRIVATE_KEY_FILE": "certificate-private.pem",
             "CERTIFICATE_PUBLIC_KEY_FILE": "certificate-public.pem",
             "REPORT_PRIVATE_KEY_FILE": "report-private.pem",
             "REPORT_PUBLIC_KEY_FILE": "report-public.pem"}


class DrillFailed(RuntimeError):
    pass


@dataclass
class Step:
    name: str
    seconds: float = 0.0
    ok: bool = True
    detail: str = ""


@dataclass
class DrillReport:
    steps: list[Step] = field(default_factory=list)
    manifest: dict | None = None

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    def table(self) -> str:
        width = max([len(s.name) for s in self.steps] + [4])
        lines = [f"{'step':<{width}}  {'seconds':>8}  result", "-" * (width + 30)]
        for step in self.steps:
            lines.append(f"{step.name:<{width}}  {step.seconds:>8.2f}  "
                         f"{'ok' if step.ok else 'FAILED'}  {step.detail}".rstrip())
        total = sum(step.seconds for step in self.steps)
        lines.append("-" * (width + 30))
        lines.append(f"{'total':<{width}}  {total:>8.2f}  {'ok' if self.ok else 'FAILED'}")
        return "\n".join(lines)


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as pg_dump/pg_restore take it: no driver, no password (PGPASSWORD)."""
    return make_url(url).set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def management_queue_depths(amqp_uri: str, api: str | None = None,
                            ) -> Callable[[], dict[str, int]]:
    """The messages in each queue of ``amqp_uri``'s virtual host, from the management API
    (``api``, default ``TIMEBANK_RABBIT_API`` or http://127.0.0.1:15672), with the URI's
    credentials."""
    first = urlsplit(amqp_uri.split(";")[0])
    vhost = unquote(first.path[1:]) if len(first.path) > 1 else "/"
    base = (api or os.environ.get("TIMEBANK_RABBIT_API", "http://127.0.0.1:15672")
            ).split(";")[0].rstrip("/")
    auth = (unquote(first.username or "guest"), unquote(first.password or "guest"))

    def depths() -> dict[str, int]:
        resp = requests.get(f"{base}/api/queues/{quote(vhost, safe='')}", auth=auth, timeout=10)
        resp.raise_for_status()
        return {q["name"]: int(q.get("messages") or 0) for q in resp.json()}

    return depths


class Drill:
    """The drill's steps on ``databases`` (``deploy/databases.py``). ``platform`` (a
    ``deploy/local_platform.LocalPlatform`` on those databases), when given, is stopped and
    started by the drill; ``queue_depths`` reads the broker's queues for the replay step
    (default: the management API for ``env``'s ``AMQP_URI``); ``env`` is the processes'
    environment (key files, broker) for the migration command."""

    def __init__(self, databases: ServiceDatabases, backup_dir: Path | str,
                 platform=None, queue_depths: Callable[[], dict[str, int]] | None = None,
                 env: dict[str, str] | None = None, replay_timeout: float = 180,
                 quiet_for: float = 3.0, out=print):
        self.databases = databases
        self.services = tuple(databases.services)
        self.dir = Path(backup_dir)
        self.platform = platform
        self.env = dict(platform.base_env if platform is not None else os.environ,
                        **(env or {}), **databases.env())
        self.queue_depths = queue_depths or (
            management_queue_depths(self.env["AMQP_URI"]) if self.env.get("AMQP_URI") else None)
        self.replay_timeout = replay_timeout
        self.quiet_for = quiet_for
        self.out = out
        self.report = DrillReport()

    # -- helpers -----------------------------------------------------------------------------
    def _engine(self, url: str):
        return create_engine(url, poolclass=NullPool, hide_parameters=True)

    def _scalar(self, url: str, sql: str, **params):
        engine = self._engine(url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).scalar()
        finally:
            engine.dispose()

    def _pg_env(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.databases.password:
            env["PGPASSWORD"] = self.databases.password
        return env

    def step(self, name: str, action: Callable[[], str | None]) -> Step:
        """Run one step, timed; a ``DrillFailed`` (or any error) marks it failed and stops the
        drill (raised again after the step is in the report)."""
        step = Step(name)
        started = time.monotonic()
        try:
            step.detail = action() or ""
        except Exception as exc:
            step.ok = False
            step.detail = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            step.seconds = time.monotonic() - started
            self.report.steps.append(step)
            self.out(f"[drill] {step.name}: {'ok' if step.ok else 'FAILED'} in "
                     f"{step.seconds:.2f}s {step.detail}".rstrip())
        return step

    def connected_app_roles(self) -> dict[str, int]:
        """Per service, the application role's connections to its database (the processes)."""
        found = {}
        for service in self.services:
            admin = make_url(self.databases.superuser_url(service)).set(database="postgres")
            n = self._scalar(admin.render_as_string(hide_password=False),
                             "SELECT count(*) FROM pg_stat_activity WHERE datname = :d "
                             "AND usename = :r", d=self.databases.database(service),
                             r=self.databases.app_role(service))
            if n:
                found[service] = int(n)
        return found

    def unsent(self) -> dict[str, int]:
        """Each service's unsent outbox rows (the kit's ``outbox.backlog``, as its metrics)."""
        from timebank_common.outbox import backlog  # noqa: PLC0415

        counts = {}
        for service in self.services:
            engine = self._engine(self.databases.owner_url(service))
            try:
                counts[service] = backlog(engine)[0]
            finally:
                engine.dispose()
        return counts

    def journal_head(self) -> dict | None:
        if "ledger" not in self.services:
            return None
        engine = self._engine(self.databases.owner_url("ledger"))
        try:
            with engine.connect() as conn:
                row = conn.execute(text("SELECT seq, hash FROM journal_head WHERE id = 1")).first()
        finally:
            engine.dispose()
        return {"seq": int(row.seq), "hash": row.hash} if row else {"seq": 0, "hash": ""}

    # -- the steps ---------------------------------------------------------------------------
    def stop(self) -> str:
        if self.platform is not None:
            self.platform.stop_all()
        connected = self.connected_app_roles()
        deadline = time.monotonic() + (10 if self.platform is not None else 0)
        while connected and time.monotonic() < deadline:  # a stopped process's backends end
            time.sleep(0.2)
            connected = self.connected_app_roles()
        if connected:
            raise DrillFailed(f"service processes still connected ({connected}): stop every "
                              f"process of the platform before a restore")
        return "no process connected"

    def backup(self) -> str:
        self.dir.mkdir(parents=True, exist_ok=True)
        version = subprocess.run(["pg_dump", "--version"], capture_output=True,
                                 text=True).stdout.strip()
        entries = []
        quiesced = not self.connected_app_roles()  # else each dump is a snapshot of its own
        unsent = self.unsent()
        journal_head = self.journal_head()  # while running: the dump holds this much at least
        for service in self.services:
            file = self.dir / f"{service}.dump"
            url = self.databases.owner_url(service)
            started = time.monotonic()
            done = subprocess.run(
                ["pg_dump", "--format=custom", "--file", str(file), "--dbname", libpq_url(url)],
                capture_output=True, text=True, env=self._pg_env())
            if done.returncode != 0:
                raise DrillFailed(f"pg_dump of {service} failed: {done.stderr.strip()}")
            entries.append({
                "service": service, "database": self.databases.database(service),
                "file": file.name, "size": file.stat().st_size, "sha256": sha256_of(file),
                "alembic_revision": self._scalar(url, "SELECT string_agg(version_num, ',') "
                                                      "FROM alembic_version"),
                "outbox_unsent": unsent[service],
                "dumped_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "seconds": round(time.monotonic() - started, 3)})
        manifest = {"created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "prefix": self.databases.prefix, "topology": self.databases.topology,
                    "pg_dump": version, "quiesced": quiesced,
                    "ledger_journal_head": journal_head,
                    "services": entries}
        (self.dir / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        self.report.manifest = manifest
        size = sum(e["size"] for e in entries)
        return (f"{len(entries)} dumps, {size / 1024:.0f} KiB, unsent outbox rows "
                f"{sum(unsent.values())} -> {self.dir}")

    def destroy(self) -> str:
        for service in self.services:
            admin = make_url(self.databases.superuser_url(service)).set(database="postgres")
            engine = create_engine(admin, isolation_level="AUTOCOMMIT", poolclass=NullPool)
            try:
                with engine.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS '
                                      f'"{self.databases.database(service)}" WITH (FORCE)'))
            finally:
                engine.dispose()
        return f"dropped {len(self.services)} databases (roles kept)"

    def recreate(self) -> str:
        self.databases.provision()
        return "provisioned"

    def load_manifest(self) -> dict:
        path = self.dir / MANIFEST
        if not path.is_file():
            raise DrillFailed(f"no backup at {self.dir} (no {MANIFEST})")
        manifest = json.loads(path.read_text())
        self.report.manifest = manifest
        missing = set(self.services) - {e["service"] for e in manifest["services"]}
        if missing:
            raise DrillFailed(f"the manifest has no dump of {', '.join(sorted(missing))}")
        return manifest

    def check_backup(self) -> str:
        """The manifest read and every dump's sha256 checked: before anything is dropped."""
        manifest = self.load_manifest()
        for entry in manifest["services"]:
            file = self.dir / entry["file"]
            if entry["service"] in self.services and sha256_of(file) != entry["sha256"]:
                raise DrillFailed(f"{file}: sha256 differs from the manifest's")
        return f"{len(manifest['services'])} dumps of {manifest['created_at']} intact"

    def restore(self) -> str:
        manifest = self.report.manifest or self.load_manifest()
        for entry in manifest["services"]:
            if entry["service"] not in self.services:
                continue
            file = self.dir / entry["file"]
            if sha256_of(file) != entry["sha256"]:
                raise DrillFailed(f"{file}: sha256 differs from the manifest's")
            url = self.databases.owner_url(entry["service"])
            done = subprocess.run(
                ["pg_restore", "--no-owner", "--no-acl", "--single-transaction",
                 "--dbname", libpq_url(url), str(file)],
                capture_output=True, text=True, env=self._pg_env())
            if done.returncode != 0:
                raise DrillFailed(f"pg_restore of {entry['service']} failed: "
                                  f"{done.stderr.strip()[:2000]}")
        expected = manifest.get("ledger_journal_head")
        if expected is not None and "ledger" in self.services:
            found = self.journal_head()
            if (found != expected if manifest.get("quiesced")
                    else found is None or found["seq"] < expected["seq"]):
                raise DrillFailed(f"ledger journal head {found} after the restore, "
                                  f"{expected} in the manifest")
        return f"{len(self.services)} databases restored as their owner roles"

    def migrate(self) -> str:
        from timebank_common.migrations import current_revisions, head_revisions  # noqa: PLC0415

        done = subprocess.run([sys.executable, "-m", "timebank_common.migrations",
                               *self.services], cwd=ROOT, env=self.env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise DrillFailed(f"migrations failed: {done.stderr.strip()[-2000:]}")
        behind = [s for s in self.services
                  if current_revisions(self.databases.owner_url(s)) != head_revisions(s)]
        if behind:
            raise DrillFailed(f"not at the migration head: {', '.join(behind)}")
        # the grants restated: the application role may not rewrite history
        if "ledger" in self.services and self._scalar(
                self.databases.superuser_url("ledger"),
                "SELECT has_table_privilege(:r, 'journal', 'UPDATE')",
                r=self.databases.app_role("ledger")):
            raise DrillFailed("the ledger's application role may UPDATE the journal")
        return "at head, grants applied"

    def missing_keys(self) -> list[str]:
        """The key files the processes read (``LocalPlatform.ensure_keys``' list) that are
        absent: a restore is started with the keys the backup was made with, never new ones
        (new ones could not read the personal data nor verify the certificates issued)."""
        missing = []
        for setting, default in KEY_FILES.items():
            path = Path(self.env.get(setting) or ROOT / "var/keys" / default)
            if not (path if path.is_absolute() else ROOT / path).is_file():
                missing.append(f"{setting}={path}")
        return missing

    def start(self) -> str:
        if self.platform is None:
            return "skipped (no platform given: start the processes)"
        missing = self.missing_keys()
        if missing:
            raise DrillFailed(f"key files missing (restore them first): {', '.join(missing)}")
        self.platform.start_all(timeout=240)
        return f"{len(self.platform.processes)} processes healthy"

    def in_flight(self) -> list[str]:
        pending = [f"{s} outbox: {n} unsent" for s, n in self.unsent().items() if n]
        if self.queue_depths is not None:
            pending += [f"queue {name}: {n}" for name, n in sorted(self.queue_depths().items())
                        if n and not name.endswith(WORK_QUEUES_ONLY)
                        and not name.startswith(REPLIES)]
        return pending

    def replay(self) -> str:
        """Until nothing is in flight for ``quiet_for`` seconds in a row (the broker's queue
        figures lag a little)."""
        started = time.monotonic()
        manifest = self.report.manifest or {}
        at_backup = sum(e.get("outbox_unsent", 0) for e in manifest.get("services", []))
        quiet_since = None
        pending: list[str] = []
        while time.monotonic() - started < self.replay_timeout:
            pending = self.in_flight()
            if pending:
                quiet_since = None
            elif quiet_since is None:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since >= self.quiet_for:
                sent = f"{at_backup} rows unsent at backup; " if manifest else ""
                return f"{sent}every outbox sent, queues drained"
            time.sleep(0.5)
        raise DrillFailed(f"still in flight after {self.replay_timeout:.0f}s: "
                          f"{'; '.join(pending)}")

    def verify_ledger(self) -> str:
        from ledger.app.verification import verify_balances, verify_journal  # noqa: PLC0415
        from timebank_common.db import UnitOfWork, make_engine  # noqa: PLC0415

        engine = make_engine(self.databases.owner_url("ledger"), pool_size=1)
        try:
            journal = verify_journal(lambda: UnitOfWork(engine))
            invariants = verify_balances(lambda: UnitOfWork(engine))
        finally:
            engine.dispose()
        if not journal["ok"]:
            raise DrillFailed(f"journal broken: {journal['first_broken']}, unchained "
                              f"{journal['unchained_transfers']}")
        if not invariants["ok"]:
            raise DrillFailed("invariants broken: " + json.dumps(
                {k: v for k, v in invariants.items() if v and k not in ("ok", "journal",
                                                                        "accounts_checked")},
                default=str)[:2000])
        return (f"journal: {journal['checked']} links intact; invariants: "
                f"{invariants['accounts_checked']} accounts balance")

    def verify_reporting(self) -> str:
        from reporting.app.rebuilding import differences_from_rebuild  # noqa: PLC0415

        engine = self._engine(self.databases.owner_url("reporting"))
        try:
            findings = differences_from_rebuild(engine)
            archived = self._scalar(self.databases.owner_url("reporting"),
                                    "SELECT count(*) FROM event_archive")
        finally:
            engine.dispose()
        if findings:
            raise DrillFailed("; ".join(findings))
        return f"read model equals a rebuild of {archived} archived events"

    # -- sequences ---------------------------------------------------------------------------
    def run_steps(self, names: Iterable[str]) -> DrillReport:
        """The named steps in order; the first that fails ends the run (its reason in the
        report and the table). ``DrillReport.ok`` tells."""
        for name in names:
            try:
                self.step(name, getattr(self, name))
            except Exception:
                break
        return self.report

    def verifications(self) -> list[str]:
        return [name for name, service in (("verify_ledger", "ledger"),
                                           ("verify_reporting", "reporting"))
                if service in self.services]

    def run(self) -> DrillReport:
        return self.run_steps(["stop", "backup", "check_backup", "destroy", "recreate", "restore", "migrate",
                               "start", "replay", *self.verifications()])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.splitlines()[:2]),
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[2:8]))
    parser.add_argument("action", choices=("backup", "restore", "verify", "drill"))
    parser.add_argument("--dir", default=None, help="the backup folder (backup, restore, drill)")
    parser.add_argument("--topology", choices=TOPOLOGIES,
                        default=os.environ.get("TIMEBANK_DB_TOPOLOGY", "shared"))
    parser.add_argument("--prefix", default=os.environ.get("TIMEBANK_DB_PREFIX", "timebank"))
    parser.add_argument("--replay-timeout", type=float, default=180)
    args = parser.parse_args(argv)
    if args.action != "verify" and not args.dir:
        parser.error(f"{args.action} needs --dir")
    databases = ServiceDatabases(args.prefix, args.topology)
    platform = None
    if args.action == "drill":  # the drill runs the processes itself (stopped beforehand)
        from local_platform import LocalPlatform  # noqa: PLC0415

        platform = LocalPlatform(databases=databases, log_dir=ROOT / "var" / "log" / "drill")
    drill = Drill(databases, args.dir or ".", platform=platform,
                  replay_timeout=args.replay_timeout)
    steps = {"backup": ["stop", "backup"],
             "restore": ["check_backup", "stop", "destroy", "recreate", "restore", "migrate"],
             "verify": ["replay", *drill.verifications()],
             "drill": ["stop", "backup", "check_backup", "destroy", "recreate", "restore",
                       "migrate", "start", "replay", *drill.verifications()]}[args.action]
    if args.action == "backup":
        steps = ["backup"]  # pg_dump reads a consistent snapshot of each database while it runs
    try:
        report = drill.run_steps(steps)
    finally:
        if platform is not None:
            platform.stop_all()
    print()
    print(report.table())
    failed = [s for s in report.steps if not s.ok]
    if failed:
        print(f"\ndrill FAILED at {failed[0].name}: {failed[0].detail}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
