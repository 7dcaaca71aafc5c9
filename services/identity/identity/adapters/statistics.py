"""SQL of the supervisors' statistics: every volunteer and elder under a region prefix, read
in a handful of set queries (never one query per person). Carriers, station operators and
training policies come from their own repositories (``carriers``, ``grants``,
``volunteers``)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.elements import ColumnElement

from timebank_common.clock import CHINA
from timebank_common.db import UnitOfWork, within

from .tables import (
    elder_priorities,
    elder_profiles,
    persons,
    trainings,
    volunteer_activity,
    volunteer_profiles,
)


def _day_in_china(column: Any) -> ColumnElement[Any]:
    return func.date(func.timezone(CHINA.tzname(None), column))


def volunteer_rows(uow: UnitOfWork, prefix: str) -> list[dict[str, Any]]:
    """Each volunteer under ``prefix`` with the facts eligibility needs and their total
    training hours (summed per person in one grouped subquery)."""
    hours = (select(trainings.c.person_id, func.sum(trainings.c.hours).label("hours"))
             .group_by(trainings.c.person_id).subquery())
    stmt = (select(persons.c.region_code, persons.c.sex, persons.c.birth_date, persons.c.status,
                   _day_in_china(volunteer_profiles.c.created_at).label("registered_on"),
                   volunteer_profiles.c.volunteer_number, volunteer_profiles.c.registry_status,
                   volunteer_profiles.c.screening,
                   volunteer_profiles.c.health_declared_at.is_not(None).label("health_declared"),
                   volunteer_profiles.c.background_tags,
                   func.coalesce(hours.c.hours, 0).label("training_hours"),
                   _day_in_china(volunteer_activity.c.last_served_at).label("last_served_on"))
            .select_from(persons.join(volunteer_profiles,
                                      volunteer_profiles.c.person_id == persons.c.id)
                         .outerjoin(hours, hours.c.person_id == persons.c.id)
                         .outerjoin(volunteer_activity,
                                    volunteer_activity.c.person_id == persons.c.id))
            .where(within(persons.c.region_code, prefix)))
    return [dict(r) for r in uow.execute(stmt).mappings()]


def elder_rows(uow: UnitOfWork, prefix: str) -> list[dict[str, Any]]:
    """Each elder under ``prefix`` with their verified hardship categories."""
    verified = (select(elder_priorities.c.person_id,
                       func.array_agg(elder_priorities.c.category).label("categories"))
                .where(elder_priorities.c.status == "verified")
                .group_by(elder_priorities.c.person_id).subquery())
    stmt = (select(persons.c.region_code, persons.c.birth_date,
                   _day_in_china(elder_profiles.c.created_at).label("registered_on"),
                   elder_profiles.c.phone_only,
                   func.coalesce(verified.c.categories,
                                 literal_column("ARRAY[]::varchar[]")).label("categories"))
            .select_from(persons.join(elder_profiles, elder_profiles.c.person_id == persons.c.id)
                         .outerjoin(verified, verified.c.person_id == persons.c.id))
            .where(within(persons.c.region_code, prefix)))
    return [dict(r) for r in uow.execute(stmt).mappings()]


def note_service(uow: UnitOfWork, person_id: Any, served_at: dt.datetime) -> None:
    """Keep the latest service of a volunteer (events may arrive out of order)."""
    stmt = insert(volunteer_activity).values(person_id=person_id, last_served_at=served_at,
                                             services=1)
    uow.execute(stmt.on_conflict_do_update(index_elements=["person_id"], set_={
        "last_served_at": func.greatest(volunteer_activity.c.last_served_at,
                                        stmt.excluded.last_served_at),
        "services": volunteer_activity.c.services + 1}))
