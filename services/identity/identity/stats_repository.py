"""SQL for the supervisors' statistics: every person, carrier and operator under a region
prefix, read in a handful of set queries (never one query per person)."""
from __future__ import annotations

from sqlalchemy import and_, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import within

from .domain.training_policy import TrainingPolicy
from .tables import (
    carriers,
    elder_priorities,
    elder_profiles,
    persons,
    regions,
    role_grants,
    training_policies,
    trainings,
    volunteer_activity,
    volunteer_profiles,
)

CHINA_TZ = "Asia/Shanghai"


def _day_in_china(column):
    return func.date(func.timezone(CHINA_TZ, column))


def volunteer_rows(uow, prefix: str) -> list[dict]:
    """Each volunteer under ``prefix`` with the facts eligibility needs and their total
    training hours (summed per person in one grouped subquery)."""
    hours = (select(trainings.c.person_id, func.sum(trainings.c.hours).label("hours"))
             .group_by(trainings.c.person_id).subquery())
    stmt = (select(persons.c.region_code, persons.c.sex, persons.c.birth_date,
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


def elder_rows(uow, prefix: str) -> list[dict]:
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


def carrier_rows(uow, prefix: str) -> list[dict]:
    stmt = select(carriers.c.region_code, carriers.c.kind).where(
        within(carriers.c.region_code, prefix))
    return [dict(r) for r in uow.execute(stmt).mappings()]


def station_operator_regions(uow, prefix: str) -> list[str]:
    """One region per station operator under ``prefix``: their station's, else their grant's."""
    region = func.coalesce(carriers.c.region_code, role_grants.c.scope_code)
    stmt = (select(role_grants.c.person_id, func.min(region).label("region_code"))
            .select_from(role_grants.outerjoin(
                carriers, and_(carriers.c.id == role_grants.c.carrier_id)))
            .where(role_grants.c.role == "station_operator", within(region, prefix))
            .group_by(role_grants.c.person_id))
    return [r["region_code"] for r in uow.execute(stmt).mappings()]


def training_policies_around(uow, prefix: str) -> list[TrainingPolicy]:
    """Policy rows that may apply to a region under ``prefix``: above it or inside it."""
    above = {prefix[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12) if n <= len(prefix)}
    rows = uow.execute(select(training_policies).where(
        training_policies.c.region_code.in_(above)
        | within(training_policies.c.region_code, prefix))).mappings()
    return [TrainingPolicy(r["region_code"], r["min_hours"], r["effective_from"]) for r in rows]


def child_region_names(uow, parent_code: str) -> dict[str, str]:
    rows = uow.execute(select(regions.c.code, regions.c.name)
                       .where(regions.c.parent_code == parent_code)).mappings()
    return {r["code"]: r["name"] for r in rows}


def note_service(uow, person_id, served_at) -> None:
    """Keep the latest service of a volunteer (events may arrive out of order)."""
    stmt = insert(volunteer_activity).values(person_id=person_id, last_served_at=served_at,
                                             services=1)
    uow.execute(stmt.on_conflict_do_update(index_elements=["person_id"], set_={
        "last_served_at": func.greatest(volunteer_activity.c.last_served_at,
                                        stmt.excluded.last_served_at),
        "services": volunteer_activity.c.services + 1}))
