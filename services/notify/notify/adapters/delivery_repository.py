"""Deliveries: one per message and outbound channel, with its status and attempts.

Times that the worker compares (``not_before``, ``updated_at``) are written from the
service's clock, never the database's, so a clock set by configuration or a test governs
when a delivery is due and when one left ``sending`` is given up.
"""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from ..domain.delivery import DEAD, DUE, PENDING, SENDING
from .tables import deliveries, messages


def add_delivery(uow, *, message_id: str, person_id: str, channel: str,
                 not_before: dt.datetime, urgent: bool) -> None:
    uow.execute(insert(deliveries).values(
        id=str(uuid.uuid4()), message_id=message_id, person_id=person_id, channel=channel,
        not_before=not_before, urgent=urgent,
    ).on_conflict_do_nothing(constraint="deliveries_once_per_channel"))


def claim_due_deliveries(uow, now: dt.datetime, limit: int) -> list:
    """Up to ``limit`` deliveries whose time has come, urgent and oldest first, locked for
    this transaction; rows another process holds are skipped (two notify processes never
    send the same delivery)."""
    return uow.execute(
        select(deliveries).where(deliveries.c.status.in_(DUE), deliveries.c.not_before <= now)
        .order_by(deliveries.c.urgent.desc(), deliveries.c.not_before)
        .limit(limit).with_for_update(skip_locked=True)).all()


def interrupted_deliveries(uow, before: dt.datetime) -> list:
    return uow.execute(
        select(deliveries).where(deliveries.c.status == SENDING,
                                 deliveries.c.updated_at < before)
        .with_for_update(skip_locked=True)).all()


def update_delivery(uow, delivery_id: str, now: dt.datetime, **values: Any) -> None:
    uow.execute(update(deliveries).where(deliveries.c.id == delivery_id)
                .values(**values, updated_at=now))


def deliveries_of(uow, message_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """message id → [{channel, status, attempts, sent_at}] for a page of messages."""
    if not message_ids:
        return {}
    rows = uow.execute(
        select(deliveries.c.message_id, deliveries.c.channel, deliveries.c.status,
               deliveries.c.attempts, deliveries.c.sent_at)
        .where(deliveries.c.message_id.in_(message_ids)).order_by(deliveries.c.channel)).all()
    found: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        found.setdefault(str(r.message_id), []).append(
            {"channel": r.channel, "status": r.status, "attempts": r.attempts,
             "sent_at": r.sent_at})
    return found


def dead_deliveries(uow, limit: int):
    return uow.execute(
        select(deliveries.c.id, deliveries.c.message_id, deliveries.c.person_id,
               deliveries.c.channel, deliveries.c.attempts, deliveries.c.last_error,
               deliveries.c.updated_at, messages.c.kind)
        .join(messages, messages.c.id == deliveries.c.message_id)
        .where(deliveries.c.status == DEAD)
        .order_by(deliveries.c.updated_at.desc()).limit(limit)).all()


def replay_delivery(uow, delivery_id: str, now: dt.datetime) -> bool:
    """A dead delivery back to ``pending`` with a fresh count of attempts."""
    row = uow.execute(
        update(deliveries).where(deliveries.c.id == delivery_id, deliveries.c.status == DEAD)
        .values(status=PENDING, attempts=0, not_before=now, updated_at=now)
        .returning(deliveries.c.id)).first()
    return row is not None
