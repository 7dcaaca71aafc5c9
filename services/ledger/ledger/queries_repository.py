"""SQL of the ledger's queries: cumulative service minutes, milestones, service credits for
reconciliation, and the movements behind the statistics."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, literal, not_, or_, select, union_all
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import one_of, within

from .domain.kinds import DONATION_POOL, ISSUANCE, REVERSAL, SERVICE_CREDIT
from .domain.reconciliation import Credit
from .domain.statistics import FlowRow
from .domain.transfers import PHASES_WITH_ENTRIES
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


# --- reconciliation ------------------------------------------------------------------------
def _credits(uow, condition) -> dict[str, Credit]:
    reversal = transfers.alias("reversal")
    reversed_minutes = (select(func.coalesce(func.sum(reversal.c.amount_minutes), 0))
                        .where(reversal.c.reverses_id == transfers.c.id)
                        .scalar_subquery())
    record_id = transfers.c.reference["record_id"].astext
    recorded = transfers.c.reference["recorded_minutes"].astext
    rows = uow.execute(
        select(record_id.label("record_id"), transfers.c.id, transfers.c.amount_minutes,
               accounts.c.owner_person_id, reversed_minutes.label("reversed"),
               recorded.label("recorded"))
        .join(accounts, accounts.c.id == transfers.c.credit_account_id)
        .where(transfers.c.kind == SERVICE_CREDIT,
               transfers.c.phase.in_(PHASES_WITH_ENTRIES), condition)).all()
    return {r.record_id: Credit(r.record_id, r.id, r.owner_person_id, int(r.amount_minutes),
                                int(r.reversed), int(r.recorded) if r.recorded else None)
            for r in rows if r.record_id}


def credits_for_records(uow, record_ids: list[str]) -> dict[str, Credit]:
    if not record_ids:
        return {}
    return _credits(uow, transfers.c.reference["record_id"].astext.in_(sorted(record_ids)))


def credits_posted_in(uow, issuance_prefix: str, start: dt.datetime | None,
                      end: dt.datetime | None) -> dict[str, Credit]:
    """Service credits posted in ``[start, end)`` paid by an issuance account whose region
    starts with ``issuance_prefix`` (the region's city-level unit or units)."""
    issuer = accounts.alias("issuer")
    paid_by = (select(literal(1)).select_from(issuer)
               .where(issuer.c.id == transfers.c.debit_account_id, issuer.c.kind == ISSUANCE,
                      within(issuer.c.region_code, issuance_prefix)).exists())
    conditions = [paid_by]
    if start is not None:
        conditions.append(transfers.c.created_at >= start)
    if end is not None:
        conditions.append(transfers.c.created_at < end)
    return _credits(uow, and_(*conditions))


# --- statistics ----------------------------------------------------------------------------
def flows(uow, prefix: str, start: dt.datetime | None, end: dt.datetime | None
          ) -> list[FlowRow]:
    """Posted minutes in ``[start, end)`` touching an account of the region ``prefix``,
    summed by kind and both accounts' kind and region.

    Below the province, asked as two parts, each transfer in one: those whose debit account
    is in the region, and those whose credit account is and debit account is not. Each part
    filters one joined account by region, which ``accounts_by_region`` serves; an OR across
    the two accounts can only be checked after joining every transfer of the period to both
    accounts, all of them read. For the province nearly every account is in the region and
    there is nothing to narrow: one pass with the OR (two would read the transfers twice).
    Measured on 600,000 accounts and 1.5 million transfers in a year (best of 3, a shared
    2-core machine), the OR of LIKEs before -> now: a county's year 0.74 s -> 0.40 s, a
    county's month 0.23 s -> 0.17 s, a city's year 1.05 s -> 0.92 s, the province's year
    5.5 s -> 4.1 s (4.2 to 9.3 s split in two, in runs at different loads)."""
    debit, credit = accounts.alias("debit"), accounts.alias("credit")
    conditions = [transfers.c.phase.in_(PHASES_WITH_ENTRIES)]
    if start is not None:
        conditions.append(transfers.c.created_at >= start)
    if end is not None:
        conditions.append(transfers.c.created_at < end)
    part = (select(transfers.c.kind, debit.c.kind.label("debit_kind"),
                   credit.c.kind.label("credit_kind"), debit.c.region_code.label("debit_region"),
                   credit.c.region_code.label("credit_region"), transfers.c.amount_minutes)
            .join(debit, debit.c.id == transfers.c.debit_account_id)
            .join(credit, credit.c.id == transfers.c.credit_account_id)
            .where(*conditions))
    debit_inside, credit_inside = (within(debit.c.region_code, prefix),
                                   within(credit.c.region_code, prefix))
    if len(prefix) <= 2:
        moved = part.where(or_(debit_inside, credit_inside)).subquery("moved")
    else:
        moved = union_all(part.where(debit_inside),
                          part.where(credit_inside, not_(debit_inside))).subquery("moved")
    keys = (moved.c.kind, moved.c.debit_kind, moved.c.credit_kind, moved.c.debit_region,
            moved.c.credit_region)
    rows = uow.execute(select(*keys, func.sum(moved.c.amount_minutes), func.count())
                       .group_by(*keys)).all()
    return [FlowRow(r[0], r[1], r[2], r[3], r[4], int(r[5]), int(r[6])) for r in rows]


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


