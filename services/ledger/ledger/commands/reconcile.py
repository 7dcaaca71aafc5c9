"""Reconcile the ledger's service credits with demand's service records.

    python -m ledger.commands.reconcile --from 2026-11-01 --to 2026-11-30 \\
        --region 130102000000 [--config deploy/config/ledger.yaml]

Prints the report (JSON) and exits 1 when it is not ``ok`` (see ``ledger/app/reconciliation.py``).
Demand is asked over RPC (the broker of the configuration), the ledger's database directly.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from ..adapters.demand import DemandClient
from ..app.reconciliation import reconcile
from ..contracts.reconciliation import ReconcileIn, ReconcileOut


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Reconcile ledger credits with demand's "
                                                 "service records / 账务与服务记录对账")
    parser.add_argument("--from", dest="period_from", required=True,
                        type=dt.date.fromisoformat)
    parser.add_argument("--to", dest="period_to", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--region", required=True, help="12-digit region code")
    parser.add_argument("--config", default="deploy/config/ledger.yaml")
    args = parser.parse_args(argv)

    from nameko.standalone.rpc import ClusterRpcProxy  # noqa: PLC0415

    from timebank_common import config as config_mod  # noqa: PLC0415
    from timebank_common.db import UnitOfWork, make_engine  # noqa: PLC0415

    config = config_mod.load(args.config)
    engine = make_engine(config["DATABASE_URL"], pool_size=1)
    data = ReconcileIn().load({"region_code": args.region,
                               "period_from": args.period_from.isoformat(),
                               "period_to": args.period_to.isoformat()})
    with ClusterRpcProxy(config, timeout=60) as cluster:
        report = reconcile(lambda: UnitOfWork(engine), DemandClient(config, cluster.demand),
                           data["region_code"], data["period_from"], data["period_to"])
    engine.dispose()
    print(json.dumps(ReconcileOut().dump(report), ensure_ascii=False, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
