"""The audit log: every staff write in identity and every unmasked read of personal data.

``record`` runs inside the caller's unit of work, so an entry exists exactly when the change
it describes was committed. Before/after snapshots are masked (``domain.masking.mask_record``):
the log never holds a full ID number, phone, address, health note or evidence.
Auditors and administrators read it within their scope (``query_audit``).
"""
from __future__ import annotations

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.logs import current_correlation_id

from ..adapters import audit as entries
from ..adapters.rows import as_uuid
from ..contracts import SUPERVISORS
from ..domain.masking import mask_record
from .scope import listing_prefix


def _plain(value: Any) -> Any:
    """JSON-ready: ids, times, dates and decimals as strings."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _snapshot(record: Mapping[str, Any] | None) -> Any:
    return _plain(mask_record(record)) if record is not None else None


def record(uow: UnitOfWork, caller: Caller | None, action: str, target_type: str,
           target_id: Any, region_code: str | None, before: Mapping[str, Any] | None = None,
           after: Mapping[str, Any] | None = None) -> None:
    """One audit entry, in ``uow``'s transaction."""
    entries.insert_entry(
        uow, actor_person_id=as_uuid(caller.person_id) if caller else None,
        actor_client_id=caller.client_id if caller else None,
        actor_roles=list(caller.roles) if caller else [],
        action=action, target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        region_code=region_code, before=_snapshot(before), after=_snapshot(after),
        correlation_id=current_correlation_id())


def entry_view(row: Mapping[str, Any]) -> dict[str, Any]:
    return {"entry_id": row["id"], "at": row["at"].isoformat(),
            "actor_person_id": str(row["actor_person_id"]) if row["actor_person_id"] else None,
            "actor_client_id": row["actor_client_id"], "actor_roles": list(row["actor_roles"]),
            "action": row["action"], "target_type": row["target_type"],
            "target_id": row["target_id"], "region_code": row["region_code"],
            "before": row["before"], "after": row["after"],
            "correlation_id": row["correlation_id"]}


def query_audit(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any]) -> dict[str, Any]:
    """Entries in the caller's scope (narrowed by ``region_code``), newest first, one page."""
    caller.require(*SUPERVISORS)
    prefix = listing_prefix(caller, query.get("region_code"))
    filters = dict(query)
    if query.get("actor_person_id"):
        actor = as_uuid(query["actor_person_id"])
        if actor is None:
            return {"items": [], "total": 0, "page": query["page"],
                    "page_size": query["page_size"]}
        filters["actor_person_id"] = actor
    with db() as uow:
        rows, total = entries.entry_page(uow, prefix, filters, query["page"], query["page_size"])
    return {"items": [entry_view(r) for r in rows], "total": total, "page": query["page"],
            "page_size": query["page_size"]}
