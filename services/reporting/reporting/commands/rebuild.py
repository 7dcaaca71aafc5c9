"""Rebuild the read model from the event archive:

    python -m reporting.commands.rebuild [--config deploy/config/reporting.yaml]

Empties the facts, service days and service records and replays every archived event in occurred order, in one
transaction (the service may keep running: its answers and live events wait on the table
locks until the commit, then the figures equal a fresh build).

Runs as the database's owner role (``MIGRATION_DATABASE_URL``): emptying the read model takes
TRUNCATE, which the service's application role is not granted, so a running reporting process
cannot wipe its figures; rebuilding is an operator's act, like a migration."""
from __future__ import annotations

import argparse
import datetime as dt

from timebank_common import config as config_mod
from timebank_common.db import UnitOfWork, make_engine

from ..app.rebuilding import rebuild


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="deploy/config/reporting.yaml")
    args = parser.parse_args(argv)
    cfg = config_mod.load(args.config)
    engine = make_engine(cfg.get("MIGRATION_DATABASE_URL") or cfg["DATABASE_URL"], pool_size=1)
    result = rebuild(lambda: UnitOfWork(engine), dt.datetime.now(dt.UTC))
    print(f"reporting: replayed {result['events']} events (newest {result['newest']})")


if __name__ == "__main__":
    main()
