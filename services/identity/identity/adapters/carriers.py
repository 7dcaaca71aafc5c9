"""SQL of service carriers (服务载体)."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within

from .rows import as_uuid, one
from .tables import carriers


def get_carrier(uow: UnitOfWork, carrier_id: Any) -> dict[str, Any] | None:
    cid = as_uuid(carrier_id)
    return one(uow, select(carriers).where(carriers.c.id == cid)) if cid else None


def find_carrier(uow: UnitOfWork, region_code: str, name: str) -> dict[str, Any] | None:
    return one(uow, select(carriers).where(carriers.c.region_code == region_code,
                                           carriers.c.name == name))


def insert_carrier(uow: UnitOfWork, **values: Any) -> dict[str, Any]:
    values.setdefault("id", uuid.uuid4())
    row = one(uow, insert(carriers).values(**values).returning(*carriers.c))
    assert row is not None
    return row


def ensure_carrier(uow: UnitOfWork, **values: Any) -> None:
    uow.execute(insert(carriers).values(**values).on_conflict_do_nothing())


def carrier_page(uow: UnitOfWork, prefix: str, kind: str | None, page: int,
                 page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Carriers whose region starts with ``prefix`` (and of ``kind``), one page, and the total."""
    cond = [within(carriers.c.region_code, prefix)]
    if kind:
        cond.append(carriers.c.kind == kind)
    total = uow.execute(select(func.count()).select_from(carriers).where(*cond)).scalar()
    rows = uow.execute(select(carriers).where(*cond)
                       .order_by(carriers.c.region_code, carriers.c.name, carriers.c.id)
                       .limit(page_size).offset((page - 1) * page_size)).mappings()
    return [dict(r) for r in rows], int(total or 0)


def carrier_rows(uow: UnitOfWork, prefix: str) -> list[dict[str, Any]]:
    """Region and kind of every carrier under ``prefix`` (statistics)."""
    stmt = select(carriers.c.region_code, carriers.c.kind).where(
        within(carriers.c.region_code, prefix))
    return [dict(r) for r in uow.execute(stmt).mappings()]


def names_of(uow: UnitOfWork, carrier_ids: list[uuid.UUID]) -> dict[str, str]:
    rows = uow.execute(select(carriers.c.id, carriers.c.name).where(carriers.c.id.in_(carrier_ids)))
    return {str(r.id): r.name for r in rows}
