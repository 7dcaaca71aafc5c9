"""SQL of the 志愿汇 pushes: the scan of ``service_records`` for new credited versions, the
queue (claimed with ``FOR UPDATE SKIP LOCKED``), the outcome of a POST, the dead letters and
their replay, and what was delivered for reconciliation."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import distinct_on, insert

from timebank_common.db import one_of, within_unit

from .tables import service_records, zyh_pushes, zyh_scan

SCANNER = "zyh"
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
PENDING, SENT, DEAD = "pending", "sent", "dead"


def mark(uow) -> tuple[dt.datetime, str]:
    """Where the scan stands (locked until the commit: one scanner at a time)."""
    row = uow.execute(sa.select(zyh_scan.c.updated_at, zyh_scan.c.record_id)
                      .where(zyh_scan.c.name == SCANNER).with_for_update()).first()
    if row is None:
        uow.execute(insert(zyh_scan).values(name=SCANNER, updated_at=EPOCH, record_id="")
                    .on_conflict_do_nothing())
        row = uow.execute(sa.select(zyh_scan.c.updated_at, zyh_scan.c.record_id)
                          .where(zyh_scan.c.name == SCANNER).with_for_update()).one()
    return row.updated_at, row.record_id


def set_mark(uow, updated_at: dt.datetime, record_id: str) -> None:
    uow.execute(sa.update(zyh_scan).where(zyh_scan.c.name == SCANNER)
                .values(updated_at=updated_at, record_id=record_id))


def changed_since(uow, updated_at: dt.datetime, record_id: str, until: dt.datetime,
                  limit: int) -> list[Mapping[str, Any]]:
    """Credited records changed after the mark and not after ``until``, in scan order."""
    key = sa.tuple_(service_records.c.updated_at, service_records.c.record_id)
    return list(uow.execute(
        sa.select(service_records)
        .where(key > sa.tuple_(sa.literal(updated_at), sa.literal(record_id)),
               service_records.c.updated_at <= until)
        .order_by(service_records.c.updated_at, service_records.c.record_id)
        .limit(limit)).mappings())


def enqueue(uow, rows: Sequence[Mapping[str, Any]], now: dt.datetime) -> int:
    """New pushes (a version already queued or sent is left as it is); an older version of
    the same record not yet sent is dropped: the newer one carries the record's values."""
    if not rows:
        return 0
    added = uow.execute(
        insert(zyh_pushes).values([{**row, "status": PENDING, "attempts": 0,
                                    "next_attempt_at": now, "created_at": now} for row in rows])
        .on_conflict_do_nothing().returning(zyh_pushes.c.record_id)).all()
    for row in rows:
        uow.execute(sa.delete(zyh_pushes).where(
            zyh_pushes.c.record_id == row["record_id"], zyh_pushes.c.version < row["version"],
            zyh_pushes.c.status != SENT))
    return len(added)


def claim_due(uow, now: dt.datetime, lease_until: dt.datetime,
              limit: int) -> list[Mapping[str, Any]]:
    """Up to ``limit`` due pushes, locked (others skip them), each counted as an attempt and
    not due again before ``lease_until`` (sent again then if this process dies meanwhile)."""
    due = (sa.select(zyh_pushes.c.record_id, zyh_pushes.c.version)
           .where(zyh_pushes.c.status == PENDING, zyh_pushes.c.next_attempt_at <= now)
           .order_by(zyh_pushes.c.next_attempt_at, zyh_pushes.c.record_id)
           .limit(limit).with_for_update(skip_locked=True)).cte("due")
    return list(uow.execute(
        sa.update(zyh_pushes)
        .where(zyh_pushes.c.record_id == due.c.record_id,
               zyh_pushes.c.version == due.c.version)
        .values(attempts=zyh_pushes.c.attempts + 1, next_attempt_at=lease_until)
        .returning(zyh_pushes)).mappings())


def _key(pushes: Sequence[tuple[str, int]]):
    return sa.tuple_(zyh_pushes.c.record_id, zyh_pushes.c.version).in_(list(pushes))


def mark_sent(uow, pushes: Sequence[tuple[str, int]], status: int | None,
              now: dt.datetime) -> None:
    uow.execute(sa.update(zyh_pushes).where(_key(pushes), zyh_pushes.c.status == PENDING)
                .values(status=SENT, sent_at=now, last_status=status, last_error=None))


def mark_failed(uow, push: tuple[str, int], status: str, next_at: dt.datetime,
                http_status: int | None, error: str) -> None:
    uow.execute(sa.update(zyh_pushes).where(_key([push]), zyh_pushes.c.status == PENDING)
                .values(status=status, next_attempt_at=next_at, last_status=http_status,
                        last_error=error[:1000]))


def counts(uow, with_sent: bool = True) -> dict[str, int]:
    """Pushes per status (pending and dead from their partial indexes; ``sent``, which only
    grows, counted only when asked)."""
    statuses = (PENDING, SENT, DEAD) if with_sent else (PENDING, DEAD)
    found = dict(uow.execute(sa.select(zyh_pushes.c.status, sa.func.count())
                             .where(zyh_pushes.c.status.in_(statuses))
                             .group_by(zyh_pushes.c.status)).all())
    return {status: int(found.get(status, 0)) for status in statuses}


def last_success(uow) -> dt.datetime | None:
    return uow.execute(sa.select(sa.func.max(zyh_pushes.c.sent_at))
                       .where(zyh_pushes.c.status == SENT)).scalar()


def dead(uow, limit: int, offset: int = 0) -> tuple[list[Mapping[str, Any]], int]:
    total = uow.execute(sa.select(sa.func.count()).select_from(zyh_pushes)
                        .where(zyh_pushes.c.status == DEAD)).scalar_one()
    rows = uow.execute(sa.select(zyh_pushes).where(zyh_pushes.c.status == DEAD)
                       .order_by(zyh_pushes.c.created_at.desc(), zyh_pushes.c.record_id)
                       .limit(limit).offset(offset)).mappings().all()
    return list(rows), int(total)


def replay(uow, record_ids: Sequence[str] | None, now: dt.datetime) -> list[str]:
    """Dead pushes (of these records, or all) back to pending now, attempts from zero."""
    condition = zyh_pushes.c.status == DEAD
    if record_ids is not None:
        condition = sa.and_(condition, one_of(zyh_pushes.c.record_id, sorted(set(record_ids))))
    rows = uow.execute(sa.update(zyh_pushes).where(condition)
                       .values(status=PENDING, attempts=0, next_attempt_at=now)
                       .returning(zyh_pushes.c.record_id)).all()
    return sorted(r.record_id for r in rows)


def delivered(uow, region_code: str, first: dt.date, last: dt.date
              ) -> Iterator[tuple[str, int]]:
    """(record, minutes of its last sent version) for the records served in the region on
    China days ``first``..``last``."""
    latest = (sa.select(zyh_pushes.c.record_id, zyh_pushes.c.minutes)
              .where(zyh_pushes.c.status == SENT)
              .ext(distinct_on(zyh_pushes.c.record_id))
              .order_by(zyh_pushes.c.record_id, zyh_pushes.c.version.desc())).subquery()
    rows = uow.execute(
        sa.select(latest.c.record_id, latest.c.minutes)
        .join(service_records, service_records.c.record_id == latest.c.record_id)
        .where(within_unit(service_records.c.region_code, region_code),
               service_records.c.day.between(first, last))
        .execution_options(yield_per=2000))
    for row in rows:
        yield row.record_id, int(row.minutes)


def records_in(uow, region_code: str, first: dt.date, last: dt.date,
               record_ids: Sequence[str] | None = None) -> dict[str, tuple[str | None, Any]]:
    """Which of ``record_ids`` the read model has, and where/when they were served:
    record → (region_code, day)."""
    query = sa.select(service_records.c.record_id, service_records.c.region_code,
                      service_records.c.day)
    if record_ids is not None:
        query = query.where(one_of(service_records.c.record_id, sorted(set(record_ids))))
    else:
        query = query.where(within_unit(service_records.c.region_code, region_code),
                            service_records.c.day.between(first, last))
    return {r.record_id: (r.region_code, r.day) for r in uow.execute(query)}
