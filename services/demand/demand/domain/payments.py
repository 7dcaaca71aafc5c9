"""Paying for a service safely: the reservation saga's rules on demand's side (no I/O).

When a demand is paid from the elder's own hours or grant, each assignment reserves the
expected minutes in the ledger (a two-phase pending transfer ``reservation:<assignment
id>``). The saga runs on events through the outbox and the inbox, so no step is lost or
doubled when a process dies:

* assignment  -> ``reservation_requested``  (ledger: pending transfer, or refused)
* ledger      -> ``reservation_made`` / ``reservation_refused`` (shown on the assignment)
* withdrawal, no-show, cancellation -> ``reservation_released`` (ledger: void, and a
  tombstone so a request handled later creates nothing)
* recording   -> ``service_recorded`` carries ``reservation_id`` (ledger: post the
  reservation with the credited minutes, pay any remainder as before, let the rest lapse)
* the reservation times out at the window end plus a margin, so even a lost release
  cannot hold an elder's hours for ever.

An assignment's ``reservation_status``: None (nothing to reserve), ``requested``,
``reserved``, ``refused`` (the ledger said why; the service still happens and the
ledger's fallback pays from issuance), ``released`` or ``settled`` (recorded: the ledger
posts it).
"""
from __future__ import annotations

import datetime as dt

ELDER_FUNDED = frozenset({"own_hours", "grant"})

REQUESTED, RESERVED, REFUSED, RELEASED, SETTLED = (
    "requested", "reserved", "refused", "released", "settled")
OPEN = frozenset({REQUESTED, RESERVED, REFUSED})  # may still hold hours in the ledger
DEFAULT_MARGIN_SECONDS = 24 * 3600

RELEASE_WITHDRAWN, RELEASE_NO_SHOW, RELEASE_CANCELLED = "withdrawn", "no_show", "cancelled"
RELEASE_REJECTED, RELEASE_VOIDED = "record_rejected", "record_voided"  # no hours for the record


def needs_reservation(funding_source: str | None) -> bool:
    return funding_source in ELDER_FUNDED


def reservation_id(assignment_id: str) -> str:
    return f"reservation:{assignment_id}"


def expires_at(window_end: dt.datetime, margin_seconds: float) -> dt.datetime:
    """A reservation lapses at the window end plus the margin (time to check out and record)."""
    return window_end + dt.timedelta(seconds=margin_seconds)


def must_release(reservation_status: str | None) -> bool:
    """Whether ending this assignment must tell the ledger to release its reservation.
    ``refused`` too: the tombstone makes sure a delayed retry can never reserve."""
    return reservation_status in OPEN


def after_reply(reservation_status: str | None, reply: str) -> str | None:
    """The assignment's reservation status once the ledger's reply (``reserved`` or
    ``refused``) arrives. A reply never reopens a released or settled reservation: those
    are later steps that may overtake the reply (separate queues)."""
    if reservation_status == REQUESTED:
        return reply
    return reservation_status
