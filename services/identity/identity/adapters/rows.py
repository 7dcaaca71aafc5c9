"""What every repository module shares: one row as a dict, a row of a table holding personal
data opened (``personal_data``), and ids parsed without crashing on a malformed one."""
from __future__ import annotations

import uuid
from typing import Any

from timebank_common.db import UnitOfWork

from .personal_data import from_row


def one(uow: UnitOfWork, stmt: Any) -> dict[str, Any] | None:
    row = uow.execute(stmt).mappings().first()
    return dict(row) if row else None


def opened(uow: UnitOfWork, table: str, stmt: Any) -> dict[str, Any] | None:
    """One row of a table holding personal data, decrypted (``personal_data``)."""
    return from_row(table, one(uow, stmt))


def as_uuid(value: Any) -> uuid.UUID | None:
    """A UUID from a string; None when it is not one (an unknown id, never a crash)."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError):
        return None
