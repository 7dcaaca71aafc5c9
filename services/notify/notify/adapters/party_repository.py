"""Who a service record and a dispute concern, remembered from ``service_recorded`` and
``dispute_opened`` for older ``dispute_resolved`` events that do not name them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from .tables import dispute_parties, record_parties


def remember_dispute(uow, dispute_id: str, opened_by: str) -> None:
    uow.execute(insert(dispute_parties).values(dispute_id=dispute_id, opened_by=opened_by)
                .on_conflict_do_nothing())


def remember_record(uow, record_id: str, demand_id: str | None, volunteer_id: str,
                    elder_id: str | None) -> None:
    uow.execute(insert(record_parties).values(
        record_id=record_id, demand_id=demand_id, volunteer_id=volunteer_id, elder_id=elder_id,
    ).on_conflict_do_nothing())


def record_party_ids(uow, record_id: str | None) -> list[str]:
    """The volunteer and the elder of a service record notify has seen recorded."""
    if not record_id:
        return []
    row = uow.execute(select(record_parties)
                      .where(record_parties.c.record_id == record_id)).first()
    return [p for p in (row.volunteer_id, row.elder_id) if p] if row else []


def dispute_opener(uow, dispute_id: str) -> str | None:
    row = uow.execute(select(dispute_parties.c.opened_by)
                      .where(dispute_parties.c.dispute_id == dispute_id)).first()
    return row.opened_by if row else None
