"""SQL of refresh tokens (sha256 digests only), each belonging to a login session: the one
module that writes the ``refresh_tokens`` table."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from .rows import one
from .tables import refresh_tokens


def insert_refresh_token(uow: UnitOfWork, token_hash: str, person_id: Any,
                         expires_at: dt.datetime, session_id: Any = None) -> None:
    uow.execute(insert(refresh_tokens).values(
        token_hash=token_hash, person_id=person_id, expires_at=expires_at, session_id=session_id))


def refresh_token_row(uow: UnitOfWork, token_hash: str) -> dict[str, Any] | None:
    return one(uow, select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash))


def take_refresh_token(uow: UnitOfWork, token_hash: str) -> dict[str, Any] | None:
    """The token row, locked so two refreshes with one token cannot both succeed."""
    return one(uow, select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
               .with_for_update())


def revoke_refresh_token(uow: UnitOfWork, token_hash: str, reason: str = "rotated") -> None:
    uow.execute(update(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
                .values(revoked_at=func.now(), revoked_reason=reason))


def revoke_session_refresh_tokens(uow: UnitOfWork, person_id: Any, session_id: Any,
                                  reason: str) -> int:
    return int(uow.execute(update(refresh_tokens).where(
        refresh_tokens.c.person_id == person_id, refresh_tokens.c.session_id == session_id,
        refresh_tokens.c.revoked_at.is_(None)).values(revoked_at=func.now(),
                                                       revoked_reason=reason)).rowcount)


def revoke_all_refresh_tokens(uow: UnitOfWork, person_id: Any, reason: str = "reused") -> int:
    return int(uow.execute(update(refresh_tokens)
                           .where(refresh_tokens.c.person_id == person_id,
                                  refresh_tokens.c.revoked_at.is_(None))
                           .values(revoked_at=func.now(), revoked_reason=reason)).rowcount)
