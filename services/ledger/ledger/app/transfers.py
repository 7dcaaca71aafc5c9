"""The internal transfer API: a batch of requests in one transaction, a reversal, and the
sweep that expires timed-out reservations (``posting.py`` does the work)."""
from __future__ import annotations

import datetime as dt

from timebank_common.clock import Clock
from timebank_common.db import UnitOfWorkFactory

from ..contracts.kinds import EXPIRED, REVERSE
from ..domain.batch import Outcome
from ..domain.transfers import TransferRequest, derived_id
from . import posting

SWEEP_BATCH = 500  # reservations expired per transaction by the timer


def create(db: UnitOfWorkFactory, requests: list[TransferRequest], now: dt.datetime
           ) -> list[Outcome]:
    """A batch in one transaction; one outcome per request, in order."""
    with db() as uow:
        outcomes = posting.create_transfers(uow, requests, now)
        uow.commit()
    return outcomes


def reverse(db: UnitOfWorkFactory, data: dict, now: dt.datetime) -> Outcome:
    """A ``reversal`` mirroring a posted transfer (partial allowed); raises the refusal.
    Without ``reversal_id`` the id is ``reversal:<transfer_id>`` (one full or partial
    reversal; give distinct ids for several partial ones)."""
    request = TransferRequest(
        data["reversal_id"] or derived_id("reversal", data["transfer_id"]), REVERSE,
        amount_minutes=data["amount_minutes"], reverses_id=data["transfer_id"],
        reason=data["reason"], approver=data["approver"])
    with db() as uow:
        [outcome] = posting.create_transfers(uow, [request], now)
        outcome.raise_failure()
        uow.commit()
    return outcome


def expire_pending(db: UnitOfWorkFactory, limit: int, now: dt.datetime) -> int:
    """Void up to ``limit`` reservations whose timeout passed; how many were expired."""
    with db() as uow:
        outcomes = posting.expire_reservations(uow, limit, now)
        uow.commit()
    return sum(1 for o in outcomes if o.status == EXPIRED)


def sweep(db: UnitOfWorkFactory, clock: Clock) -> None:
    """Every timed-out reservation, ``SWEEP_BATCH`` per transaction. Every process runs it;
    two sweepers expiring the same reservation agree on the expiry's transfer id, so the
    second gets ``exists``."""
    while expire_pending(db, SWEEP_BATCH, clock.now()) >= SWEEP_BATCH:
        pass
