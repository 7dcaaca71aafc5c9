"""SQL of the volunteer read model: who is eligible, whether they are active, where they
belong, which qualification kinds they hold (from identity's events). Each fact keeps the
time of the event that set it, so an event heard late never undoes a later one."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork

from .change_log import note_volunteers
from .tables import volunteer_preferences, volunteers

NEVER = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
"""The eligibility time of a row first made by a standing event: any eligibility event wins."""


def note_volunteer(uow: UnitOfWork, person_id: str, region_code: str, eligible: bool,
                   qualifications: list[str] | None, as_of: dt.datetime) -> None:
    """Apply an eligibility event unless a later one was applied already (its region only
    unless a later move or eligibility event set the region)."""
    values: dict[str, Any] = {"eligible": eligible, "as_of": as_of}
    stmt = insert(volunteers).values(
        person_id=person_id, region_code=region_code, region_as_of=as_of,
        qualifications=sorted(set(qualifications or [])), **values)
    later_region = volunteers.c.region_as_of > as_of
    set_: dict[str, Any] = {
        **values,
        "region_code": case((later_region, volunteers.c.region_code), else_=region_code),
        "region_as_of": case((later_region, volunteers.c.region_as_of), else_=as_of)}
    if qualifications is not None:
        set_["qualifications"] = stmt.excluded.qualifications
    uow.execute(stmt.on_conflict_do_update(index_elements=[volunteers.c.person_id], set_=set_,
                                           where=volunteers.c.as_of <= as_of))
    note_volunteers(uow, [person_id])


def note_move(uow: UnitOfWork, person_id: str, region_code: str, as_of: dt.datetime) -> bool:
    """A volunteer the read model knows now belongs to ``region_code`` (unless a later event
    set their region); their home no longer holds (a move is a new address: the volunteer or
    the new station sets the new one). True when applied."""
    moved = uow.execute(
        update(volunteers)
        .where(volunteers.c.person_id == person_id,
               or_(volunteers.c.region_as_of.is_(None), volunteers.c.region_as_of <= as_of))
        .values(region_code=region_code, region_as_of=as_of)
        .returning(volunteers.c.person_id)).first()
    if moved is None:
        return False
    uow.execute(delete(volunteer_preferences).where(
        volunteer_preferences.c.person_id == person_id))
    note_volunteers(uow, [person_id])
    return True


def note_standing(uow: UnitOfWork, person_id: str, region_code: str, active: bool,
                  as_of: dt.datetime) -> None:
    """A volunteer's person status (only ``active`` ones are candidates), unless a later
    status was applied already; a volunteer not known yet is kept as not eligible, so an
    eligibility event heard later cannot bring back someone who is gone."""
    stmt = insert(volunteers).values(
        person_id=person_id, region_code=region_code, eligible=False, qualifications=[],
        as_of=NEVER, active=active, standing_as_of=as_of)
    uow.execute(stmt.on_conflict_do_update(
        index_elements=[volunteers.c.person_id],
        set_={"active": active, "standing_as_of": as_of},
        where=or_(volunteers.c.standing_as_of.is_(None), volunteers.c.standing_as_of <= as_of)))
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


def is_active(uow: UnitOfWork, person_id: str) -> bool:
    """False for a volunteer the read model knows to have left, withdrawn or died."""
    active: bool | None = uow.execute(select(volunteers.c.active).where(
        volunteers.c.person_id == person_id)).scalar()
    return active is not False
