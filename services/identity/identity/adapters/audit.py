"""SQL of the audit log."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, insert, select

from timebank_common.db import UnitOfWork, within

from .tables import audit_log


def insert_entry(uow: UnitOfWork, **values: Any) -> None:
    uow.execute(insert(audit_log).values(**values))


def entry_page(uow: UnitOfWork, prefix: str, filters: Mapping[str, Any], page: int,
               page_size: int) -> tuple[list[dict[str, Any]], int]:
    """Entries whose region starts with ``prefix`` matching ``filters``, newest first."""
    cond = [within(audit_log.c.region_code, prefix)]
    if filters.get("since"):
        cond.append(audit_log.c.at >= filters["since"])
    if filters.get("until"):
        cond.append(audit_log.c.at < filters["until"])
    for field in ("actor_person_id", "action", "target_type", "target_id"):
        if filters.get(field):
            cond.append(audit_log.c[field] == filters[field])
    total = uow.execute(select(func.count()).select_from(audit_log).where(*cond)).scalar()
    rows = uow.execute(select(audit_log).where(*cond)
                       .order_by(audit_log.c.at.desc(), audit_log.c.id.desc())
                       .limit(page_size).offset((page - 1) * page_size)).mappings()
    return [dict(r) for r in rows], int(total or 0)
