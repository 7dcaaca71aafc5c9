"""The delivery worker: send what is due.

Due deliveries are claimed (up to ``CLAIM_BATCH`` at once, ``FOR UPDATE SKIP LOCKED``) and
marked ``sending`` in that transaction, with one question to identity for all their
recipients (two notify processes never claim the same one); each provider is asked outside
any transaction, and each outcome written in a transaction of its own. A process that dies
between the two leaves the delivery ``sending``: after ``SENDING_LEASE_SECONDS`` it is made ``dead``
("interrupted") rather than sent again, because it may already have arrived — never twice;
an operator replays it if it did not. Call tasks are rows of this database and are made in
the claiming transaction itself.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import eventlet

from timebank_common.clock import Clock
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import Unavailable

from ..adapters import delivery_repository as deliveries
from ..adapters import message_repository, metrics
from ..adapters import preference_repository as preferences
from ..adapters.channels import ChannelError, NotConfigured
from ..contracts import NOTIFICATION_FAILED
from ..domain.delivery import (
    DEAD,
    SENDING,
    SENT,
    SKIPPED,
    Contact,
    RetryPolicy,
    call_instead,
    skip_reason,
)
from ..domain.preferences import Preferences
from .call_tasks import open_task

Contacts = Callable[[Iterable[str]], dict[str, Contact]]
"""identity's contact details of some persons (``adapters.identity.Identity.contacts``)."""


@dataclass
class Senders:
    """The providers: ``sms.send(phone, title, text, reference)`` and
    ``email.send(address, message, reference)`` (``adapters.channels``)."""

    sms: Any
    email: Any


CLAIM_BATCH = 20
"""Deliveries claimed in one transaction, with one question to identity for all their
recipients' contacts: at most this many are left ``sending`` when a process dies between the
claim and the provider's answers (each then made ``dead``, never sent twice)."""


def deliver_due(db: UnitOfWorkFactory, contacts: Contacts, senders: Senders,
                policy: RetryPolicy, clock: Clock, limit: int = 50, concurrency: int = 1) -> int:
    """Send up to ``limit`` due deliveries: claimed ``CLAIM_BATCH`` at a time, the providers
    asked by ``concurrency`` senders at once; the number handled."""
    pool = eventlet.GreenPool(max(concurrency, 1))
    handled = 0
    while handled < limit:
        claimed = _claim(db, contacts, policy, clock, min(CLAIM_BATCH, limit - handled))
        if not claimed:
            break
        sends = []
        for row, outcome, send in claimed:
            if send is None:
                metrics.DELIVERIES.labels(row.channel, outcome).inc()
            else:
                sends.append(pool.spawn(_send, db, row, send, senders, policy, clock))
        for sent in sends:
            sent.wait()
        handled += len(claimed)
    return handled


def _claim(db: UnitOfWorkFactory, contacts: Contacts, policy: RetryPolicy, clock: Clock,
           limit: int) -> list[tuple[Any, str, Callable[[Senders], object] | None]]:
    """Claim due deliveries and settle or mark ``sending`` each, in one transaction that is
    durable before any provider is asked: ``[(row, outcome, send or None)]``."""
    with db() as uow:
        now = clock.now()
        rows = deliveries.claim_due_deliveries(uow, now, limit)
        if not rows:
            return []
        try:
            known = contacts(sorted({row.person_id for row in rows}))
        except Unavailable:  # identity away: try later, not counted as an attempt
            for row in rows:
                deliveries.update_delivery(uow, row.id, now, not_before=now + policy.backoff(1),
                                           last_error="identity_unavailable")
            uow.commit()
            return [(row, "deferred", None) for row in rows]
        prefs = preferences.preferences_of_many(uow, {row.person_id for row in rows})
        claimed = [(row, *prepare(uow, row, known.get(row.person_id),
                                  prefs.get(row.person_id), now)) for row in rows]
        uow.commit()  # the claims (``sending``) are durable before the providers are asked
    return claimed


def _send(db: UnitOfWorkFactory, row: Any, send: Callable[[Senders], object], senders: Senders,
          policy: RetryPolicy, clock: Clock) -> None:
    """Ask the provider (outside any transaction), then write what it answered."""
    result = send(senders)
    with db() as uow:
        outcome = record_outcome(uow, row, result, policy, clock.now())
        if outcome == DEAD:
            announce_dead(uow, row, row.attempts + 1, _error(result))
        uow.commit()
    metrics.DELIVERIES.labels(row.channel, outcome).inc()


def _error(result: object) -> str | None:
    return str(result)[:500] if isinstance(result, Exception) else None


def _text(message: Any, locale: str) -> tuple[str, str]:
    if locale == "en":
        return message.title_en, message.body_en
    return message.title_zh, message.body_zh


def prepare(uow: Any, row: Any, contact: Contact | None, prefs: Preferences | None,
            now: dt.datetime) -> tuple[str, Callable[[Senders], object] | None]:
    """In the claiming transaction, with the recipient's contact details from identity (None:
    identity does not know them) and preferences (None: never set): settle what needs no
    provider (skipped, a call task), or mark the delivery ``sending`` and return
    ``(SENDING, send)`` where ``send(senders)`` asks the provider outside any transaction."""
    email = prefs.email if prefs else None
    reason = skip_reason(row.channel, contact, email)
    message = message_repository.message(uow, row.message_id)
    if reason:
        if call_instead(row.channel, contact, prefs is not None, message.kind, message.data):
            deliveries.add_delivery(uow, message_id=str(row.message_id),
                                    person_id=row.person_id, channel="call", not_before=now,
                                    urgent=bool(row.urgent))
        deliveries.update_delivery(uow, row.id, now, status=SKIPPED, last_error=reason)
        return SKIPPED, None
    assert contact is not None  # a known person, or skipped above
    if row.channel == "call":  # a row in this database: in the same transaction, exactly once
        reference = open_task(uow, row, message, contact)
        deliveries.update_delivery(uow, row.id, now, status=SENT, attempts=row.attempts + 1,
                                   provider_ref=reference, sent_at=now, last_error=None)
        return SENT, None
    deliveries.update_delivery(uow, row.id, now, status=SENDING, attempts=row.attempts + 1)
    locale = (prefs.extra.get("locale") if prefs else None) or "zh-CN"
    title, body = _text(message, locale)
    mail = dict(message._mapping)
    phone = contact.phone

    def send(senders: Senders) -> object:
        try:
            if row.channel == "sms":
                return senders.sms.send(phone, title, body, str(row.id))
            return senders.email.send(email, mail, str(row.id))
        except ChannelError as exc:
            return exc

    return SENDING, send


def record_outcome(uow: Any, row: Any, result: object, policy: RetryPolicy,
                   now: dt.datetime) -> str:
    """After the provider answered: ``sent``, or ``failed`` (retry later) / ``dead``."""
    attempts = row.attempts + 1
    if isinstance(result, NotConfigured):
        deliveries.update_delivery(uow, row.id, now, status=SKIPPED, last_error=str(result))
        return SKIPPED
    if isinstance(result, ChannelError):
        status, next_at = (policy.after_failure(attempts, now) if result.retryable
                           else (DEAD, None))
        deliveries.update_delivery(uow, row.id, now, status=status,
                                   last_error=str(result)[:500],
                                   **({"not_before": next_at} if next_at else {}))
        return status
    deliveries.update_delivery(uow, row.id, now, status=SENT, provider_ref=result, sent_at=now,
                               last_error=None)
    return SENT


def announce_dead(uow: Any, row: Any, attempts: int, last_error: str | None) -> None:
    """``notification_failed``: operators may follow up a delivery that gave up."""
    message = message_repository.message(uow, row.message_id)
    uow.emit(NOTIFICATION_FAILED, {
        "delivery_id": str(row.id), "message_id": str(row.message_id),
        "person_id": row.person_id, "channel": row.channel, "kind": message.kind,
        "attempts": attempts, "last_error": last_error}, None)


INTERRUPTED = ("interrupted while sending: it may or may not have arrived, so it is not "
               "sent again by itself (replay_delivery after checking)")


def expire_interrupted(db: UnitOfWorkFactory, lease: dt.timedelta, clock: Clock) -> int:
    """Deliveries left ``sending`` by a process that died mid-send become ``dead``: sending
    again could send twice, so a person decides (``replay_delivery``)."""
    now = clock.now()
    with db() as uow:
        rows = deliveries.interrupted_deliveries(uow, now - lease)
        for row in rows:
            deliveries.update_delivery(uow, row.id, now, status=DEAD, last_error=INTERRUPTED)
            announce_dead(uow, row, row.attempts, INTERRUPTED)
        uow.commit()
    for row in rows:
        metrics.DELIVERIES.labels(row.channel, "interrupted").inc()
    return len(rows)
