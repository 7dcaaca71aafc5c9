"""Service hours and star milestones: cumulative service minutes, the ``milestones`` table
(once per person and level). Everything runs in the caller's unit of work."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, or_, select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import one_of

from ..contracts.kinds import REVERSAL, SERVICE_CREDIT
from .tables import accounts, entries, milestones, transfers


def service_minutes(uow, account_ids: list[str]) -> dict[str, int]:
    """Cumulative service minutes per personal account: the entries of its service credits
    less those of their reversals (gifts received, grants and the like are not service)."""
    if not account_ids:
        return {}
    original = transfers.alias("original")
    rows = uow.execute(
        select(entries.c.account_id, func.sum(entries.c.amount_minutes))
        .join(transfers, transfers.c.id == entries.c.transfer_id)
        .outerjoin(original, original.c.id == transfers.c.reverses_id)
        .where(entries.c.account_id.in_(sorted(account_ids)),
               or_(transfers.c.kind == SERVICE_CREDIT,
                   and_(transfers.c.kind == REVERSAL, original.c.kind == SERVICE_CREDIT)))
        .group_by(entries.c.account_id)).all()
    return {str(r[0]): int(r[1]) for r in rows}


def credits_posted(uow, account_ids: list[str]) -> dict[str, int]:
    """Each account's ``credits_posted``: an upper bound of its cumulative service minutes."""
    if not account_ids:
        return {}
    rows = uow.execute(select(accounts.c.id, accounts.c.credits_posted)
                       .where(one_of(accounts.c.id, sorted(account_ids)))).all()
    return {str(r[0]): int(r[1]) for r in rows}


def levels_reached(uow, person_ids: list[str]) -> dict[str, int]:
    """The highest star level recorded for each person (absent: none)."""
    if not person_ids:
        return {}
    rows = uow.execute(select(milestones.c.person_id, func.max(milestones.c.level))
                       .where(one_of(milestones.c.person_id, sorted(person_ids)))
                       .group_by(milestones.c.person_id)).all()
    return {r[0]: int(r[1]) for r in rows}


def record_milestones(uow, reached: list[dict]) -> list[dict]:
    """Insert ``{person_id, level, cumulative_minutes, transfer_id}``; returns those that were
    new (a (person, level) already there is kept as it was)."""
    if not reached:
        return []
    rows = uow.execute(
        insert(milestones).values(reached)
        .on_conflict_do_nothing(index_elements=["person_id", "level"])
        .returning(milestones.c.person_id, milestones.c.level,
                   milestones.c.cumulative_minutes, milestones.c.transfer_id)).all()
    return [dict(r._mapping) for r in rows]


def milestones_of(uow, person_id: str) -> list[dict]:
    rows = uow.execute(select(milestones).where(milestones.c.person_id == person_id)
                       .order_by(milestones.c.level)).all()
    return [{"level": r.level, "cumulative_minutes": int(r.cumulative_minutes),
             "transfer_id": r.transfer_id,
             "reached_at": r.reached_at.astimezone(dt.UTC)} for r in rows]
