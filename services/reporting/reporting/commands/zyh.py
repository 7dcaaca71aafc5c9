"""Dead 志愿汇 pushes, for an operator: list them, and put them back to pending once 志愿汇
accepts again (the next tick of any running reporting process sends them).

    python -m reporting.commands.zyh dead [--limit 100] [--config deploy/config/reporting.yaml]
    python -m reporting.commands.zyh replay (--record ID [--record ID ...] | --all) [--config ...]

Works on reporting's database directly, so it runs while the service is down too; every
replay is written to the audit log (logger ``timebank.audit.reporting``) with the OS user.
"""
from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Sequence

from timebank_common.clock import clock_from_config
from timebank_common.db import units_of_work
from timebank_common.errors import DomainError

from ..app import zyh


def _plain(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def main(argv: Sequence[str] | None = None) -> int:
    from timebank_common import config as config_mod

    parser = argparse.ArgumentParser(description="Dead 志愿汇 pushes: list, replay")
    parser.add_argument("--config", default="deploy/config/reporting.yaml")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("dead", help="list dead pushes, newest first")
    listing.add_argument("--limit", type=int, default=100)
    again = commands.add_parser("replay", help="put dead pushes back to pending")
    which = again.add_mutually_exclusive_group(required=True)
    which.add_argument("--record", action="append", dest="records", metavar="ID")
    which.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    cfg = config_mod.load(args.config)
    with units_of_work(cfg["DATABASE_URL"]) as db:
        try:
            if args.command == "dead":
                for row in zyh.dead(db, args.limit)["items"]:
                    print(json.dumps(_plain(dict(row)), ensure_ascii=False, default=str))
            else:
                done = zyh.replay(db, None if args.all else list(args.records),
                                  clock_from_config(cfg).now(), by=f"os:{getpass.getuser()}")
                print(json.dumps(done, ensure_ascii=False))
        except DomainError as exc:
            print(f"{exc.code}: {exc.zh} / {exc.en}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
