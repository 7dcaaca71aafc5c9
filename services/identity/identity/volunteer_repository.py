"""SQL for volunteers' eligibility facts, trainings, training policies and qualifications."""
from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from .domain.training_policy import TrainingPolicy
from .personal_data import to_row
from .repository import _one, _opened, as_uuid
from .tables import qualifications, training_policies, trainings, volunteer_profiles


def lock_volunteer_profile(uow, person_id) -> dict | None:
    pid = as_uuid(person_id)
    if pid is None:
        return None
    return _opened(uow, "volunteer_profiles", select(volunteer_profiles)
                   .where(volunteer_profiles.c.person_id == pid).with_for_update())


def update_volunteer_profile(uow, person_id, **values) -> dict:
    return _opened(uow, "volunteer_profiles", update(volunteer_profiles)
                   .where(volunteer_profiles.c.person_id == person_id)
                   .values(**to_row("volunteer_profiles", values))
                   .returning(*volunteer_profiles.c))


def take_unchecked_volunteers(uow, today: dt.date, limit: int) -> list:
    """Ids of volunteers whose eligibility was not reassessed ``today``; locked, skipping rows
    another process is reassessing."""
    checked = volunteer_profiles.c.eligibility_checked_on
    return list(uow.execute(
        select(volunteer_profiles.c.person_id)
        .where((checked.is_(None)) | (checked < today))
        .order_by(volunteer_profiles.c.person_id).limit(limit)
        .with_for_update(skip_locked=True)).scalars())


def volunteer_by_number(uow, volunteer_number: str) -> dict | None:
    return _opened(uow, "volunteer_profiles", select(volunteer_profiles)
                .where(volunteer_profiles.c.volunteer_number == volunteer_number)
                .with_for_update())


# -- trainings -------------------------------------------------------------------------------
def insert_training(uow, **values) -> dict:
    values.setdefault("id", uuid.uuid4())
    return _one(uow, insert(trainings).values(**values).returning(*trainings.c))


def training_hours(uow, person_id) -> Decimal:
    total = uow.execute(select(func.coalesce(func.sum(trainings.c.hours), 0))
                        .where(trainings.c.person_id == person_id)).scalar()
    return Decimal(total)


def has_trainings(uow, person_id) -> bool:
    return uow.execute(select(trainings.c.id).where(trainings.c.person_id == person_id)
                       .limit(1)).first() is not None


def training_policies_for(uow, region_code: str, today: dt.date) -> list[TrainingPolicy]:
    """Policy rows in force on ``today`` whose region is ``region_code`` or above it."""
    candidates = {region_code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)}
    rows = uow.execute(select(training_policies).where(
        training_policies.c.region_code.in_(candidates),
        training_policies.c.effective_from <= today)).mappings()
    return [TrainingPolicy(r["region_code"], r["min_hours"], r["effective_from"]) for r in rows]


def set_training_policy(uow, region_code: str, min_hours, effective_from: dt.date,
                        note: str | None = None) -> None:
    stmt = insert(training_policies).values(region_code=region_code, min_hours=min_hours,
                                            effective_from=effective_from, note=note)
    uow.execute(stmt.on_conflict_do_update(
        index_elements=["region_code", "effective_from"],
        set_={"min_hours": stmt.excluded.min_hours, "note": stmt.excluded.note}))


# -- qualifications --------------------------------------------------------------------------
def insert_qualification(uow, **values) -> dict:
    values.setdefault("id", uuid.uuid4())
    values.setdefault("status", "pending")
    return _one(uow, insert(qualifications).values(**values).returning(*qualifications.c))


def get_qualification(uow, qualification_id, lock: bool = False) -> dict | None:
    qid = as_uuid(qualification_id)
    if qid is None:
        return None
    stmt = select(qualifications).where(qualifications.c.id == qid)
    return _one(uow, stmt.with_for_update() if lock else stmt)


def decide_qualification(uow, qualification_id, status: str, verified_by,
                         reason: str | None) -> dict:
    return _one(uow, update(qualifications).where(qualifications.c.id == qualification_id)
                .values(status=status, verified_by=verified_by, verified_at=func.now(),
                        reason=reason)
                .returning(*qualifications.c))


def qualifications_of(uow, person_id) -> list[dict]:
    rows = uow.execute(select(qualifications).where(qualifications.c.person_id == person_id)
                       .order_by(qualifications.c.submitted_at, qualifications.c.id)).mappings()
    return [dict(r) for r in rows]


def expiring_qualifications(uow, today: dt.date) -> list[dict]:
    """Verified qualifications past valid_until, not marked yet; locked, skipping rows another
    run is marking."""
    rows = uow.execute(select(qualifications).where(
        qualifications.c.status == "verified", qualifications.c.valid_until < today,
        qualifications.c.expired_at.is_(None))
        .order_by(qualifications.c.valid_until, qualifications.c.id)
        .with_for_update(skip_locked=True)).mappings()
    return [dict(r) for r in rows]


def mark_expired(uow, qualification_id) -> None:
    uow.execute(update(qualifications).where(qualifications.c.id == qualification_id)
                .values(expired_at=func.now()))


def eligible_volunteers_page(uow, after: str | None, limit: int) -> list[dict]:
    """Volunteers whose eligibility was last announced as eligible, ordered by person id, with
    their region and qualification rows (for matching's rebuild)."""
    from .tables import persons  # noqa: PLC0415 — kept local: only this listing joins persons

    stmt = (select(volunteer_profiles.c.person_id, persons.c.region_code)
            .join(persons, persons.c.id == volunteer_profiles.c.person_id)
            .where(volunteer_profiles.c.announced_eligible.is_(True))
            .order_by(volunteer_profiles.c.person_id).limit(limit))
    if after:
        stmt = stmt.where(volunteer_profiles.c.person_id > as_uuid(after))
    rows = uow.execute(stmt).all()
    ids = [r.person_id for r in rows]
    held: dict = {}
    if ids:
        for q in uow.execute(select(qualifications).where(
                qualifications.c.person_id.in_(ids))).mappings():
            held.setdefault(q["person_id"], []).append(dict(q))
    return [{"person_id": r.person_id, "region_code": r.region_code,
             "qualifications": held.get(r.person_id, [])} for r in rows]
