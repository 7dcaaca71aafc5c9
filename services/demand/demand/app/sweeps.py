"""The two sweeps every demand process runs on a timer, so that no demand stays open unserved:

* no-shows: an assignment nobody checked in for by the window start plus the grace becomes
  ``no_show`` (the slot reopens while nobody has started; once the window is over with
  nobody left, the demand is cancelled with reason ``no_show``);
* expiry: a demand still ``submitted`` or ``published`` with nobody on it once its window
  has ended is cancelled with reason ``expired`` (``Demand.expiry_due``).

Demand rows are taken ``FOR UPDATE SKIP LOCKED`` and re-checked under the lock, so with
several processes each demand is marked (and announced) once."""
from __future__ import annotations

import datetime as dt
import logging

from timebank_common.db import UnitOfWorkFactory

from ..adapters import assignment_repository as arepo
from ..adapters import demand_repository as repo
from ..adapters import escalation_repository as escalations
from ..adapters import metrics
from ..contracts import ASSIGNMENT_NO_SHOW, CANCELLED, DEMAND_CANCELLED
from ..domain import payments
from ..domain.lifecycle import Demand
from . import completion, payloads
from . import payments as saga

log = logging.getLogger("timebank.demand")
NO_SHOW_BATCH = 100  # demands looked at per transaction by the no-show sweep
EXPIRY_BATCH = 100  # demands expired per transaction by the expiry sweep


def mark_no_shows(db: UnitOfWorkFactory, now: dt.datetime, grace: dt.timedelta) -> int:
    """Mark the assignments nobody checked in for by the window start plus ``grace``.
    Returns how many demands were looked at (``NO_SHOW_BATCH`` at most)."""
    with db() as uow:
        ids = arepo.no_show_candidates(uow, now - grace, NO_SHOW_BATCH)
        for demand_id in ids:
            demand = repo.get_demand(uow, demand_id, lock=True)
            if demand is None:
                continue
            for assignment in demand.no_show_due(now, grace):
                _no_show(uow, demand, assignment.volunteer_id, now, grace)
        uow.commit()
    return len(ids)


def _no_show(uow, demand: Demand, volunteer_id: str, now: dt.datetime,
             grace: dt.timedelta) -> None:
    assignment = demand.mark_no_show(volunteer_id, now, grace)
    repo.save_demand(uow, demand)
    completion.follow_evaluations(uow, demand)  # the others may be done
    saga.on_released(uow, demand, assignment, payments.RELEASE_NO_SHOW)
    uow.emit(ASSIGNMENT_NO_SHOW, {
        "demand_id": demand.id, "volunteer_id": volunteer_id,
        "elder_id": demand.elder_id, "window_start": demand.window_start,
        "region_code": demand.region_code,
        "demand_cancelled": demand.status == CANCELLED}, demand.region_code)
    if demand.status == CANCELLED:
        saga.on_cancelled(uow, demand)
        uow.emit(DEMAND_CANCELLED, payloads.cancelled(demand), demand.region_code)
    log.info("no-show: volunteer %s on demand %s", volunteer_id, demand.id)


def expire_unserved(db: UnitOfWorkFactory, now: dt.datetime) -> int:
    """Cancel, with reason ``expired``, each demand still ``submitted`` or ``published`` whose
    window has ended with nobody serving it, and announce it as ``demand_cancelled``
    (matching drops it; notify tells the elder — a phone-only elder through a call task for
    the station). Returns how many demands were looked at (``EXPIRY_BATCH`` at most)."""
    expired = 0
    with db() as uow:
        ids = arepo.expiry_candidates(uow, now, EXPIRY_BATCH)
        for demand_id in ids:
            demand = repo.get_demand(uow, demand_id, lock=True)
            if demand is None or not demand.expiry_due(now):  # changed since it was chosen
                continue
            demand.expire(now)
            repo.save_demand(uow, demand)
            escalations.close_escalation(uow, demand.id, "expired", now)
            saga.on_cancelled(uow, demand)  # nothing left to release, normally
            uow.emit(DEMAND_CANCELLED, payloads.cancelled(demand), demand.region_code)
            expired += 1
            log.info("expired: demand %s (window ended %s, nobody serving)", demand.id,
                     demand.window_end.isoformat())
        uow.commit()
    metrics.EXPIRED.inc(expired)
    return len(ids)
