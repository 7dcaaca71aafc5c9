"""The ledger's side of reconciliation: its service credits by record id, and those posted in
a period by a region's issuance accounts (compared in ``ledger/domain/reconciliation.py``)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from timebank_common.db import within

from ..contracts.kinds import ISSUANCE, SERVICE_CREDIT
from ..domain.reconciliation import Credit
from ..domain.transfers import PHASES_WITH_ENTRIES
from .tables import accounts, transfers


def _credits(uow, condition, after: str | None = None,
             limit: int | None = None) -> dict[str, Credit]:
    reversal = transfers.alias("reversal")
    reversed_minutes = (select(func.coalesce(func.sum(reversal.c.amount_minutes), 0))
                        .where(reversal.c.reverses_id == transfers.c.id)
                        .scalar_subquery())
    record_id = transfers.c.reference["record_id"].astext
    recorded = transfers.c.reference["recorded_minutes"].astext
    query = (
        select(record_id.label("record_id"), transfers.c.id, transfers.c.amount_minutes,
               accounts.c.owner_person_id, reversed_minutes.label("reversed"),
               recorded.label("recorded"))
        .join(accounts, accounts.c.id == transfers.c.credit_account_id)
        .where(transfers.c.kind == SERVICE_CREDIT,
               transfers.c.phase.in_(PHASES_WITH_ENTRIES), condition))
    if limit is not None:  # a page in record order (a record's credits all in one page)
        page = (select(record_id.label("record_id"))
                .where(transfers.c.kind == SERVICE_CREDIT,
                       transfers.c.phase.in_(PHASES_WITH_ENTRIES), condition,
                       record_id > (after or ""))
                .group_by(record_id).order_by(record_id).limit(limit)).subquery()
        query = query.where(record_id.in_(select(page.c.record_id))).order_by(
            record_id, transfers.c.created_at)
    rows = uow.execute(query).all()
    return {r.record_id: Credit(r.record_id, r.id, r.owner_person_id, int(r.amount_minutes),
                                int(r.reversed), int(r.recorded) if r.recorded else None)
            for r in rows if r.record_id}


def credits_for_records(uow, record_ids: list[str]) -> dict[str, Credit]:
    if not record_ids:
        return {}
    return _credits(uow, transfers.c.reference["record_id"].astext.in_(sorted(record_ids)))


def credits_posted_in(uow, issuance_prefix: str, start: dt.datetime | None,
                      end: dt.datetime | None, after: str | None = None,
                      limit: int | None = None) -> dict[str, Credit]:
    """Service credits posted in ``[start, end)`` paid by an issuance account whose region
    starts with ``issuance_prefix`` (the region's city-level unit or units)."""
    issuer = accounts.alias("issuer")
    paid_by = (select(literal(1)).select_from(issuer)
               .where(issuer.c.id == transfers.c.debit_account_id, issuer.c.kind == ISSUANCE,
                      within(issuer.c.region_code, issuance_prefix)).exists())
    conditions: list[ColumnElement[bool]] = [paid_by]
    if start is not None:
        conditions.append(transfers.c.created_at >= start)
    if end is not None:
        conditions.append(transfers.c.created_at < end)
    return _credits(uow, and_(*conditions), after, limit)


