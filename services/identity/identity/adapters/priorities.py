"""SQL of elders' hardship categories (one record per elder and category)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from .personal_data import to_row
from .rows import opened
from .tables import elder_priorities


def get_priority(uow: UnitOfWork, person_id: Any, category: str,
                 lock: bool = False) -> dict[str, Any] | None:
    stmt = select(elder_priorities).where(elder_priorities.c.person_id == person_id,
                                          elder_priorities.c.category == category)
    return opened(uow, "elder_priorities", stmt.with_for_update() if lock else stmt)


def save_priority_submission(uow: UnitOfWork, person_id: Any, category: str, evidence: str,
                             submitted_by: Any) -> dict[str, Any]:
    """A pending record of this category (a rejected one is replaced)."""
    values = to_row("elder_priorities", {
        "evidence": evidence, "status": "pending", "submitted_by": submitted_by,
        "submitted_at": func.now(), "verified_by": None, "verified_at": None, "reason": None})
    stmt = insert(elder_priorities).values(person_id=person_id, category=category, **values)
    stmt = stmt.on_conflict_do_update(index_elements=["person_id", "category"], set_=values)
    row = opened(uow, "elder_priorities", stmt.returning(*elder_priorities.c))
    assert row is not None
    return row


def decide_priority(uow: UnitOfWork, person_id: Any, category: str, status: str,
                    verified_by: Any, reason: str | None) -> dict[str, Any]:
    row = opened(uow, "elder_priorities", update(elder_priorities)
                 .where(elder_priorities.c.person_id == person_id,
                        elder_priorities.c.category == category)
                 .values(status=status, verified_by=verified_by, verified_at=func.now(),
                         reason=reason)
                 .returning(*elder_priorities.c))
    assert row is not None
    return row


def verified_categories(uow: UnitOfWork, person_id: Any) -> list[str]:
    return list(uow.execute(select(elder_priorities.c.category).where(
        elder_priorities.c.person_id == person_id,
        elder_priorities.c.status == "verified")).scalars())


def revoke_priority(uow: UnitOfWork, person_id: Any, category: str,
                    reason: str) -> dict[str, Any]:
    """A verified category withdrawn (its record kept, with the reason)."""
    row = opened(uow, "elder_priorities", update(elder_priorities)
                 .where(elder_priorities.c.person_id == person_id,
                        elder_priorities.c.category == category)
                 .values(status="revoked", reason=reason)
                 .returning(*elder_priorities.c))
    assert row is not None
    return row
