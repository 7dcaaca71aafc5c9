"""Reconciliation of ledger service credits with demand's service records (item 9): the
internal RPC ``reconcile(region_code, period_from, period_to)`` and the command
``python -m ledger.commands.reconcile``.

Demand owns the records: its internal RPC ``service_records`` is read in pages
(``adapters/demand.py``). The ledger side: the credits of those records (whenever posted),
and the service credits posted in the period by the issuance account(s) of the region's
city-level unit(s); such a credit whose record demand has in another region or period is
left to that reconciliation; one whose record demand does not know is reported. The
comparison is ``domain/reconciliation.py`` (pure); a rounding policy plugs in as its
``expected``.
"""
from __future__ import annotations

import datetime as dt
import uuid

from timebank_common.db import UnitOfWorkFactory
from timebank_common.periods import day_bounds
from timebank_common.regions import city_unit_of, level_of, prefix_of

from ..adapters import reconciliation as credits_repo
from ..adapters.demand import RECORDS_PAGE, DemandClient
from ..domain.reconciliation import Expected, as_credited_by_policy
from ..domain.reconciliation import reconcile as compare


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


def reconcile(db: UnitOfWorkFactory, demand: DemandClient, region_code: str,
              period_from: dt.date, period_to: dt.date, expected: Expected | None = None
              ) -> dict:
    """``expected`` defaults to the ledger's own policy as recorded on each credit
    (``as_credited_by_policy``); ``as_recorded`` compares with the recorded minutes only."""
    prefix = prefix_of(region_code)
    start, end = day_bounds(period_from, period_to)
    with db() as uow:
        records = demand.service_records(region_prefix=prefix,
                                         period_from=period_from.isoformat(),
                                         period_to=period_to.isoformat())
        credits = credits_repo.credits_for_records(uow, [r["record_id"] for r in records])
        in_period = credits_repo.credits_posted_in(uow, issuance_prefix(region_code), start, end)
        known = {r["record_id"] for r in records}
        strangers = sorted(i for i in set(in_period) - known if _is_uuid(i))  # demand's ids
        elsewhere = set()
        for i in range(0, len(strangers), RECORDS_PAGE):
            found = demand.service_records(record_ids=strangers[i:i + RECORDS_PAGE])
            elsewhere |= {r["record_id"] for r in found}  # demand has them: another region/period
    credits.update({k: v for k, v in in_period.items() if k not in known})
    report = compare(records, credits, elsewhere, expected or as_credited_by_policy(credits))
    return {"region_code": region_code,
            "period": {"from": period_from.isoformat(), "to": period_to.isoformat()},
            **report}


SERVICE_CREDITS_PAGE = 1000


def _credit_view(credit) -> dict:
    return {"record_id": credit.record_id, "transfer_id": str(credit.transfer_id),
            "volunteer_id": credit.volunteer_id, "minutes": credit.minutes,
            "reversed_minutes": credit.reversed_minutes,
            "credited_minutes": credit.minutes - credit.reversed_minutes}


def service_credits(db: UnitOfWorkFactory, query: dict) -> dict:
    """What the ledger credited per service record (net of reversals): either the credits of
    ``record_ids``, or a page (by record id, after ``after``) of the service credits posted in
    the period by the issuance account(s) of the region (as ``reconcile`` reads them)."""
    limit = min(int(query.get("limit") or SERVICE_CREDITS_PAGE), SERVICE_CREDITS_PAGE)
    with db() as uow:
        if query.get("record_ids"):
            found = credits_repo.credits_for_records(uow, list(query["record_ids"]))
            return {"items": [_credit_view(found[k]) for k in sorted(found)], "next_after": None}
        start, end = day_bounds(query["period_from"], query["period_to"])
        found = credits_repo.credits_posted_in(uow, issuance_prefix(query["region_code"]),
                                               start, end, query.get("after"), limit)
    items = [_credit_view(found[k]) for k in sorted(found)]
    return {"items": items, "next_after": items[-1]["record_id"] if len(items) >= limit else None}
