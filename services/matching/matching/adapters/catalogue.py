"""SQL of the qualification kinds each service category needs: demand's catalogue, cached
(asked again when a category is not known, and at each rebuild)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from .tables import category_requirements


def category_requirements_of(uow: UnitOfWork, codes: set[str]) -> dict[str, list[str]]:
    rows = uow.execute(select(category_requirements).where(
        category_requirements.c.code.in_(sorted(codes)))).all()
    return {r.code: r.qualifications for r in rows}


def save_catalogue(uow: UnitOfWork, categories: Iterable[Mapping[str, Any]]) -> None:
    for c in categories:
        uow.execute(insert(category_requirements).values(
            code=c["code"], qualifications=list(c.get("qualifications") or []))
            .on_conflict_do_update(index_elements=[category_requirements.c.code],
                                   set_={"qualifications": list(c.get("qualifications") or [])}))
