"""SQL of the volunteer read model: who is eligible, where they belong, which qualification
kinds they hold (from identity's events)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from .change_log import note_volunteers
from .tables import volunteers


def note_volunteer(uow: UnitOfWork, person_id: str, region_code: str, eligible: bool,
                   qualifications: list[str] | None, as_of: dt.datetime) -> None:
    """Apply an eligibility event unless a later one was applied already."""
    values: dict[str, Any] = {"region_code": region_code, "eligible": eligible, "as_of": as_of}
    if qualifications is not None:
        values["qualifications"] = sorted(set(qualifications))
    stmt = insert(volunteers).values(person_id=person_id, qualifications=values.pop(
        "qualifications", []), **values)
    set_ = dict(values)
    if qualifications is not None:
        set_["qualifications"] = stmt.excluded.qualifications
    uow.execute(stmt.on_conflict_do_update(index_elements=[volunteers.c.person_id], set_=set_,
                                           where=volunteers.c.as_of <= as_of))
    note_volunteers(uow, [person_id])


def change_qualification(uow: UnitOfWork, person_id: str, kind: str, held: bool) -> None:
    row = uow.execute(select(volunteers.c.qualifications).where(
        volunteers.c.person_id == person_id).with_for_update()).first()
    if row is None:
        return  # not (yet) eligible: the kinds come with volunteer_eligible
    kinds = set(row.qualifications)
    kinds = kinds | {kind} if held else kinds - {kind}
    uow.execute(update(volunteers).where(volunteers.c.person_id == person_id)
                .values(qualifications=sorted(kinds)))
    note_volunteers(uow, [person_id])


def region_of(uow: UnitOfWork, person_id: str) -> str | None:
    """Where a volunteer the read model knows belongs (None: not known here)."""
    region: str | None = uow.execute(select(volunteers.c.region_code).where(
        volunteers.c.person_id == person_id)).scalar()
    return region
