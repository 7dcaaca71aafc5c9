"""SQL of volunteers' professional qualifications (资质)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from .rows import as_uuid, one
from .tables import persons, qualifications


def insert_qualification(uow: UnitOfWork, **values: Any) -> dict[str, Any]:
    values.setdefault("id", uuid.uuid4())
    values.setdefault("status", "pending")
    row = one(uow, insert(qualifications).values(**values).returning(*qualifications.c))
    assert row is not None
    return row


def get_qualification(uow: UnitOfWork, qualification_id: Any,
                      lock: bool = False) -> dict[str, Any] | None:
    qid = as_uuid(qualification_id)
    if qid is None:
        return None
    stmt = select(qualifications).where(qualifications.c.id == qid)
    return one(uow, stmt.with_for_update() if lock else stmt)


def decide_qualification(uow: UnitOfWork, qualification_id: Any, status: str, verified_by: Any,
                         reason: str | None) -> dict[str, Any]:
    row = one(uow, update(qualifications).where(qualifications.c.id == qualification_id)
              .values(status=status, verified_by=verified_by, verified_at=func.now(),
                      reason=reason)
              .returning(*qualifications.c))
    assert row is not None
    return row


def qualifications_of(uow: UnitOfWork, person_id: Any) -> list[dict[str, Any]]:
    rows = uow.execute(select(qualifications).where(qualifications.c.person_id == person_id)
                       .order_by(qualifications.c.submitted_at, qualifications.c.id)).mappings()
    return [dict(r) for r in rows]


def expiring_qualifications(uow: UnitOfWork, today: dt.date) -> list[dict[str, Any]]:
    """Verified qualifications past valid_until, not marked yet; locked, skipping rows another
    run is marking."""
    rows = uow.execute(select(qualifications).where(
        qualifications.c.status == "verified", qualifications.c.valid_until < today,
        qualifications.c.expired_at.is_(None))
        .order_by(qualifications.c.valid_until, qualifications.c.id)
        .with_for_update(skip_locked=True)).mappings()
    return [dict(r) for r in rows]


def mark_expired(uow: UnitOfWork, qualification_id: Any) -> None:
    uow.execute(update(qualifications).where(qualifications.c.id == qualification_id)
                .values(expired_at=func.now()))


def running_out(uow: UnitOfWork, today: dt.date, days: int) -> list[Any]:
    """Verified, not yet expired qualifications whose ``valid_until`` lies within ``days``
    from ``today`` (both included), with the holder's region, soonest first."""
    return list(uow.execute(
        select(qualifications.c.id, qualifications.c.person_id, qualifications.c.kind,
               qualifications.c.valid_until, persons.c.region_code)
        .join(persons, persons.c.id == qualifications.c.person_id)
        .where(qualifications.c.status == "verified", qualifications.c.expired_at.is_(None),
               qualifications.c.valid_until >= today,
               qualifications.c.valid_until <= today + dt.timedelta(days=days))
        .order_by(qualifications.c.valid_until, qualifications.c.id)).all())
