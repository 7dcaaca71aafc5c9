"""SQL of moves within the province (``person_moves``)."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within

from .personal_data import from_row
from .rows import one
from .tables import person_moves, persons


def insert_move(uow: UnitOfWork, **values: Any) -> dict[str, Any]:
    values.setdefault("id", uuid.uuid4())
    row = one(uow, insert(person_moves).values(**values).returning(*person_moves.c))
    assert row is not None
    return row


def moves_of(uow: UnitOfWork, person_id: Any) -> list[dict[str, Any]]:
    """A person's moves, oldest first."""
    rows = uow.execute(select(person_moves).where(person_moves.c.person_id == person_id)
                       .order_by(person_moves.c.moved_at, person_moves.c.id)).mappings()
    return [dict(r) for r in rows]


def move_page(uow: UnitOfWork, prefix: str, page: int,
              page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Moves into or out of ``prefix`` (newest first), with the person (opened, to be
    masked); one page and the total."""
    touching = or_(within(person_moves.c.from_region_code, prefix),
                   within(person_moves.c.to_region_code, prefix))
    total = uow.execute(select(func.count()).select_from(person_moves).where(touching)).scalar()
    rows = uow.execute(
        select(person_moves, persons.c.name, persons.c.id_number_enc)
        .join(persons, persons.c.id == person_moves.c.person_id).where(touching)
        .order_by(person_moves.c.moved_at.desc(), person_moves.c.id)
        .limit(page_size).offset((page - 1) * page_size)).mappings()
    opened = [from_row("persons", dict(r)) for r in rows]
    return [r for r in opened if r is not None], int(total or 0)
