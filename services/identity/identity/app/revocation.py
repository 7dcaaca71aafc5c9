"""Access-token revocation (令牌吊销) that the gateway honours without a round trip.

``revoke_tokens`` records "tokens of this person / API client / login session issued up to
``now`` are no longer accepted" in ``token_revocations`` and emits ``tokens_revoked``
through the outbox in the same unit of work. Every gateway process receives the event
(broadcast) and keeps the revocation in its ``RevocationList``; at start, and now and then,
it reads ``active_revocations`` so one missed while it was away still counts. Refresh
tokens are revoked separately, in the database (``accounts``).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.db import UnitOfWork, UnitOfWorkFactory

from ..adapters import revocations
from ..adapters.rows import as_uuid
from ..contracts import REVOCATION_REASONS, TOKENS_REVOKED
from .views import revocation_view


def revoke_tokens(uow: UnitOfWork, now: dt.datetime, *, person_id: Any = None,
                  client_id: str | None = None, session_id: Any = None,
                  reason: str) -> dict[str, Any]:
    """Refuse from now on every access token of the person, API client or session issued
    at or before ``now``; runs in the caller's unit of work (commit is the caller's).
    Returns the ``tokens_revoked`` payload."""
    if person_id is None and client_id is None and session_id is None:
        raise ValueError("revoke_tokens needs a person_id, a client_id or a session_id")
    if reason not in REVOCATION_REASONS:
        raise ValueError(f"unknown revocation reason {reason!r}")
    row = revocations.insert_revocation(
        uow, person_id=as_uuid(person_id) if person_id is not None else None,
        client_id=client_id, session_id=as_uuid(session_id) if session_id is not None else None,
        revoked_before=now, reason=reason)
    payload = TOKENS_REVOKED.dump(revocation_view(row))
    uow.emit(TOKENS_REVOKED, payload, None)
    return payload


def active_revocations(db: UnitOfWorkFactory, now: dt.datetime, max_token_age: int,
                       since: dt.datetime | None = None) -> dict[str, Any]:
    """Revocations that can still refuse a token (younger than the access-token lifetime);
    with ``since``, only those recorded from then on."""
    with db() as uow:
        rows = revocations.revocations_since(uow, now - dt.timedelta(seconds=max_token_age),
                                             since)
    return {"items": [revocation_view(r) for r in rows], "max_token_age": max_token_age,
            "as_of": now.isoformat()}
