"""Where a certificate's service lines come from: the ledger's credits to the person.

The one place that knows how service credits are stored (today: ``transfers`` of kind
``service_credit`` credited to the person's personal account, ``memo`` = category code,
``reference`` = ``{record_id, demand_id}``). When the ledger's core changes, only this
module follows; the certificate use cases (``ledger/app/certificates/``) see ``ServiceLine``
values and nothing else.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import and_, func, select

from timebank_common.clock import CHINA, china_date

from ..contracts.kinds import PERSONAL, SERVICE_CREDIT
from ..domain.certificates import ServiceLine, code_as_name
from .tables import accounts, transfers

# category code -> (name_zh, name_en); the catalogue belongs to demand
CategoryNames = Callable[[str], tuple[str, str]]


def _reversed_minutes():
    """Minutes reversed so far per transfer (a dispute's outcome): the certificate shows what
    remains credited, and leaves out a service voided entirely."""
    reversal = transfers.alias("reversal")
    return (select(reversal.c.reverses_id.label("transfer_id"),
                   func.sum(reversal.c.amount_minutes).label("minutes"))
            .where(reversal.c.reverses_id.is_not(None)).group_by(reversal.c.reverses_id)
            .subquery("reversed"))


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), CHINA)


def service_lines(uow, person_id: str, period_from: dt.date, period_to: dt.date,
                  category_names: CategoryNames = code_as_name) -> list[ServiceLine]:
    """The person's service credits from ``period_from`` to ``period_to`` (inclusive,
    China dates), oldest first."""
    reversed_ = _reversed_minutes()
    remaining = (transfers.c.amount_minutes - func.coalesce(reversed_.c.minutes, 0))
    rows = uow.execute(
        select(transfers.c.id, transfers.c.memo, remaining.label("amount_minutes"),
               transfers.c.created_at)
        .select_from(transfers.join(accounts, and_(
            accounts.c.id == transfers.c.credit_account_id, accounts.c.kind == PERSONAL))
            .outerjoin(reversed_, reversed_.c.transfer_id == transfers.c.id))
        .where(accounts.c.owner_person_id == person_id,
               transfers.c.kind == SERVICE_CREDIT,
               transfers.c.created_at >= _day_start(period_from),
               transfers.c.created_at < _day_start(period_to + dt.timedelta(days=1)),
               remaining > 0)
        .order_by(transfers.c.created_at, transfers.c.id)
    ).all()
    lines = []
    for row in rows:
        code = row.memo or "service"
        name_zh, name_en = category_names(code)
        lines.append(ServiceLine(
            date=china_date(row.created_at).isoformat(), category=code,
            category_zh=name_zh, category_en=name_en, minutes=int(row.amount_minutes),
            transfer_id=row.id))
    return lines


def credited_minutes(uow, person_id: str, transfer_ids: list[str]) -> dict[str, int]:
    """The minutes of those service credits to the person, as the ledger holds them now
    (after any reversal: a certificate issued before a reversal no longer matches)."""
    if not transfer_ids:
        return {}
    reversed_ = _reversed_minutes()
    remaining = (transfers.c.amount_minutes - func.coalesce(reversed_.c.minutes, 0))
    rows = uow.execute(
        select(transfers.c.id, remaining.label("amount_minutes"))
        .select_from(transfers.join(accounts, accounts.c.id == transfers.c.credit_account_id)
                     .outerjoin(reversed_, reversed_.c.transfer_id == transfers.c.id))
        .where(transfers.c.id.in_(transfer_ids), transfers.c.kind == SERVICE_CREDIT,
               accounts.c.owner_person_id == person_id)
    ).all()
    return {row.id: int(row.amount_minutes) for row in rows}
