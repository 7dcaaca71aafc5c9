"""Rebuild the read model from the event archive:

    python -m reporting.commands.rebuild [--config deploy/config/reporting.yaml] [--check]

Empties the facts, service days and service records and replays every archived event in occurred order, in one
transaction (the service may keep running: its answers and live events wait on the table
locks until the commit, then the figures equal a fresh build).

Runs as the database's owner role (``MIGRATION_DATABASE_URL``): emptying the read model takes
TRUNCATE, which the service's application role is not granted, so a running reporting process
cannot wipe its figures; rebuilding is an operator's act, like a migration.

``--check`` rebuilds inside a transaction it rolls back and compares: exit status 0 when the
live read model equals a rebuild, 1 (the differences printed) when not; nothing is changed.
(After a restore: deploy/drill.py runs the same comparison.)"""
from __future__ import annotations

import argparse
import datetime as dt
import sys

from timebank_common import config as config_mod
from timebank_common.db import UnitOfWork, make_engine

from ..app.rebuilding import differences_from_rebuild, rebuild


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="deploy/config/reporting.yaml")
    parser.add_argument("--check", action="store_true",
                        help="compare the live read model with a rebuild; change nothing")
    args = parser.parse_args(argv)
    cfg = config_mod.load(args.config)
    engine = make_engine(cfg.get("MIGRATION_DATABASE_URL") or cfg["DATABASE_URL"], pool_size=1)
    try:
        if args.check:
            findings = differences_from_rebuild(engine)
            print("\n".join(findings) or "reporting: the read model equals a rebuild")
            return 1 if findings else 0
        result = rebuild(lambda: UnitOfWork(engine), dt.datetime.now(dt.UTC))
    finally:
        engine.dispose()
    print(f"reporting: replayed {result['events']} events (newest {result['newest']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
