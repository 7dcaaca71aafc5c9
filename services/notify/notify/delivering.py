"""The delivery worker: send what is due, one delivery per transaction.

A delivery is claimed with ``FOR UPDATE SKIP LOCKED`` and stays locked while it is sent and
its outcome written, so two notify processes never send the same delivery; the status moves
to ``sent`` in the same transaction. (A process killed after the provider accepted and before
the commit sends that one delivery again on retry — the provider gets the delivery id as
``SessionContext`` / ``X-Timebank-Delivery`` to recognise it.)
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import eventlet

from timebank_common.errors import Unavailable

from . import calls, metrics
from . import repository as repo
from .channels import ChannelError, NotConfigured
from .domain.delivery import DEAD, SENT, SKIPPED, Contact, RetryPolicy, skip_reason

Contacts = Callable[[list[str]], dict[str, Contact]]


@dataclass
class Senders:
    sms: object
    email: object


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def deliver_due(db, contacts: Contacts, senders: Senders, policy: RetryPolicy,
                limit: int = 50, on_dead=None, concurrency: int = 1) -> int:
    """Send up to ``limit`` due deliveries with ``concurrency`` senders at once (each claims
    its own row); the number handled."""
    if concurrency > 1:
        pool = eventlet.GreenPool(concurrency)
        share = max(limit // concurrency, 1)
        runs = [pool.spawn(_drain, db, contacts, senders, policy, share, on_dead)
                for _ in range(concurrency)]
        return sum(run.wait() for run in runs)
    return _drain(db, contacts, senders, policy, limit, on_dead)


def _drain(db, contacts: Contacts, senders: Senders, policy: RetryPolicy, limit: int,
           on_dead) -> int:
    handled = 0
    while handled < limit:
        with db() as uow:
            row = repo.claim_due_delivery(uow, utcnow())
            if row is None:
                return handled
            outcome = deliver_one(uow, row, contacts, senders, policy)
            if outcome == DEAD and on_dead is not None:
                on_dead(uow, row)
            uow.commit()
        metrics.DELIVERIES.labels(row.channel, outcome).inc()
        handled += 1
    return handled


def _text(message, locale: str) -> tuple[str, str]:
    if locale == "en":
        return message.title_en, message.body_en
    return message.title_zh, message.body_zh


def deliver_one(uow, row, contacts: Contacts, senders: Senders, policy: RetryPolicy) -> str:
    now = utcnow()
    prefs = repo.preferences_of(uow, row.person_id)
    email = prefs.email if prefs else None
    try:
        contact = contacts([row.person_id]).get(row.person_id)
    except Unavailable:  # identity away: try later, not counted as an attempt of the channel
        repo.update_delivery(uow, row.id, not_before=now + policy.backoff(1),
                             last_error="identity_unavailable")
        return "deferred"
    reason = skip_reason(row.channel, contact, email)
    if reason:
        repo.update_delivery(uow, row.id, status=SKIPPED, last_error=reason)
        return SKIPPED
    message = repo.message(uow, row.message_id)
    locale = (prefs.extra.get("locale") if prefs else None) or "zh-CN"
    title, body = _text(message, locale)
    try:
        if row.channel == "sms":
            reference = senders.sms.send(contact.phone, title, body, str(row.id))
        elif row.channel == "email":
            reference = senders.email.send(email, message._mapping, str(row.id))
        else:
            reference = calls.open_task(uow, row, message, contact)
    except NotConfigured as exc:
        repo.update_delivery(uow, row.id, status=SKIPPED, last_error=str(exc))
        return SKIPPED
    except ChannelError as exc:
        attempts = row.attempts + 1
        status, next_at = (policy.after_failure(attempts, now) if exc.retryable
                           else (DEAD, None))
        repo.update_delivery(uow, row.id, status=status, attempts=attempts,
                             last_error=str(exc)[:500],
                             **({"not_before": next_at} if next_at else {}))
        return status
    repo.update_delivery(uow, row.id, status=SENT, attempts=row.attempts + 1,
                         provider_ref=reference, sent_at=now, last_error=None)
    return SENT
