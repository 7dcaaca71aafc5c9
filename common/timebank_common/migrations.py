"""Alembic per service: each service has ``services/<name>/migrations``.

``python -m timebank_common.migrations <service>... [--config FILE]`` creates each
service's database if missing and upgrades it to head (several services in one process:
the local runner and the end-to-end tests prepare all five at once). The runner does the
same for its own service at start.
"""
from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config

from . import config as config_mod
from .db import ensure_database


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
    ensure_database(database_url)
    command.upgrade(alembic_config(service, database_url, settings), "head")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="Create and migrate service databases")
    parser.add_argument("services", nargs="+", metavar="service")
    parser.add_argument("--config", default=None, help="one service's configuration file")
    args = parser.parse_args(argv)
    if args.config and len(args.services) > 1:
        parser.error("--config names one service's configuration")
    for service in args.services:
        cfg = config_mod.load(args.config or f"deploy/config/{service}.yaml")
        upgrade(service, cfg["DATABASE_URL"], cfg)
        print(f"{service}: database migrated")


if __name__ == "__main__":
    main()
