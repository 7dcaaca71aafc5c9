"""Reservations for services paid from an elder's own hours or grant (the saga of
DESIGN.md §5/§6 with demand; demand's side: services/demand/demand/domain/payments.py).

* ``reservation_requested`` -> a pending ``service_credit`` transfer ``reservation:<assignment
  id>`` from the elder's personal (``own_hours``) or grant account to the volunteer's personal
  account, timing out at the request's ``expires_at``; refused (``reservation_refused``) when
  the window has passed, the elder has no such account or too few minutes.
* ``reservation_released`` -> void it (``release:<assignment id>``), and a tombstone, so a
  request handled after the release (separate queues) creates nothing.
* ``service_recorded`` naming the reservation -> ``settlement``: post it with the credited
  minutes when they fit in it (the rest lapses), else close it (void, or expire if it timed
  out) and pay the whole credit as before. Either way one ``service_record:<record id>``
  transfer carries the credit (reconciliation and dispute reversals rely on that), and a
  tombstone stops a late request.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from ..contracts.kinds import EXPIRE, PENDING, POST_PENDING, SERVICE_CREDIT, VOID_PENDING
from .transfers import TransferRequest, derived_id

RESERVATION_PREFIX = "reservation:"
WINDOW_PASSED = "window_passed"

# how a recorded service settles its reservation
POST_IT, VOID_IT, EXPIRE_IT = "post", "void", "expire"


def release_id(reservation_id: str) -> str:
    return "release:" + reservation_id.removeprefix(RESERVATION_PREFIX)


def timeout_seconds(expires_at: dt.datetime, now: dt.datetime) -> int | None:
    """Whole seconds until ``expires_at`` (None when it has passed: nothing to reserve)."""
    seconds = int((expires_at - now).total_seconds())
    return seconds if seconds >= 1 else None


def reserve(reservation_id: str, debit_account_id: str, credit_account_id: str, minutes: int,
            seconds: int, category: str | None, reference: dict[str, Any]) -> TransferRequest:
    return TransferRequest(reservation_id, PENDING, SERVICE_CREDIT, debit_account_id,
                           credit_account_id, minutes, memo=category, reference=reference,
                           timeout_seconds=seconds)


def release(reservation_id: str) -> TransferRequest:
    """The same request whoever releases (demand's release, or a settlement): a repeat is
    ``exists``."""
    return TransferRequest(release_id(reservation_id), VOID_PENDING, pending_id=reservation_id)


def expire(reservation_id: str) -> TransferRequest:
    """The request the sweep makes (same id), for a timed-out reservation met first here."""
    return TransferRequest(derived_id(EXPIRE, reservation_id), EXPIRE, pending_id=reservation_id)


def settlement(credited: int, paid: int, reserved: int, timed_out: bool) -> str:
    """``POST_IT`` when the credit alone (no excess to a pool) fits in the reservation;
    else the reservation is closed (``EXPIRE_IT`` if it timed out, ``VOID_IT``) and the whole
    amount is paid afresh by the usual payer rule."""
    if timed_out:
        return EXPIRE_IT
    if paid == credited and 0 < credited <= reserved:
        return POST_IT
    return VOID_IT


def post(reservation_id: str, credit_id: str, minutes: int, category: str | None,
         reference: dict[str, Any]) -> TransferRequest:
    return TransferRequest(credit_id, POST_PENDING, pending_id=reservation_id,
                           amount_minutes=minutes, memo=category, reference=reference)
