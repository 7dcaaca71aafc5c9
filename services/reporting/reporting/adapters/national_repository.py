"""SQL of the national system's export: what an export carries (staged), what earlier exports
delivered (the memory), and the list of exports.

**Staging.** ``stage`` selects, in one statement (one snapshot), the credited records of a
region and period that the export carries — every one with minutes for a full export; else
those never delivered (with minutes: a record voided before its first delivery has nothing to
tell) and those whose ``version`` is above the last delivered one — into the temporary table
``national_pending`` of the export's transaction, with the fields the file shows. The file is
written from that table page by page (``staged_page``), and ``remember`` writes exactly those
rows to the memory: what was delivered is what the file holds, even when records change while
the export runs (they are the next export's). The table is dropped by ``remember`` or, when
the export fails, with its transaction.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Integer, case, func, literal, select
from sqlalchemy.dialects.postgresql import distinct_on, insert
from sqlalchemy.orm import aliased

from timebank_common.db import UnitOfWork, within_unit

from .tables import national_deliveries, national_exports, service_records

PENDING = "national_pending"
PAGE = 500

def _selection(region_code: str, first: dt.date, last: dt.date, full: bool) -> Any:
    """The records an export carries, with the last delivery (version, export) if any."""
    s = service_records
    d = aliased(national_deliveries, name="delivered")
    last_delivered = (select(d.c.version, d.c.export_id)
                      .where(d.c.record_id == s.c.record_id)
                      .order_by(d.c.version.desc()).limit(1).lateral("last_delivery"))
    scope = [within_unit(s.c.region_code, region_code), s.c.day >= first,
             s.c.day <= last, s.c.credited_minutes.is_not(None)]
    if full:
        return (select(s, literal(None, Integer).label("prev_version"),
                       literal(None).label("prev_export"))
                .where(*scope, s.c.credited_minutes > 0))
    return (select(s, last_delivered.c.version.label("prev_version"),
                   last_delivered.c.export_id.label("prev_export"))
            .select_from(s.outerjoin(last_delivered, literal(True)))
            .where(*scope, (last_delivered.c.version.is_(None) & (s.c.credited_minutes > 0))
                   | (s.c.version > last_delivered.c.version)))


def count(uow: UnitOfWork, region_code: str, first: dt.date, last: dt.date, full: bool) -> int:
    selection = _selection(region_code, first, last, full).subquery()
    return int(uow.execute(select(func.count()).select_from(selection)).scalar_one())


STAGED = ("record_id", "version", "volunteer_id", "carrier_id", "category", "started_at",
          "ended_at", "recorded_by", "credited_minutes", "region_code", "day", "prev_version",
          "prev_export")

# the staging table's shape (a temporary table of the export's transaction, not a migration's)
pending = sa.Table(
    PENDING, sa.MetaData(),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    *(sa.Column(c.name, c.type) for c in service_records.c if c.name in STAGED),
    sa.Column("prev_version", sa.Integer),
    sa.Column("prev_export", sa.String(64)),
    prefixes=["TEMPORARY"], postgresql_on_commit="DROP",
)


def one_at_a_time(uow: UnitOfWork) -> bool:
    """Take the national exports' lock until the transaction ends; False when another export
    holds it. Two exports running side by side would both carry a record neither had
    delivered (the national system would get it twice)."""
    return bool(uow.execute(select(func.pg_try_advisory_xact_lock(
        func.hashtext("reporting.national_export")))).scalar_one())


def stage(uow: UnitOfWork, region_code: str, first: dt.date, last: dt.date, full: bool) -> int:
    """Fill ``national_pending`` with what the export carries (see the module); its count."""
    connection = uow.session.connection()
    pending.create(connection, checkfirst=True)
    uow.execute(pending.delete())
    selection = _selection(region_code, first, last, full).subquery("selected")
    ordered = select(
        func.row_number().over(order_by=(selection.c.day, selection.c.started_at,
                                          selection.c.record_id)),
        *(selection.c[name] for name in STAGED))
    result = uow.execute(pending.insert().from_select(["seq", *STAGED], ordered))
    return int(result.rowcount)


def staged_page(uow: UnitOfWork, after: int, size: int = PAGE) -> list[dict[str, Any]]:
    """Up to ``size`` staged rows after ``seq`` ``after``, in order."""
    rows = uow.execute(select(pending).where(pending.c.seq > after).order_by(pending.c.seq)
                       .limit(size)).mappings()
    return [dict(row) for row in rows]


def remember(uow: UnitOfWork, export_id: str, region_code: str, first: dt.date, last: dt.date,
             full: bool, now: dt.datetime) -> dict[str, int]:
    """The export's row and, for each staged record, its delivery (a version delivered
    before — a full export again — keeps its first delivery); drops the staging. Counts."""
    p = pending
    totals = uow.execute(select(
        func.count().label("rows"), func.count(p.c.prev_version).label("corrections"),
        func.coalesce(func.sum(p.c.credited_minutes), 0).label("minutes"))).mappings().one()
    uow.execute(national_exports.insert().values(
        id=export_id, region_code=region_code, from_day=first, to_day=last, full=full,
        created_at=now, rows=totals["rows"], corrections=totals["corrections"],
        minutes=totals["minutes"]))
    kind = case((p.c.prev_version.is_(None), "new"), else_="correction")
    uow.execute(insert(national_deliveries).from_select(
        ["record_id", "version", "minutes", "export_id", "row_type", "region_code", "day",
         "delivered_at"],
        select(p.c.record_id, p.c.version, p.c.credited_minutes,
               literal(export_id, sa.String(64)), kind, p.c.region_code, p.c.day,
               literal(now, sa.DateTime(timezone=True))))
        .on_conflict_do_nothing(index_elements=["record_id", "version"]))
    pending.drop(uow.session.connection())
    return {key: int(value) for key, value in totals.items()}


def exports_under(uow: UnitOfWork, region_code: str, limit: int = 200) -> list[Any]:
    t = national_exports
    return list(uow.execute(select(t).where(within_unit(t.c.region_code, region_code))
                            .order_by(t.c.created_at.desc(), t.c.id).limit(limit)))


def delivered(uow: UnitOfWork, region_code: str, first: dt.date, last: dt.date
              ) -> Iterator[tuple[str, int]]:
    """(record id, minutes) of the last delivered version of each record of the region and
    period, by record id (streamed)."""
    d = national_deliveries
    statement = (select(d.c.record_id, d.c.minutes).ext(distinct_on(d.c.record_id))
                 .where(within_unit(d.c.region_code, region_code), d.c.day >= first,
                        d.c.day <= last)
                 .order_by(d.c.record_id, d.c.version.desc())
                 .execution_options(yield_per=1000))
    for row in uow.execute(statement):
        yield row.record_id, row.minutes
