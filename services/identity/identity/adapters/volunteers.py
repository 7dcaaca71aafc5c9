"""SQL of volunteers: their profile (eligibility facts, the eligibility last announced),
trainings and the training policies of regions."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import UnitOfWork, within

from ..domain.training_policy import TrainingPolicy
from .personal_data import to_row
from .rows import as_uuid, one, opened
from .tables import persons, qualifications, training_policies, trainings, volunteer_profiles


def get_volunteer_profile(uow: UnitOfWork, person_id: Any) -> dict[str, Any] | None:
    pid = as_uuid(person_id)
    if not pid:
        return None
    return opened(uow, "volunteer_profiles",
                  select(volunteer_profiles).where(volunteer_profiles.c.person_id == pid))


def lock_volunteer_profile(uow: UnitOfWork, person_id: Any) -> dict[str, Any] | None:
    pid = as_uuid(person_id)
    if pid is None:
        return None
    return opened(uow, "volunteer_profiles", select(volunteer_profiles)
                  .where(volunteer_profiles.c.person_id == pid).with_for_update())


def insert_volunteer_profile(uow: UnitOfWork, **values: Any) -> dict[str, Any]:
    row = opened(uow, "volunteer_profiles", insert(volunteer_profiles)
                 .values(**to_row("volunteer_profiles", values))
                 .returning(*volunteer_profiles.c))
    assert row is not None
    return row


def update_volunteer_profile(uow: UnitOfWork, person_id: Any, **values: Any) -> dict[str, Any]:
    row = opened(uow, "volunteer_profiles", update(volunteer_profiles)
                 .where(volunteer_profiles.c.person_id == person_id)
                 .values(**to_row("volunteer_profiles", values))
                 .returning(*volunteer_profiles.c))
    assert row is not None
    return row


def volunteer_number_holder(uow: UnitOfWork, volunteer_number: str) -> Any:
    return uow.execute(select(volunteer_profiles.c.person_id).where(
        volunteer_profiles.c.volunteer_number == volunteer_number)).scalar()


def volunteer_by_number(uow: UnitOfWork, volunteer_number: str) -> dict[str, Any] | None:
    return opened(uow, "volunteer_profiles", select(volunteer_profiles)
                  .where(volunteer_profiles.c.volunteer_number == volunteer_number)
                  .with_for_update())


def take_unchecked_volunteers(uow: UnitOfWork, today: dt.date, limit: int) -> list[Any]:
    """Ids of volunteers whose eligibility was not reassessed ``today``; locked, skipping rows
    another process is reassessing."""
    checked = volunteer_profiles.c.eligibility_checked_on
    return list(uow.execute(
        select(volunteer_profiles.c.person_id)
        .where((checked.is_(None)) | (checked < today))
        .order_by(volunteer_profiles.c.person_id).limit(limit)
        .with_for_update(skip_locked=True)).scalars())


def eligible_volunteers_page(uow: UnitOfWork, after: str | None,
                             limit: int) -> list[dict[str, Any]]:
    """Active volunteers whose eligibility was last announced as eligible, ordered by person
    id, with their region and qualification rows (for matching's rebuild)."""
    stmt = (select(volunteer_profiles.c.person_id, persons.c.region_code)
            .join(persons, persons.c.id == volunteer_profiles.c.person_id)
            .where(volunteer_profiles.c.announced_eligible.is_(True),
                   persons.c.status == "active")
            .order_by(volunteer_profiles.c.person_id).limit(limit))
    if after:
        stmt = stmt.where(volunteer_profiles.c.person_id > as_uuid(after))
    rows = uow.execute(stmt).all()
    ids = [r.person_id for r in rows]
    held: dict[Any, list[dict[str, Any]]] = {}
    if ids:
        for q in uow.execute(select(qualifications).where(
                qualifications.c.person_id.in_(ids))).mappings():
            held.setdefault(q["person_id"], []).append(dict(q))
    return [{"person_id": r.person_id, "region_code": r.region_code,
             "qualifications": held.get(r.person_id, [])} for r in rows]


# -- trainings -------------------------------------------------------------------------------
def insert_training(uow: UnitOfWork, **values: Any) -> dict[str, Any]:
    values.setdefault("id", uuid.uuid4())
    row = one(uow, insert(trainings).values(**values).returning(*trainings.c))
    assert row is not None
    return row


def training_hours(uow: UnitOfWork, person_id: Any) -> Decimal:
    total = uow.execute(select(func.coalesce(func.sum(trainings.c.hours), 0))
                        .where(trainings.c.person_id == person_id)).scalar()
    return Decimal(total)


def has_trainings(uow: UnitOfWork, person_id: Any) -> bool:
    return uow.execute(select(trainings.c.id).where(trainings.c.person_id == person_id)
                       .limit(1)).first() is not None


# -- training policies -------------------------------------------------------------------------
def _policy(row: Any) -> TrainingPolicy:
    return TrainingPolicy(row["region_code"], row["min_hours"], row["effective_from"])


def training_policies_for(uow: UnitOfWork, region_code: str,
                          today: dt.date) -> list[TrainingPolicy]:
    """Policy rows in force on ``today`` whose region is ``region_code`` or above it."""
    candidates = {region_code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)}
    rows = uow.execute(select(training_policies).where(
        training_policies.c.region_code.in_(candidates),
        training_policies.c.effective_from <= today)).mappings()
    return [_policy(r) for r in rows]


def training_policies_around(uow: UnitOfWork, prefix: str) -> list[TrainingPolicy]:
    """Policy rows that may apply to a region under ``prefix``: above it or inside it."""
    above = {prefix[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12) if n <= len(prefix)}
    rows = uow.execute(select(training_policies).where(
        training_policies.c.region_code.in_(above)
        | within(training_policies.c.region_code, prefix))).mappings()
    return [_policy(r) for r in rows]


def set_training_policy(uow: UnitOfWork, region_code: str, min_hours: Any,
                        effective_from: dt.date, note: str | None = None) -> None:
    stmt = insert(training_policies).values(region_code=region_code, min_hours=min_hours,
                                            effective_from=effective_from, note=note)
    uow.execute(stmt.on_conflict_do_update(
        index_elements=["region_code", "effective_from"],
        set_={"min_hours": stmt.excluded.min_hours, "note": stmt.excluded.note}))
