"""SQL of authentication hardening: login failures, login sessions, token revocations."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert

from .domain.lockout import Failures
from .tables import credentials, login_failures, refresh_tokens, token_revocations


def _failures(row) -> Failures:
    return Failures(row["failed_count"], row["first_failed_at"], row["locked_until"])


def failures_of(uow, person_id, lock: bool = False) -> Failures | None:
    """The account's remembered failures (locked until commit with ``lock``)."""
    stmt = select(login_failures).where(login_failures.c.person_id == person_id)
    row = uow.execute(stmt.with_for_update() if lock else stmt).mappings().first()
    return _failures(row) if row else None


def lock_failures_row(uow, person_id) -> Failures:
    """The failures row, created if missing and locked until commit: concurrent wrong
    passwords of one account queue here, so each one is counted."""
    uow.execute(insert(login_failures).values(person_id=person_id, failed_count=0)
                .on_conflict_do_nothing())
    return failures_of(uow, person_id, lock=True)


def save_failures(uow, person_id, state: Failures) -> None:
    uow.execute(update(login_failures).where(login_failures.c.person_id == person_id).values(
        failed_count=state.failed_count, first_failed_at=state.first_failed_at,
        locked_until=state.locked_until, updated_at=func.now()))


def forget_failures(uow, person_id) -> None:
    uow.execute(delete(login_failures).where(login_failures.c.person_id == person_id))


def set_password_hash(uow, person_id, password_hash: str) -> None:
    uow.execute(update(credentials).where(credentials.c.person_id == person_id)
                .values(password_hash=password_hash, updated_at=func.now()))


def refresh_token_row(uow, token_hash: str) -> dict | None:
    row = uow.execute(select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
                      ).mappings().first()
    return dict(row) if row else None


def revoke_session_refresh_tokens(uow, person_id, session_id, reason: str) -> int:
    return uow.execute(update(refresh_tokens).where(
        refresh_tokens.c.person_id == person_id, refresh_tokens.c.session_id == session_id,
        refresh_tokens.c.revoked_at.is_(None)).values(revoked_at=func.now(),
                                                       revoked_reason=reason)).rowcount


def insert_revocation(uow, *, person_id, client_id, session_id, revoked_before: dt.datetime,
                      reason: str) -> dict:
    row = uow.execute(insert(token_revocations).values(
        id=uuid.uuid4(), person_id=person_id, client_id=client_id, session_id=session_id,
        revoked_before=revoked_before, reason=reason).returning(*token_revocations.c)
    ).mappings().first()
    return dict(row)


def revocations_since(uow, revoked_after: dt.datetime, created_since: dt.datetime | None) -> list[dict]:
    cond = [token_revocations.c.revoked_before > revoked_after]
    if created_since is not None:
        cond.append(token_revocations.c.created_at >= created_since)
    rows = uow.execute(select(token_revocations).where(*cond)
                       .order_by(token_revocations.c.revoked_before)).mappings()
    return [dict(r) for r in rows]
