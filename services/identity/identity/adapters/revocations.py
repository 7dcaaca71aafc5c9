"""SQL of access-token revocations (what the gateway refuses without a round trip)."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from .rows import one
from .tables import token_revocations


def insert_revocation(uow: UnitOfWork, *, person_id: uuid.UUID | None, client_id: str | None,
                      session_id: uuid.UUID | None, revoked_before: dt.datetime,
                      reason: str) -> dict[str, Any]:
    row = one(uow, insert(token_revocations).values(
        id=uuid.uuid4(), person_id=person_id, client_id=client_id, session_id=session_id,
        revoked_before=revoked_before, reason=reason).returning(*token_revocations.c))
    assert row is not None
    return row


def revocations_since(uow: UnitOfWork, revoked_after: dt.datetime,
                      created_since: dt.datetime | None) -> list[dict[str, Any]]:
    cond = [token_revocations.c.revoked_before > revoked_after]
    if created_since is not None:
        cond.append(token_revocations.c.created_at >= created_since)
    rows = uow.execute(select(token_revocations).where(*cond)
                       .order_by(token_revocations.c.revoked_before)).mappings()
    return [dict(r) for r in rows]
