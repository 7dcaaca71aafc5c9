"""Alembic per service: each service has ``services/<name>/migrations``.

``python -m timebank_common.migrations <service>... [--config FILE]`` upgrades each service's
database to head as its owner role (``MIGRATION_DATABASE_URL``), then narrows what the
service's application role (the user of ``DATABASE_URL``) may do (``apply_grants``). It never
creates a database or a role: that is provisioning, done once by the superuser
(``deploy/databases.py provision``). Service processes do not migrate: the runner only checks
that the database is at head (``require_head``) and refuses to start otherwise, so no process
needs more than reading and writing rows.
"""
from __future__ import annotations

import argparse
import importlib
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from . import config as config_mod

MIGRATE_COMMAND = "python -m timebank_common.migrations"


class NotAtHead(SystemExit):
    """Raised (exit status 1, the message on stderr) when a process finds its database
    unmigrated, unreachable or behind the code it runs."""


def migrations_dir(service: str) -> Path:
    package = importlib.import_module(service)
    return Path(str(package.__file__)).resolve().parent.parent / "migrations"


def alembic_config(service: str, database_url: str, settings: dict | None = None) -> Config:
    """``settings``: the service's configuration, for migrations that need more than the
    database (``context.config.attributes["service_config"]``)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir(service)))
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    cfg.attributes["database_url"] = database_url
    cfg.attributes["service_config"] = dict(settings or {})
    return cfg


def upgrade(service: str, database_url: str, settings: dict | None = None) -> None:
    """Upgrade the (existing) database to head; with ``settings`` naming an application role
    (the user of ``settings["DATABASE_URL"]``, other than ``database_url``'s), apply its
    grants afterwards."""
    command.upgrade(alembic_config(service, database_url, settings), "head")
    app_role = make_url(settings["DATABASE_URL"]).username if settings and settings.get(
        "DATABASE_URL") else None
    if app_role and app_role != make_url(database_url).username:
        apply_grants(service, database_url, app_role)


def apply_grants(service: str, owner_url: str, app_role: str) -> None:
    """What the application role may do, restated after every migration (by the owner of
    the tables): rows of every table and the sequences (the provisioned default privileges
    give the same for tables made later; this covers tables made before provisioning), but
    ``alembic_version`` only read (the runner checks it) and the service's append-only tables
    (``<service>.APPEND_ONLY_TABLES``, e.g. the ledger's journal) without UPDATE or DELETE:
    a process cannot rewrite history even with a bug or an injected statement."""
    role = '"' + app_role.replace('"', '""') + '"'
    append_only = getattr(importlib.import_module(service), "APPEND_ONLY_TABLES", ())
    engine = create_engine(owner_url, poolclass=NullPool, hide_parameters=True)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
                              f"public TO {role}"))
            conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
            conn.execute(text(f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version "
                              f"FROM {role}"))
            for table in append_only:
                conn.execute(text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role}"))
    finally:
        engine.dispose()


def head_revisions(service: str) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(service, "postgresql://")).get_heads())


def current_revisions(database_url: str) -> set[str]:
    engine = create_engine(database_url, poolclass=NullPool, hide_parameters=True)
    try:
        with engine.connect() as conn:
            return set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()


def require_head(service: str, database_url: str, wait_seconds: float = 30) -> None:
    """Return if the service's database is at the migration head; else raise ``NotAtHead``
    with what to run. A server that refuses connections (restarting) is retried for
    ``wait_seconds``; a database that does not exist or refuses this role is not."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            current = current_revisions(database_url)
            break
        except exc.OperationalError as error:
            reason = str(error.orig or error).strip().splitlines()[0]
            permanent = "does not exist" in reason or "permission denied" in reason
            if permanent or time.monotonic() >= deadline:
                raise NotAtHead(
                    f"{service}: 无法连接数据库 / cannot use its database ({reason}). "
                    f"数据库须先由管理员创建 / the database is provisioned once by an "
                    f"administrator: python deploy/databases.py provision; then "
                    f"{MIGRATE_COMMAND} {service}") from None
            time.sleep(1)  # the server is starting or restarting: ask again
    head = head_revisions(service)
    if current != head:
        found = ", ".join(sorted(current)) or "empty (no migration applied)"
        raise NotAtHead(
            f"{service}: 数据库未迁移到最新版本，服务拒绝启动 / its database is not at the "
            f"migration head, so it does not start (database at {found}; code at "
            f"{', '.join(sorted(head))}). 请运行 / run: {MIGRATE_COMMAND} {service} "
            f"(as the owner role, MIGRATION_DATABASE_URL)")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Migrate service databases (as their owner "
                                     "role; the databases exist: deploy/databases.py provision)")
    parser.add_argument("services", nargs="+", metavar="service")
    parser.add_argument("--config", default=None, help="one service's configuration file")
    args = parser.parse_args(argv)
    if args.config and len(args.services) > 1:
        parser.error("--config names one service's configuration")
    for service in args.services:
        cfg = config_mod.load(args.config or f"deploy/config/{service}.yaml")
        upgrade(service, cfg.get("MIGRATION_DATABASE_URL") or cfg["DATABASE_URL"], cfg)
        print(f"{service}: database migrated")


if __name__ == "__main__":
    main()
