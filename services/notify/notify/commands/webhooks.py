"""Dead webhook deliveries, for an operator: list them, and send one again once the
municipal system's endpoint is fixed.

    python -m notify.commands.webhooks dead [--limit 100] [--config deploy/config/notify.yaml]
    python -m notify.commands.webhooks replay <delivery_id> [--config ...]

Works on notify's database directly (the same use cases as the internal RPCs
``dead_webhook_deliveries`` / ``replay_webhook_delivery``), so it runs while the service is
down too; a replayed delivery is sent by the next tick of any running notify process.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from timebank_common.clock import clock_from_config
from timebank_common.db import units_of_work
from timebank_common.errors import DomainError

from ..app import webhooks


def _plain(row: dict) -> dict:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def main(argv: Sequence[str] | None = None) -> int:
    from timebank_common import config as config_mod

    parser = argparse.ArgumentParser(description="Dead webhook deliveries: list, replay")
    parser.add_argument("--config", default="deploy/config/notify.yaml")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("dead", help="list dead deliveries, newest first")
    listing.add_argument("--limit", type=int, default=100)
    again = commands.add_parser("replay", help="send a dead delivery again")
    again.add_argument("delivery_id")
    args = parser.parse_args(argv)
    cfg = config_mod.load(args.config)
    with units_of_work(cfg["DATABASE_URL"]) as db:
        try:
            if args.command == "dead":
                for row in webhooks.dead(db, args.limit):
                    print(json.dumps(_plain(row), ensure_ascii=False))
            else:
                row = webhooks.replay(db, args.delivery_id, clock_from_config(cfg).now())
                print(json.dumps(_plain(row), ensure_ascii=False))
        except DomainError as exc:
            print(f"{exc.code}: {exc.zh} / {exc.en}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
