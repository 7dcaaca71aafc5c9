"""The movements and balances behind the supervision figures (aggregated in
``ledger/domain/statistics.py``)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, not_, or_, select, union_all
from sqlalchemy.sql.elements import ColumnElement

from timebank_common.db import within

from ..contracts.kinds import DONATION_POOL, ISSUANCE
from ..domain.statistics import FlowRow
from ..domain.transfers import PHASES_WITH_ENTRIES
from .tables import accounts, transfers


def flows(uow, prefix: str, start: dt.datetime | None, end: dt.datetime | None
          ) -> list[FlowRow]:
    """Posted minutes in ``[start, end)`` touching the region ``prefix`` **where and when
    they happened**, summed by kind, both accounts' kind, both accounts' region at the time
    (``transfers.debit_region_code`` / ``credit_region_code``: an account that followed its
    owner elsewhere later does not carry its history along) and the region where the
    movement happened (``transfers.region_code``: a service, the demand's region), and for a
    service the issuance account paid instead of the elder's choice, the ledger's reason
    (``reference.fallback``).

    Below the province, asked as two parts, each transfer in one: those whose debit side was
    in the region, and those whose credit side was and debit side was not, each served by
    its index (``transfers_by_debit_region`` / ``transfers_by_credit_region``: region, then
    posting time). For the province there is nothing to narrow: one pass with the OR."""
    debit, credit = accounts.alias("debit"), accounts.alias("credit")
    conditions: list[ColumnElement[bool]] = [transfers.c.phase.in_(PHASES_WITH_ENTRIES)]
    if start is not None:
        conditions.append(transfers.c.created_at >= start)
    if end is not None:
        conditions.append(transfers.c.created_at < end)
    part = (select(transfers.c.kind, debit.c.kind.label("debit_kind"),
                   credit.c.kind.label("credit_kind"),
                   transfers.c.debit_region_code.label("debit_region"),
                   transfers.c.credit_region_code.label("credit_region"),
                   transfers.c.region_code.label("region"),
                   transfers.c.reference["fallback"].astext.label("fallback"),
                   transfers.c.amount_minutes)
            .join(debit, debit.c.id == transfers.c.debit_account_id)
            .join(credit, credit.c.id == transfers.c.credit_account_id)
            .where(*conditions))
    debit_inside, credit_inside = (within(transfers.c.debit_region_code, prefix),
                                   within(transfers.c.credit_region_code, prefix))
    if len(prefix) <= 2:
        moved = part.where(or_(debit_inside, credit_inside)).subquery("moved")
    else:
        moved = union_all(part.where(debit_inside),
                          part.where(credit_inside, not_(debit_inside))).subquery("moved")
    keys = (moved.c.kind, moved.c.debit_kind, moved.c.credit_kind, moved.c.debit_region,
            moved.c.credit_region, moved.c.region, moved.c.fallback)
    rows = uow.execute(select(*keys, func.sum(moved.c.amount_minutes), func.count())
                       .group_by(*keys)).all()
    return [FlowRow(r[0], r[1], r[2], r[3], r[4], int(r[7]), int(r[8]), region=r[5],
                    fallback=r[6]) for r in rows]


def _region_balances(uow, kind: str, prefix: str) -> list[dict]:
    """Posted balances of the region accounts of a kind whose code lies in the region."""
    rows = uow.execute(
        select(accounts.c.region_code,
               (accounts.c.credits_posted - accounts.c.debits_posted).label("balance"))
        .where(accounts.c.kind == kind, within(accounts.c.region_code, prefix))
        .order_by(accounts.c.region_code)).all()
    return [{"region_code": r.region_code, "balance_minutes": int(r.balance)} for r in rows]


def issuance_balances(uow, prefix: str) -> list[dict]:
    return _region_balances(uow, ISSUANCE, prefix)


def pool_balances(uow, prefix: str) -> list[dict]:
    """The donation pools (one per city-level unit) whose code lies in the region."""
    return _region_balances(uow, DONATION_POOL, prefix)
