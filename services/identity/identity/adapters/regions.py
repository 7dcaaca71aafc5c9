"""SQL of the division tree (``regions``)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within

from .rows import one
from .tables import regions

REGION_FIELDS = ("code", "name", "level", "parent_code", "longitude", "latitude")


def get_region(uow: UnitOfWork, code: str) -> dict[str, Any] | None:
    return one(uow, select(regions).where(regions.c.code == code))


def list_regions(uow: UnitOfWork, parent_code: str | None) -> list[dict[str, Any]]:
    cond = (regions.c.parent_code.is_(None) if parent_code is None
            else regions.c.parent_code == parent_code)
    return [dict(r) for r in uow.execute(select(regions).where(cond).order_by(regions.c.code)).mappings()]


def region_codes(uow: UnitOfWork, prefix: str) -> set[str]:
    return set(uow.execute(select(regions.c.code).where(within(regions.c.code, prefix))).scalars())


def child_region_names(uow: UnitOfWork, parent_code: str) -> dict[str, str]:
    rows = uow.execute(select(regions.c.code, regions.c.name)
                       .where(regions.c.parent_code == parent_code)).mappings()
    return {r["code"]: r["name"] for r in rows}


def names_of(uow: UnitOfWork, codes: Iterable[str]) -> dict[str, str]:
    rows = uow.execute(select(regions.c.code, regions.c.name).where(regions.c.code.in_(list(codes))))
    return {r.code: r.name for r in rows}


def load_regions(uow_or_connection: Any, rows: Iterable[Mapping[str, Any]]) -> int:
    """Insert or update regions (idempotent). ``rows``: mappings with the ``REGION_FIELDS``;
    coordinates may be missing, and then the stored ones are kept. Returns the row count."""
    values = sorted(({f: row.get(f) for f in REGION_FIELDS} for row in rows),
                    key=lambda row: str(row["code"]))  # a parent sorts before its children
    if not values:
        return 0
    stmt = insert(regions)
    stmt = stmt.on_conflict_do_update(index_elements=[regions.c.code], set_={
        "name": stmt.excluded.name, "level": stmt.excluded.level,
        "parent_code": stmt.excluded.parent_code,
        "longitude": func.coalesce(stmt.excluded.longitude, regions.c.longitude),
        "latitude": func.coalesce(stmt.excluded.latitude, regions.c.latitude),
    })
    uow_or_connection.execute(stmt, values)
    return len(values)
