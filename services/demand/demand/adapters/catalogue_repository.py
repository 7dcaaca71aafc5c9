"""SQL of the service catalogue: its categories and the history of every edit. In a unit of
work's session."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from ..domain.catalogue import Category
from .rows import utc
from .tables import catalogue_changes, service_categories

CATEGORY_FIELDS = ("code", "name_zh", "name_en", "professional", "qualifications",
                   "default_minutes", "group_allowed", "active", "sort_order")


def load_catalogue(uow) -> dict[str, Category]:
    """The active categories, by code, in display order."""
    rows = uow.execute(
        select(service_categories).where(service_categories.c.active)
        .order_by(service_categories.c.sort_order)
    ).mappings()
    return {
        r["code"]: Category(r["code"], r["name_zh"], r["name_en"], r["professional"],
                            tuple(r["qualifications"]), r["default_minutes"], r["group_allowed"])
        for r in rows
    }


def category_of(uow, code: str) -> Category | None:
    """The category ``code`` as it stands, withdrawn or not (a published demand keeps its
    category's rules when the category is withdrawn later)."""
    r = uow.execute(select(service_categories)
                    .where(service_categories.c.code == code)).mappings().first()
    if r is None:
        return None
    return Category(r["code"], r["name_zh"], r["name_en"], r["professional"],
                    tuple(r["qualifications"]), r["default_minutes"], r["group_allowed"])


def all_categories(uow, include_inactive: bool) -> list[dict]:
    query = select(service_categories).order_by(service_categories.c.sort_order,
                                                service_categories.c.code)
    if not include_inactive:
        query = query.where(service_categories.c.active)
    return [dict(r) for r in uow.execute(query).mappings()]


def get_category(uow, code: str, lock: bool = False) -> dict | None:
    query = select(service_categories).where(service_categories.c.code == code)
    if lock:
        query = query.with_for_update()
    row = uow.execute(query).mappings().first()
    return dict(row) if row is not None else None


def next_sort_order(uow) -> int:
    return uow.execute(select(func.coalesce(func.max(service_categories.c.sort_order), -1) + 1)
                       ).scalar_one()


def insert_category(uow, row: dict) -> bool:
    """False when the code exists already."""
    done = uow.execute(insert(service_categories).values(**row)
                       .on_conflict_do_nothing(index_elements=["code"])
                       .returning(service_categories.c.code)).first()
    return done is not None


def update_category(uow, row: dict) -> None:
    values = {k: row[k] for k in CATEGORY_FIELDS if k != "code"}
    uow.execute(service_categories.update().where(service_categories.c.code == row["code"])
                .values(**values))


def note_catalogue_change(uow, code: str, action: str, before: dict | None, after: dict,
                          by: str | None, at: dt.datetime) -> None:
    uow.execute(catalogue_changes.insert().values(
        id=str(uuid.uuid4()), code=code, action=action, before=before, after=after,
        changed_by=by, changed_at=at))


def catalogue_history(uow, code: str | None, limit: int) -> list[dict]:
    query = select(catalogue_changes).order_by(catalogue_changes.c.changed_at.desc(),
                                               catalogue_changes.c.id).limit(limit)
    if code:
        query = query.where(catalogue_changes.c.code == code)
    return [{**r, "id": str(r["id"]), "changed_at": utc(r["changed_at"])}
            for r in uow.execute(query).mappings()]
