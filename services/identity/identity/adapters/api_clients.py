"""SQL of municipal systems' API clients (only the argon2 hash of a secret is kept)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within

from ..domain.client_secrets import ClientSecrets
from .rows import one
from .tables import api_clients


def get_api_client(uow: UnitOfWork, client_id: str, lock: bool = False) -> dict[str, Any] | None:
    stmt = select(api_clients).where(api_clients.c.client_id == client_id)
    return one(uow, stmt.with_for_update() if lock else stmt)


def ensure_api_client(uow: UnitOfWork, client_id: str, name: str, secret_hash: str,
                      scope_code: str) -> None:
    uow.execute(insert(api_clients).values(
        client_id=client_id, name=name, secret_hash=secret_hash, scope_code=scope_code,
    ).on_conflict_do_nothing())


def insert_api_client(uow: UnitOfWork, **values: Any) -> dict[str, Any] | None:
    """The new client; None when the client id is taken."""
    return one(uow, insert(api_clients).values(**values).on_conflict_do_nothing()
               .returning(*api_clients.c))


def api_clients_under(uow: UnitOfWork, prefix: str) -> list[dict[str, Any]]:
    rows = uow.execute(select(api_clients).where(within(api_clients.c.scope_code, prefix))
                       .order_by(api_clients.c.scope_code, api_clients.c.client_id)).mappings()
    return [dict(r) for r in rows]


def secrets_of(client: dict[str, Any]) -> ClientSecrets:
    """The stored hashes of a client's secrets (``domain.client_secrets``)."""
    return ClientSecrets(client["secret_hash"], client.get("previous_secret_hash"),
                         client.get("previous_secret_valid_until"))


def set_api_client_secrets(uow: UnitOfWork, client_id: str, secrets: ClientSecrets,
                           rotated_at: dt.datetime | None = None) -> dict[str, Any]:
    """Store the secrets' hashes (after a rotation: ``rotated_at``; after the previous
    secret's early end: None, the rotation's instant kept)."""
    values: dict[str, Any] = {"secret_hash": secrets.current_hash,
                              "previous_secret_hash": secrets.previous_hash,
                              "previous_secret_valid_until": secrets.previous_valid_until}
    if rotated_at is not None:
        values["secret_rotated_at"] = rotated_at
    row = one(uow, update(api_clients).where(api_clients.c.client_id == client_id)
              .values(**values).returning(*api_clients.c))
    assert row is not None
    return row


def revoke_api_client(uow: UnitOfWork, client_id: str, revoked_by: Any,
                      reason: str) -> dict[str, Any]:
    row = one(uow, update(api_clients).where(api_clients.c.client_id == client_id)
              .values(revoked_at=func.now(), revoked_by=revoked_by, revoke_reason=reason)
              .returning(*api_clients.c))
    assert row is not None
    return row


def set_api_client_flags(uow: UnitOfWork, client_id: str, **flags: Any) -> dict[str, Any]:
    row = one(uow, update(api_clients).where(api_clients.c.client_id == client_id)
              .values(**flags).returning(*api_clients.c))
    assert row is not None
    return row
