"""What the identity import commands share: one transaction on the identity
database, and the command line around it (``--config``, migrate, report, exit code)."""
from __future__ import annotations

import argparse
from pathlib import Path

from timebank_common.db import UnitOfWork, make_engine

from . import personal_data


def in_one_transaction(database_url: str, work):
    """Run ``work(uow)`` in one unit of work on its own short-lived engine; commit; return its result."""
    engine = make_engine(database_url, pool_size=1)
    try:
        with UnitOfWork(engine) as uow:
            result = work(uow)
            uow.commit()
    finally:
        engine.dispose()
    return result


def file_command(description: str, import_file, failed, argv=None) -> int:
    """``python -m identity.<command> FILE.csv [--config ...]``: migrate, import, print the report.

    ``import_file(database_url, path)`` returns a report with ``lines()``; the exit
    status is 1 when ``failed(report)``, so scripts notice refused rows."""
    from timebank_common import config as config_mod
    from timebank_common.migrations import upgrade

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("file", type=Path)
    parser.add_argument("--config", default="deploy/config/identity.yaml")
    args = parser.parse_args(argv)
    cfg = config_mod.load(args.config)
    url = cfg["DATABASE_URL"]
    upgrade("identity", url, cfg)
    personal_data.configure(cfg)  # the key file the service uses
    report = import_file(url, args.file)
    print("\n".join(report.lines()))
    return 1 if failed(report) else 0
