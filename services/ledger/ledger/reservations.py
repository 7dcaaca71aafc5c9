"""The ledger's side of the reservation saga (rules: ``domain/reservations.py``): reserve on
demand's ``reservation_requested``, release on ``reservation_released``, and the tombstones
and reads ``service_credits.py`` uses when a recorded service names its reservation.

Every step about one reservation first takes a transaction advisory lock on its id (several
at once: in id order), then the accounts (``posting.py``): a request, a release and a
settlement of the same reservation never interleave, whatever the delivery order.
"""
from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from timebank_common.schemas import load

from . import posting, schemas
from . import repository as repo
from .domain import funding, reservations
from .domain.kinds import GRANT, PERSONAL
from .domain.transfers import EXISTS, FAILED, PHASE_PENDING, Transfer
from .tables import reservation_closures, transfers

log = logging.getLogger("timebank.ledger")
REQUESTED_CONSUMER = "ledger.reservation_requested"
RELEASED_CONSUMER = "ledger.reservation_released"
_SOURCE_KIND = {funding.OWN_HOURS: PERSONAL, funding.GRANT_SOURCE: GRANT}
_MADE, _REFUSED = schemas.ReservationMadeEvent(), schemas.ReservationRefusedEvent()


def lock(uow, reservation_ids) -> None:
    for reservation_id in sorted(set(reservation_ids)):
        uow.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                    {"k": f"reservation:{reservation_id}"})


def close(uow, reservation_ids, reason: str) -> None:
    """Tombstones (kept once: the first reason stays)."""
    rows = [{"reservation_id": r, "reason": reason} for r in sorted(set(reservation_ids))]
    if rows:
        uow.execute(insert(reservation_closures).values(rows).on_conflict_do_nothing())


def closed(uow, reservation_id: str) -> bool:
    return uow.execute(select(reservation_closures.c.reservation_id).where(
        reservation_closures.c.reservation_id == reservation_id)).first() is not None


def open_reservations(uow, reservation_ids) -> dict[str, Transfer]:
    """The pending transfers among these ids that nothing has closed yet (timed out or not)."""
    ids = sorted(set(reservation_ids))
    if not ids:
        return {}
    closing = transfers.alias("closing")
    rows = uow.execute(
        select(transfers).where(
            transfers.c.id.in_(ids), transfers.c.phase == PHASE_PENDING,
            ~select(closing.c.id).where(closing.c.pending_id == transfers.c.id).exists())).all()
    return {r.id: repo.transfer_from_row(r) for r in rows}


def settle_before_credit(uow, reservation_ids) -> dict[str, Transfer]:
    """For a batch of recorded services: lock the reservations they name, leave tombstones
    (a request still on its way creates nothing) and return those still open."""
    ids = [r for r in reservation_ids if r]
    if not ids:
        return {}
    lock(uow, ids)
    close(uow, ids, "recorded")
    return open_reservations(uow, ids)


def on_requested(uow, event: dict, now: dt.datetime) -> None:
    request = load(schemas.ReservationRequestedPayload(), event.get("payload"))
    reservation_id = request["reservation_id"]
    lock(uow, [reservation_id])
    if closed(uow, reservation_id):
        log.info("reservation %s: released or settled before its request; nothing reserved",
                 reservation_id)
        return
    region = event.get("region_code") or request["region_code"]

    def refuse(reason: str, details=None) -> None:
        uow.emit("reservation_refused", _REFUSED.dump({
            **_reply(request), "reason": reason, "details": details}), region)

    seconds = reservations.timeout_seconds(request["expires_at"], now)
    if seconds is None:
        return refuse(reservations.WINDOW_PASSED)
    kind = _SOURCE_KIND.get(request["funding_source"])
    source = None if kind is None else repo.find_accounts(
        uow, [(kind, request["elder_id"])]).get((kind, request["elder_id"]))
    if source is None:
        return refuse(funding.NO_ACCOUNT)
    personal = repo.open_accounts(uow, [(
        PERSONAL, request["volunteer_region_code"] or region, request["volunteer_id"])])
    [outcome] = posting.create_transfers(uow, [reservations.reserve(
        reservation_id, source.id, personal[(PERSONAL, request["volunteer_id"])].id,
        request["minutes"], seconds, request["category"],
        {"demand_id": request["demand_id"], "assignment_id": request["assignment_id"],
         "funding_source": request["funding_source"]})], now)
    if outcome.status == FAILED:
        return refuse(outcome.error.code, outcome.error.details)
    uow.emit("reservation_made", _MADE.dump({
        **_reply(request), "minutes": outcome.transfer.amount_minutes,
        "expires_at": outcome.transfer.expires_at, "repeated": outcome.status == EXISTS}),
        region)


def on_released(uow, event: dict, now: dt.datetime) -> None:
    release = load(schemas.ReservationReleasedPayload(), event.get("payload"))
    reservation_id = release["reservation_id"]
    lock(uow, [reservation_id])
    close(uow, [reservation_id], release["reason"])
    if reservation_id not in open_reservations(uow, [reservation_id]):
        return  # never made, or closed already (posted, voided, expired)
    [outcome] = posting.create_transfers(uow, [reservations.release(reservation_id)], now)
    if outcome.status == FAILED:  # e.g. it timed out meanwhile: the sweep closes it
        log.info("reservation %s not voided: %s", reservation_id, outcome.code)


def _reply(request: dict) -> dict:
    return {"assignment_id": request["assignment_id"], "demand_id": request["demand_id"],
            "reservation_id": request["reservation_id"]}
