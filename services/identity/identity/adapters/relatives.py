"""SQL of direct-relative links (either way round: ``a`` and ``b`` are the two persons)."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.elements import ColumnElement

from timebank_common.db import UnitOfWork

from .personal_data import from_row, to_row
from .rows import as_uuid, opened
from .tables import relative_links


def _between(a: Any, b: Any) -> ColumnElement[bool]:
    return or_(and_(relative_links.c.person_id == a, relative_links.c.relative_person_id == b),
               and_(relative_links.c.person_id == b, relative_links.c.relative_person_id == a))


def open_link_between(uow: UnitOfWork, a: Any, b: Any) -> dict[str, Any] | None:
    """A pending or verified link joining ``a`` and ``b`` either way round."""
    return opened(uow, "relative_links", select(relative_links).where(
        _between(a, b), relative_links.c.status.in_(("pending", "verified"))))


def verified_link_between(uow: UnitOfWork, a: Any, b: Any) -> dict[str, Any] | None:
    return opened(uow, "relative_links", select(relative_links).where(
        _between(a, b), relative_links.c.status == "verified"))


def insert_relative_link(uow: UnitOfWork, **values: Any) -> dict[str, Any]:
    values.setdefault("id", uuid.uuid4())
    values.setdefault("status", "pending")
    row = opened(uow, "relative_links", insert(relative_links)
                 .values(**to_row("relative_links", values)).returning(*relative_links.c))
    assert row is not None
    return row


def get_relative_link(uow: UnitOfWork, link_id: Any, lock: bool = False) -> dict[str, Any] | None:
    lid = as_uuid(link_id)
    if lid is None:
        return None
    stmt = select(relative_links).where(relative_links.c.id == lid)
    return opened(uow, "relative_links", stmt.with_for_update() if lock else stmt)


def decide_relative_link(uow: UnitOfWork, link_id: Any, status: str, verified_by: Any,
                         reason: str | None) -> dict[str, Any]:
    row = opened(uow, "relative_links", update(relative_links)
                 .where(relative_links.c.id == link_id)
                 .values(status=status, verified_by=verified_by, verified_at=func.now(),
                         reason=reason)
                 .returning(*relative_links.c))
    assert row is not None
    return row


def links_of(uow: UnitOfWork, person_id: Any) -> list[dict[str, Any]]:
    rows = uow.execute(select(relative_links).where(or_(
        relative_links.c.person_id == person_id,
        relative_links.c.relative_person_id == person_id))
        .order_by(relative_links.c.submitted_at, relative_links.c.id)).mappings()
    return [from_row("relative_links", dict(r)) or {} for r in rows]
