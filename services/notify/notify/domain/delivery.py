"""Delivery of one message on one outbound channel: statuses, retries and dead letters.

``pending`` (waiting for its time) → ``sending`` (the provider is being asked) → ``sent``; a failure leaves it ``failed`` with the next
attempt after an exponential backoff (base × 2^(attempts−1), capped); after ``max_attempts``
failures it is ``dead`` (kept, shown to operators, never retried by itself). A delivery that
cannot be made at all (no phone number, not a phone-only elder for a call) is ``skipped``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from timebank_common.signed_http import backoff

from ..contracts import DELIVERY_STATUSES
from .call_tasks import worth_a_call

PENDING, SENDING, SENT, FAILED, DEAD, SKIPPED = DELIVERY_STATUSES
DUE = (PENDING, FAILED)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base_seconds: float = 30.0
    cap_seconds: float = 3600.0

    def backoff(self, attempts: int) -> dt.timedelta:
        """The pause after the ``attempts``-th failed attempt (1 → base, 2 → 2×base, …)."""
        return backoff(attempts, self.base_seconds, self.cap_seconds)

    def after_failure(self, attempts: int, now: dt.datetime) -> tuple[str, dt.datetime | None]:
        """(status, next attempt) once ``attempts`` attempts have failed."""
        if attempts >= self.max_attempts:
            return DEAD, None
        return FAILED, now + self.backoff(attempts)


@dataclass(frozen=True)
class Contact:
    """What identity tells about a recipient (never stored by notify)."""

    person_id: str
    name: str
    phone: str | None = None
    phone_only: bool = False
    carrier_id: str | None = None
    region_code: str | None = None
    is_elder: bool = False


def skip_reason(channel: str, contact: Contact | None, email: str | None) -> str | None:
    """Why this channel cannot reach this person, or None when it can.

    A phone-only elder (no smartphone, often a landline) is called by their station instead
    of getting SMS; a call task is only for phone-only elders who have a station.
    """
    if contact is None:
        return "unknown_person"
    if channel == "sms":
        if contact.phone_only:
            return "phone_only_called_instead"
        return None if contact.phone else "no_phone"
    if channel == "email":
        return None if email else "no_email"
    if channel == "call":
        if not contact.phone_only:
            return "not_phone_only"
        return None if contact.carrier_id else "no_station"
    return "unknown_channel"


def call_instead(channel: str, contact: Contact | None, preferences_saved: bool, kind: str,
                 data: Mapping[str, Any] | None) -> bool:
    """Whether an SMS that cannot reach a phone-only elder becomes a call task instead.

    An elder who never set preferences is called (elders' defaults are SMS and calls),
    whatever role a message addressed them in — the relative who received a gift, a party to
    a dispute — not only when it was addressed to them as the elder of a service. Someone
    who chose their channels gets what they chose.
    """
    return (channel == "sms" and not preferences_saved and contact is not None
            and contact.is_elder and contact.phone_only and bool(contact.carrier_id)
            and worth_a_call(kind, data or {}))
