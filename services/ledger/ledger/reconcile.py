"""Reconciliation of ledger service credits with demand's service records (item 9).

RPC ``reconcile(region_code, period_from, period_to)`` and the command::

    python -m ledger.reconcile --from 2026-11-01 --to 2026-11-30 --region 130102000000 \\
        [--config deploy/config/ledger.yaml]

(prints the report as JSON; exit status 1 when ``ok`` is false).

Demand owns the records: its internal RPC ``service_records`` is read in pages of
``PAGE`` records. The ledger side: the credits of those records (whenever posted), and the
service credits posted in the period by the issuance account(s) of the region's city-level
unit(s); such a credit whose record demand has in another region or period is left to that
reconciliation; one whose record demand does not know is reported. The comparison is
``domain/reconciliation.py`` (pure); a rounding policy plugs in as its ``expected``.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import uuid
from collections.abc import Callable

from timebank_common.periods import day_bounds
from timebank_common.regions import city_unit_of, level_of, prefix_of

from . import queries_repository as qrepo
from . import schemas
from .domain.reconciliation import as_credited_by_policy
from .domain.reconciliation import reconcile as compare

PAGE = 1000
_RECORD = schemas.ServiceRecordIn()


def fetch_all(service_records: Callable, **filters) -> list[dict]:
    """Every record demand returns for ``filters``, page by page (``after`` = last id)."""
    out, after = [], None
    while True:
        page = service_records(**filters, after=after, limit=PAGE)
        out.extend(_RECORD.load(item) for item in page["items"])
        after = page.get("next_after")
        if not after:
            return out


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def issuance_prefix(region_code: str) -> str:
    """The issuance accounts that may pay for services in the region: those under it (a
    province or city), or its own city-level unit (a county or below)."""
    if level_of(region_code) in ("province", "city"):
        return prefix_of(region_code)
    return city_unit_of(region_code)


def reconcile(uow, service_records: Callable, region_code: str, period_from: dt.date,
              period_to: dt.date, expected=None) -> dict:
    """``expected`` defaults to the ledger's own policy as recorded on each credit
    (``as_credited_by_policy``); ``as_recorded`` compares with the recorded minutes only."""
    prefix = prefix_of(region_code)
    start, end = day_bounds(period_from, period_to)
    records = fetch_all(service_records, region_prefix=prefix,
                        period_from=period_from.isoformat(), period_to=period_to.isoformat())
    credits = qrepo.credits_for_records(uow, [r["record_id"] for r in records])
    in_period = qrepo.credits_posted_in(uow, issuance_prefix(region_code), start, end)
    known = {r["record_id"] for r in records}
    strangers = sorted(i for i in set(in_period) - known if _is_uuid(i))  # demand's ids
    elsewhere = set()
    for i in range(0, len(strangers), PAGE):
        found = fetch_all(service_records, record_ids=strangers[i:i + PAGE])
        elsewhere |= {r["record_id"] for r in found}  # demand has them: another region/period
    credits.update({k: v for k, v in in_period.items() if k not in known})
    report = compare(records, credits, elsewhere, expected or as_credited_by_policy(credits))
    return {"region_code": region_code,
            "period": {"from": period_from.isoformat(), "to": period_to.isoformat()},
            **report}


def main(argv=None) -> int:
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
    data = schemas.ReconcileIn().load({"region_code": args.region,
                                       "period_from": args.period_from.isoformat(),
                                       "period_to": args.period_to.isoformat()})
    with ClusterRpcProxy(config, timeout=60) as cluster, UnitOfWork(engine) as uow:
        report = reconcile(uow, cluster.demand.service_records, data["region_code"],
                           data["period_from"], data["period_to"])
    engine.dispose()
    print(json.dumps(schemas.ReconcileOut().dump(report), ensure_ascii=False, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
