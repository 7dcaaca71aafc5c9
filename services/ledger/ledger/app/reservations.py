"""The ledger's side of the reservation saga (rules: ``domain/reservations.py``): reserve on
demand's ``reservation_requested``, release on ``reservation_released``, and the tombstones
and reads ``crediting.py`` uses when a recorded service names its reservation. Each runs in
the event handler's transaction; the entrypoint loads the payload.

Every step about one reservation first takes a transaction advisory lock on its id (several
at once: in id order), then the accounts (``posting.py``): a request, a release and a
settlement of the same reservation never interleave, whatever the delivery order.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace

from ..adapters import accounts as repo
from ..adapters import reservations as stored
from ..contracts.events import RESERVATION_MADE, RESERVATION_REFUSED
from ..contracts.kinds import EXISTS, FAILED, GRANT, GRANT_SOURCE, OWN_HOURS, PERSONAL
from ..domain import funding, reservations
from ..domain.transfers import Transfer
from . import posting

log = logging.getLogger("timebank.ledger")
_SOURCE_KIND = {OWN_HOURS: PERSONAL, GRANT_SOURCE: GRANT}


def settle_before_credit(uow, reservation_ids) -> dict[str, Transfer]:
    """For a batch of recorded services: lock the reservations they name, leave tombstones
    (a request still on its way creates nothing) and return those still open."""
    ids = [r for r in reservation_ids if r]
    if not ids:
        return {}
    stored.lock(uow, ids)
    stored.close(uow, ids, "recorded")
    return stored.open_reservations(uow, ids)


def on_requested(uow, event: dict, now: dt.datetime) -> None:
    """Reserve the expected minutes from the elder's own hours or grant; answer
    ``reservation_made`` or ``reservation_refused``."""
    request = event["payload"]
    reservation_id = request["reservation_id"]
    stored.lock(uow, [reservation_id])
    if stored.closed(uow, reservation_id):
        log.info("reservation %s: released or settled before its request; nothing reserved",
                 reservation_id)
        return
    region = event.get("region_code") or request["region_code"]

    def refuse(reason: str, details=None) -> None:
        uow.emit(RESERVATION_REFUSED, {**_reply(request), "reason": reason, "details": details},
                 region)

    seconds = reservations.timeout_seconds(request["expires_at"], now)
    if seconds is None:
        return refuse(reservations.WINDOW_PASSED)
    kind = _SOURCE_KIND.get(request["funding_source"])
    source = None if kind is None else repo.find_accounts(
        uow, [(kind, request["elder_id"])]).get((kind, request["elder_id"]))
    if source is None:
        return refuse(funding.NO_ACCOUNT)
    if source.frozen:
        return refuse(funding.FROZEN)
    personal = repo.open_accounts(uow, [(
        PERSONAL, request["volunteer_region_code"] or region, request["volunteer_id"])])
    [outcome] = posting.create_transfers(uow, [replace(reservations.reserve(
        reservation_id, source.id, personal[(PERSONAL, request["volunteer_id"])].id,
        request["minutes"], seconds, request["category"],
        {"demand_id": request["demand_id"], "assignment_id": request["assignment_id"],
         "funding_source": request["funding_source"]}),
        region_code=region)], now)  # where the service happens: the demand's region
    if outcome.error is not None:  # failed
        return refuse(outcome.error.code, outcome.error.details)
    uow.emit(RESERVATION_MADE, {
        **_reply(request), "minutes": outcome.stored.amount_minutes,
        "expires_at": outcome.stored.expires_at, "repeated": outcome.status == EXISTS},
        region)


def on_released(uow, event: dict, now: dt.datetime) -> None:
    """Void the reservation of a withdrawn, no-show or cancelled assignment (and leave a
    tombstone, so a request handled later reserves nothing)."""
    release = event["payload"]
    reservation_id = release["reservation_id"]
    stored.lock(uow, [reservation_id])
    stored.close(uow, [reservation_id], release["reason"])
    if reservation_id not in stored.open_reservations(uow, [reservation_id]):
        return  # never made, or closed already (posted, voided, expired)
    [outcome] = posting.create_transfers(uow, [reservations.release(reservation_id)], now)
    if outcome.status == FAILED:  # e.g. it timed out meanwhile: the sweep closes it
        log.info("reservation %s not voided: %s", reservation_id, outcome.code)


def _reply(request: dict) -> dict:
    return {"assignment_id": request["assignment_id"], "demand_id": request["demand_id"],
            "reservation_id": request["reservation_id"]}
