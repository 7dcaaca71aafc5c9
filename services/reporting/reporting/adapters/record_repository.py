"""The service records read model in SQL: lock (or create) the rows of a batch's records in
record order, merge the events into them (``domain.records``), write them back."""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import within_unit

from ..domain.records import FIELDS, Fact, merge
from .tables import service_records


def apply(uow, facts: Sequence[Fact], now: dt.datetime) -> None:
    """Merge ``facts`` into their rows, in the caller's transaction. The rows are created
    empty (version 0) and locked in record order first, so two handlers that bring the two
    halves of one record at once serialize on its row instead of both inserting it."""
    if not facts:
        return
    ids = sorted({fact.record_id for fact in facts})
    uow.execute(insert(service_records).values(
        [{"record_id": record_id, "version": 0, "updated_at": now} for record_id in ids]
    ).on_conflict_do_nothing(index_elements=["record_id"]))
    rows = {row.record_id: dict(row._mapping) for row in uow.execute(
        sa.select(service_records).where(service_records.c.record_id.in_(ids))
        .order_by(service_records.c.record_id).with_for_update())}
    for fact in facts:
        rows[fact.record_id] = merge(rows[fact.record_id], fact)
    for record_id in ids:
        values = {name: rows[record_id][name] for name in FIELDS}
        uow.execute(sa.update(service_records)
                    .where(service_records.c.record_id == record_id)
                    .values(**values, updated_at=now))


STREAM_BATCH = 2000


def _in_region(region_code: str, first, last):
    t = service_records
    return sa.and_(within_unit(t.c.region_code, region_code), t.c.day >= first,
                   t.c.day <= last)


def count_in_region(uow, region_code: str, first, last) -> int:
    return int(uow.execute(sa.select(sa.func.count()).select_from(service_records)
                           .where(_in_region(region_code, first, last))).scalar() or 0)


def stream_in_region(uow, region_code: str, first, last):
    """Every record served in the region's prefix on China days ``first``..``last``, by day
    then record, read from a server-side cursor ``STREAM_BATCH`` rows at a time (memory does
    not grow with the number of rows)."""
    t = service_records
    query = (sa.select(t).where(_in_region(region_code, first, last))
             .order_by(t.c.day, t.c.record_id))
    result = uow.execute(query.execution_options(stream_results=True,
                                                 yield_per=STREAM_BATCH))
    for row in result:
        yield row._mapping
