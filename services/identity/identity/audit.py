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

from timebank_common.caller import ADMIN_ROLES, Caller
from timebank_common.logs import current_correlation_id

from . import audit_repository as arepo
from . import carriers  # the scope narrowing of listings (carriers imports this module too)
from .domain.masking import mask_record
from .repository import as_uuid

READERS = ("auditor", *ADMIN_ROLES)


def _plain(value):
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


def _snapshot(record: dict | None) -> dict | None:
    return _plain(mask_record(record)) if record is not None else None


def record(uow, caller: Caller | None, action: str, target_type: str, target_id,
           region_code: str | None, before: dict | None = None, after: dict | None = None) -> None:
    """One audit entry, in ``uow``'s transaction."""
    arepo.insert_entry(
        uow, actor_person_id=as_uuid(caller.person_id) if caller else None,
        actor_client_id=caller.client_id if caller else None,
        actor_roles=list(caller.roles) if caller else [],
        action=action, target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        region_code=region_code, before=_snapshot(before), after=_snapshot(after),
        correlation_id=current_correlation_id())


def entry_view(row: dict) -> dict:
    return {"entry_id": row["id"], "at": row["at"].isoformat(),
            "actor_person_id": str(row["actor_person_id"]) if row["actor_person_id"] else None,
            "actor_client_id": row["actor_client_id"], "actor_roles": list(row["actor_roles"]),
            "action": row["action"], "target_type": row["target_type"],
            "target_id": row["target_id"], "region_code": row["region_code"],
            "before": row["before"], "after": row["after"],
            "correlation_id": row["correlation_id"]}


def query_audit(uow, caller: Caller, query: dict) -> dict:
    """Entries in the caller's scope (narrowed by ``region_code``), newest first, one page."""
    caller.require(*READERS)
    prefix = carriers.listing_prefix(caller, query.get("region_code"))
    filters = dict(query)
    if query.get("actor_person_id"):
        actor = as_uuid(query["actor_person_id"])
        if actor is None:
            return {"items": [], "total": 0, "page": query["page"],
                    "page_size": query["page_size"]}
        filters["actor_person_id"] = actor
    rows, total = arepo.entry_page(uow, prefix, filters, query["page"], query["page_size"])
    return {"items": [entry_view(r) for r in rows], "total": total, "page": query["page"],
            "page_size": query["page_size"]}
