"""The delivery worker: send what is due, one delivery per transaction.

A due delivery is claimed with ``FOR UPDATE SKIP LOCKED`` and marked ``sending`` in that
transaction (two notify processes never claim the same one); the provider is asked outside
any transaction, and the outcome written in a second one. A process that dies between the
two leaves the delivery ``sending``: after ``SENDING_LEASE_SECONDS`` it is made ``dead``
("interrupted") rather than sent again, because it may already have arrived — never twice;
an operator replays it if it did not. Call tasks are rows of this database and are made in
the claiming transaction itself.
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
from .domain.delivery import (
    DEAD,
    SENDING,
    SENT,
    SKIPPED,
    Contact,
    RetryPolicy,
    call_instead,
    skip_reason,
)

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
            outcome, send = prepare(uow, row, contacts, policy)
            uow.commit()  # the claim (``sending``) is durable before the provider is asked
        if send is not None:
            result = send(senders)
            with db() as uow:
                outcome = record_outcome(uow, row, result, policy)
                if outcome == DEAD and on_dead is not None:
                    on_dead(uow, row, row.attempts + 1, _error(result))
                uow.commit()
        metrics.DELIVERIES.labels(row.channel, outcome).inc()
        handled += 1
    return handled


def _error(result) -> str | None:
    return str(result)[:500] if isinstance(result, Exception) else None


def _text(message, locale: str) -> tuple[str, str]:
    if locale == "en":
        return message.title_en, message.body_en
    return message.title_zh, message.body_zh


def prepare(uow, row, contacts: Contacts, policy: RetryPolicy):
    """In the claiming transaction: settle what needs no provider (deferred, skipped, a call
    task), or mark the delivery ``sending`` and return ``(SENDING, send)`` where
    ``send(senders)`` asks the provider outside any transaction."""
    now = utcnow()
    prefs = repo.preferences_of(uow, row.person_id)
    email = prefs.email if prefs else None
    try:
        contact = contacts([row.person_id]).get(row.person_id)
    except Unavailable:  # identity away: try later, not counted as an attempt of the channel
        repo.update_delivery(uow, row.id, not_before=now + policy.backoff(1),
                             last_error="identity_unavailable")
        return "deferred", None
    reason = skip_reason(row.channel, contact, email)
    message = repo.message(uow, row.message_id)
    if reason:
        if call_instead(row.channel, contact, prefs is not None, message.kind, message.data):
            repo.add_delivery(uow, message_id=str(row.message_id), person_id=row.person_id,
                              channel="call", not_before=now, urgent=bool(row.urgent))
        repo.update_delivery(uow, row.id, status=SKIPPED, last_error=reason)
        return SKIPPED, None
    if row.channel == "call":  # a row in this database: in the same transaction, exactly once
        reference = calls.open_task(uow, row, message, contact)
        repo.update_delivery(uow, row.id, status=SENT, attempts=row.attempts + 1,
                             provider_ref=reference, sent_at=now, last_error=None)
        return SENT, None
    repo.update_delivery(uow, row.id, status=SENDING, attempts=row.attempts + 1)
    locale = (prefs.extra.get("locale") if prefs else None) or "zh-CN"
    title, body = _text(message, locale)
    mail = dict(message._mapping)

    def send(senders: Senders):
        try:
            if row.channel == "sms":
                return senders.sms.send(contact.phone, title, body, str(row.id))
            return senders.email.send(email, mail, str(row.id))
        except ChannelError as exc:
            return exc

    return SENDING, send


def record_outcome(uow, row, result, policy: RetryPolicy) -> str:
    """After the provider answered: ``sent``, or ``failed`` (retry later) / ``dead``."""
    now = utcnow()
    attempts = row.attempts + 1
    if isinstance(result, NotConfigured):
        repo.update_delivery(uow, row.id, status=SKIPPED, last_error=str(result))
        return SKIPPED
    if isinstance(result, ChannelError):
        status, next_at = (policy.after_failure(attempts, now) if result.retryable
                           else (DEAD, None))
        repo.update_delivery(uow, row.id, status=status, last_error=str(result)[:500],
                             **({"not_before": next_at} if next_at else {}))
        return status
    repo.update_delivery(uow, row.id, status=SENT, provider_ref=result, sent_at=now,
                         last_error=None)
    return SENT


INTERRUPTED = ("interrupted while sending: it may or may not have arrived, so it is not "
               "sent again by itself (replay_delivery after checking)")


def expire_interrupted(db, lease: dt.timedelta, on_dead=None) -> int:
    """Deliveries left ``sending`` by a process that died mid-send become ``dead``: sending
    again could send twice, so a person decides (``replay_delivery``)."""
    with db() as uow:
        rows = repo.interrupted_deliveries(uow, utcnow() - lease)
        for row in rows:
            repo.update_delivery(uow, row.id, status=DEAD, last_error=INTERRUPTED)
            if on_dead is not None:
                on_dead(uow, row, row.attempts, INTERRUPTED)
        uow.commit()
    for row in rows:
        metrics.DELIVERIES.labels(row.channel, "interrupted").inc()
    return len(rows)
