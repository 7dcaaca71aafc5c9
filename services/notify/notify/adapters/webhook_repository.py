"""Webhook endpoints of municipal systems and the deliveries of changes to them.

Times the worker compares (``not_before``, ``claimed_at``) come from the service's clock, so a
test moves the clock instead of waiting.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.regions import in_scope

from ..contracts import WEBHOOK_DELIVERY_STATUSES
from .tables import webhook_deliveries, webhook_endpoints

PENDING, SENDING, DELIVERED, FAILED, DEAD, CANCELLED = WEBHOOK_DELIVERY_STATUSES


def add_endpoint(uow, client_id: str, scope_code: str, url: str, secret: str,
                 now: dt.datetime) -> dict[str, Any]:
    row = uow.execute(insert(webhook_endpoints).values(
        id=str(uuid.uuid4()), client_id=client_id, scope_code=scope_code, url=url,
        secret=secret, created_at=now).returning(*webhook_endpoints.c)).mappings().one()
    return dict(row)


def endpoints_of(uow, client_id: str) -> list[dict[str, Any]]:
    rows = uow.execute(select(webhook_endpoints).where(
        webhook_endpoints.c.client_id == client_id, webhook_endpoints.c.deleted_at.is_(None))
        .order_by(webhook_endpoints.c.created_at, webhook_endpoints.c.id)).mappings().all()
    return [dict(r) for r in rows]


def endpoint_of(uow, client_id: str, webhook_id: str) -> dict[str, Any] | None:
    row = uow.execute(select(webhook_endpoints).where(
        webhook_endpoints.c.id == webhook_id, webhook_endpoints.c.client_id == client_id,
        webhook_endpoints.c.deleted_at.is_(None)).with_for_update()).mappings().first()
    return None if row is None else dict(row)


def delete_endpoint(uow, webhook_id: str, now: dt.datetime) -> None:
    """Kept (its deliveries name it), no longer sent to; what it still owed is cancelled."""
    uow.execute(update(webhook_endpoints).where(webhook_endpoints.c.id == webhook_id)
                .values(deleted_at=now))
    uow.execute(update(webhook_deliveries).where(
        webhook_deliveries.c.endpoint_id == webhook_id,
        webhook_deliveries.c.status.in_((PENDING, FAILED, DEAD)))
        .values(status=CANCELLED, updated_at=now))


def fan_out(uow, sequence: int, region_code: str, now: dt.datetime) -> int:
    """A pending delivery of the change to every live endpoint whose city covers its region;
    the number made. In the transaction that appends the change: exactly once each."""
    live = uow.execute(select(webhook_endpoints.c.id, webhook_endpoints.c.scope_code).where(
        webhook_endpoints.c.deleted_at.is_(None))).all()
    targets = [row.id for row in live if in_scope(row.scope_code, region_code)]
    for endpoint_id in targets:
        uow.execute(insert(webhook_deliveries).values(
            id=str(uuid.uuid4()), endpoint_id=endpoint_id, sequence=sequence, status=PENDING,
            not_before=now, updated_at=now,
        ).on_conflict_do_nothing(constraint="webhook_deliveries_once_per_change"))
    return len(targets)


def claim_due(uow, now: dt.datetime, lease_before: dt.datetime):
    """One delivery whose time has come (or one left ``sending`` longer than the lease by a
    process that died), locked for this transaction; rows another process holds are skipped."""
    d = webhook_deliveries
    return uow.execute(
        select(d, webhook_endpoints.c.url, webhook_endpoints.c.secret,
               webhook_endpoints.c.client_id)
        .join(webhook_endpoints, webhook_endpoints.c.id == d.c.endpoint_id)
        .where(webhook_endpoints.c.deleted_at.is_(None),
               or_(and_(d.c.status.in_((PENDING, FAILED)), d.c.not_before <= now),
                   and_(d.c.status == SENDING, d.c.claimed_at < lease_before)))
        .order_by(d.c.not_before, d.c.sequence).limit(1)
        .with_for_update(of=d, skip_locked=True)).mappings().first()


def update_delivery(uow, delivery_id: str, now: dt.datetime, **values: Any) -> None:
    uow.execute(update(webhook_deliveries).where(webhook_deliveries.c.id == delivery_id)
                .values(**values, updated_at=now))


def _listing():
    d = webhook_deliveries
    return (select(d.c.id.label("delivery_id"), d.c.endpoint_id.label("webhook_id"),
                   webhook_endpoints.c.client_id, webhook_endpoints.c.url, d.c.sequence,
                   d.c.status, d.c.attempts, d.c.last_error, d.c.updated_at)
            .join(webhook_endpoints, webhook_endpoints.c.id == d.c.endpoint_id))


def dead(uow, limit: int) -> list[dict[str, Any]]:
    rows = uow.execute(_listing().where(webhook_deliveries.c.status == DEAD)
                       .order_by(webhook_deliveries.c.updated_at.desc()).limit(limit)).mappings()
    return [dict(r) for r in rows]


def delivery(uow, delivery_id: str, lock: bool = False) -> dict[str, Any] | None:
    stmt = _listing().where(webhook_deliveries.c.id == delivery_id)
    if lock:
        stmt = stmt.with_for_update(of=webhook_deliveries)
    row = uow.execute(stmt).mappings().first()
    return None if row is None else dict(row)


def deliveries_of_endpoint(uow, webhook_id: str) -> list[dict[str, Any]]:
    rows = uow.execute(_listing().where(webhook_deliveries.c.endpoint_id == webhook_id)
                       .order_by(webhook_deliveries.c.sequence)).mappings()
    return [dict(r) for r in rows]
