"""SQL of the wrong passwords remembered per account (lockout, ``domain.lockout``)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from ..domain.lockout import Failures
from .tables import login_failures


def _failures(row: Any) -> Failures:
    return Failures(row["failed_count"], row["first_failed_at"], row["locked_until"])


def failures_of(uow: UnitOfWork, person_id: Any, lock: bool = False) -> Failures | None:
    """The account's remembered failures (locked until commit with ``lock``)."""
    stmt = select(login_failures).where(login_failures.c.person_id == person_id)
    row = uow.execute(stmt.with_for_update() if lock else stmt).mappings().first()
    return _failures(row) if row else None


def lock_failures_row(uow: UnitOfWork, person_id: Any) -> Failures:
    """The failures row, created if missing and locked until commit: concurrent wrong
    passwords of one account queue here, so each one is counted."""
    uow.execute(insert(login_failures).values(person_id=person_id, failed_count=0)
                .on_conflict_do_nothing())
    state = failures_of(uow, person_id, lock=True)
    assert state is not None
    return state


def save_failures(uow: UnitOfWork, person_id: Any, state: Failures) -> None:
    uow.execute(update(login_failures).where(login_failures.c.person_id == person_id).values(
        failed_count=state.failed_count, first_failed_at=state.first_failed_at,
        locked_until=state.locked_until, updated_at=func.now()))


def forget_failures(uow: UnitOfWork, person_id: Any) -> None:
    uow.execute(delete(login_failures).where(login_failures.c.person_id == person_id))
