"""SQL of interest in volunteering (``volunteer_interest``): the phone sealed and hashed
(``personal_data``), one open registration per mobile and community (a partial unique index)."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within

from .personal_data import from_row, phone_digest, to_row
from .rows import as_uuid, opened
from .tables import volunteer_interest

TABLE = "volunteer_interest"
OPEN = volunteer_interest.c.status.in_(("new", "contacted"))


def insert_if_none_open(uow: UnitOfWork, **values: Any) -> dict[str, Any] | None:
    """The new registration, or None when one of the same mobile in the same community is
    open (the partial unique index decides, so two submissions at once make one row)."""
    values.setdefault("id", uuid.uuid4())
    stmt = (insert(volunteer_interest).values(**to_row(TABLE, values))
            .on_conflict_do_nothing(index_elements=["phone_hash", "region_code"],
                                    index_where=OPEN)
            .returning(*volunteer_interest.c))
    return opened(uow, TABLE, stmt)


def open_registration(uow: UnitOfWork, phone: str, region_code: str) -> dict[str, Any] | None:
    return opened(uow, TABLE, select(volunteer_interest).where(
        volunteer_interest.c.phone_hash == phone_digest(phone),
        volunteer_interest.c.region_code == region_code, OPEN))


def get_registration(uow: UnitOfWork, interest_id: Any, lock: bool = False) -> dict[str, Any] | None:
    key = as_uuid(interest_id)
    if key is None:
        return None
    stmt = select(volunteer_interest).where(volunteer_interest.c.id == key)
    return opened(uow, TABLE, stmt.with_for_update() if lock else stmt)


def update_registration(uow: UnitOfWork, interest_id: Any, **values: Any) -> dict[str, Any]:
    row = opened(uow, TABLE, update(volunteer_interest)
                 .where(volunteer_interest.c.id == interest_id).values(**values)
                 .returning(*volunteer_interest.c))
    assert row is not None
    return row


def registration_page(uow: UnitOfWork, prefix: str, status: str | None, page: int,
                      page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Registrations under ``prefix`` (newest first), optionally of one status; one page
    (opened, to be masked) and the total."""
    where = [within(volunteer_interest.c.region_code, prefix)]
    if status:
        where.append(volunteer_interest.c.status == status)
    total = uow.execute(select(func.count()).select_from(volunteer_interest).where(*where)).scalar()
    rows = uow.execute(select(volunteer_interest).where(*where)
                       .order_by(volunteer_interest.c.created_at.desc(), volunteer_interest.c.id)
                       .limit(page_size).offset((page - 1) * page_size)).mappings()
    return [r for r in (from_row(TABLE, dict(row)) for row in rows) if r], int(total or 0)


def reference_taken(uow: UnitOfWork, reference: str) -> bool:
    return uow.execute(select(volunteer_interest.c.id)
                       .where(volunteer_interest.c.reference == reference)).first() is not None
