"""The certificates repository: issued certificates (table ``certificates``, the signed
content as stored), in the caller's unit of work."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from .tables import certificates


def insert_certificate(uow, *, number: str, person_id: str, region_code: str, content: dict,
                       signature: str, key_id: str, issued_by: str | None) -> dict | None:
    """The stored row, or None when the number is taken already (draw another)."""
    row = uow.execute(
        insert(certificates)
        .values(number=number, person_id=person_id, region_code=region_code, content=content,
                signature=signature, key_id=key_id, issued_by=issued_by)
        .on_conflict_do_nothing(index_elements=[certificates.c.number])
        .returning(*certificates.c)
    ).mappings().first()
    return dict(row) if row else None


def get_certificate(uow, number: str) -> dict | None:
    row = uow.execute(
        select(certificates).where(certificates.c.number == number)).mappings().first()
    return dict(row) if row else None
