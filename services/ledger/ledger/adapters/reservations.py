"""Service reservations (the saga with demand): the advisory lock on a reservation id, the
tombstones (``reservation_closures``) and the reservations still open. In the caller's unit
of work; every step about one reservation takes its lock first (several: in id order)."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select, text
from sqlalchemy.dialects.postgresql import insert

from ..contracts.kinds import PHASE_PENDING
from ..domain.transfers import Transfer
from .tables import reservation_closures, transfers
from .transfers import transfer_from_row


def lock(uow, reservation_ids: Iterable[str]) -> None:
    for reservation_id in sorted(set(reservation_ids)):
        uow.execute(text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                    {"k": f"reservation:{reservation_id}"})


def close(uow, reservation_ids: Iterable[str], reason: str) -> None:
    """Tombstones (kept once: the first reason stays)."""
    rows = [{"reservation_id": r, "reason": reason} for r in sorted(set(reservation_ids))]
    if rows:
        uow.execute(insert(reservation_closures).values(rows).on_conflict_do_nothing())


def closed(uow, reservation_id: str) -> bool:
    return uow.execute(select(reservation_closures.c.reservation_id).where(
        reservation_closures.c.reservation_id == reservation_id)).first() is not None


def open_reservations(uow, reservation_ids: Iterable[str]) -> dict[str, Transfer]:
    """The pending transfers among these ids that nothing has closed yet (timed out or not)."""
    ids = sorted(set(reservation_ids))
    if not ids:
        return {}
    closing = transfers.alias("closing")
    rows = uow.execute(
        select(transfers).where(
            transfers.c.id.in_(ids), transfers.c.phase == PHASE_PENDING,
            ~select(closing.c.id).where(closing.c.pending_id == transfers.c.id).exists())).all()
    return {r.id: transfer_from_row(r) for r in rows}
