"""SQL of dispatch runs and their proposals (matching's own records)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within
from timebank_common.regions import prefix_of

from .tables import dispatch_runs, proposals


def save_run(uow: UnitOfWork, run: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    uow.execute(insert(dispatch_runs).values(**run))
    if rows:
        uow.execute(insert(proposals), rows)


def set_proposal_status(uow: UnitOfWork, proposal_id: str, status: str, by: str | None, now: dt.datetime,
                        error: str | None = None) -> None:
    uow.execute(update(proposals).where(proposals.c.proposal_id == proposal_id)
                .values(status=status, decided_by=by, decided_at=now, error=error))


def get_proposal(uow: UnitOfWork, proposal_id: str, lock: bool = False) -> Any:
    stmt = select(proposals).where(proposals.c.proposal_id == proposal_id)
    return uow.execute(stmt.with_for_update() if lock else stmt).first()


def list_proposals(uow: UnitOfWork, scope: str, status: str | None, limit: int = 200
                   ) -> list[Any]:
    stmt = select(proposals).where(within(proposals.c.region_code, prefix_of(scope)))
    if status:
        stmt = stmt.where(proposals.c.status == status)
    return uow.execute(stmt.order_by(proposals.c.created_at.desc(), proposals.c.proposal_id)
                       .limit(limit)).all()
