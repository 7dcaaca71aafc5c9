"""The rows behind the 通存通兑 report (``domain/interchange.py``): posted transfers summed by
kind, both accounts' kind and county (their region when written), split at the period's
start, with what the domain needs to tell earned and spent minutes (a service's excess sent to
the pool; the kind a reversal reverses); and the account moves, likewise."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, literal, select

from ..domain.crediting import CAP_EXCESS
from ..domain.interchange import AccountMove, Movement
from ..domain.transfers import PHASES_WITH_ENTRIES
from .tables import account_moves, accounts, transfers

COUNTY = 6  # enough digits to tell every city-level unit apart (辛集, 定州 are counties)


def _padded(column):
    return func.rpad(func.left(column, COUNTY), 12, "0")


def movements(uow, start: dt.datetime | None, end: dt.datetime | None) -> list[Movement]:
    """Every posted movement before ``end``, summed; ``before_period``: before ``start``."""
    debit, credit = accounts.alias("debit"), accounts.alias("credit")
    reversed_ = transfers.alias("reversed")  # the transfer a reversal reverses
    before = transfers.c.created_at < start if start is not None else literal(False)
    reason = func.coalesce(reversed_.c.reference["reason"].astext,
                           transfers.c.reference["reason"].astext, "")
    keys = (transfers.c.kind, debit.c.kind, credit.c.kind,
            _padded(transfers.c.debit_region_code), _padded(transfers.c.credit_region_code),
            before, reason == CAP_EXCESS, reversed_.c.kind)
    query = (select(*keys, func.sum(transfers.c.amount_minutes))
             .join(debit, debit.c.id == transfers.c.debit_account_id)
             .join(credit, credit.c.id == transfers.c.credit_account_id)
             .outerjoin(reversed_, reversed_.c.id == transfers.c.reverses_id)
             .where(transfers.c.phase.in_(PHASES_WITH_ENTRIES)))
    if end is not None:
        query = query.where(transfers.c.created_at < end)
    rows = uow.execute(query.group_by(*keys)).all()
    return [Movement(r[0], r[1], r[2], r[3], r[4], int(r[8]), before_period=bool(r[5]),
                     cap_excess=bool(r[6]), reverses=r[7]) for r in rows]


def moves(uow, start: dt.datetime | None, end: dt.datetime | None) -> list[AccountMove]:
    before = account_moves.c.moved_at < start if start is not None else literal(False)
    keys = (accounts.c.kind, _padded(account_moves.c.from_region_code),
            _padded(account_moves.c.to_region_code), before)
    query = (select(*keys, func.sum(account_moves.c.balance_minutes))
             .join(accounts, accounts.c.id == account_moves.c.account_id))
    if end is not None:
        query = query.where(account_moves.c.moved_at < end)
    rows = uow.execute(query.group_by(*keys)).all()
    return [AccountMove(r[0], r[1], r[2], int(r[4]), bool(r[3])) for r in rows]
