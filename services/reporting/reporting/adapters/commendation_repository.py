"""What the commendation lists read: star levels reached and evaluations (kept here from their
events, in the handler's transaction and by the rebuild), service records per station,
service days per volunteer and month."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from timebank_common.db import insert_rows, within_unit

from ..domain.facts import occurred_on
from .tables import evaluation_scores, milestones_reached, service_days, service_records

KEPT = ("milestone_reached", "evaluation_submitted")
"""The consumed events whose rows this repository keeps."""


def keep(uow, envelopes: Sequence[Mapping[str, Any]]) -> None:
    """The rows of the envelopes that matter to commendation (others are ignored); an event
    already kept changes nothing."""
    reached, scored = [], []
    for e in envelopes:
        payload, region = e.get("payload") or {}, e.get("region_code")
        if e["event_type"] == "milestone_reached" and region:
            reached.append({"event_id": str(e["event_id"]), "person_id": payload["person_id"],
                            "level": int(payload["level"]),
                            "cumulative_minutes": int(payload["cumulative_minutes"]),
                            "region_code": region, "day": occurred_on(e)})
        elif e["event_type"] == "evaluation_submitted" and (region or payload.get("region_code")):
            scored.append({"event_id": str(e["event_id"]), "demand_id": payload["demand_id"],
                           "volunteer_id": payload["volunteer_id"],
                           "region_code": region or payload["region_code"],
                           "score": int(payload["score"]), "day": occurred_on(e)})
    if reached:
        insert_rows(uow, milestones_reached, reached, "ON CONFLICT (event_id) DO NOTHING")
    if scored:
        insert_rows(uow, evaluation_scores, scored, "ON CONFLICT (event_id) DO NOTHING")


def milestones(uow, region_code: str, first: dt.date, last: dt.date) -> list[Any]:
    """(person_id, level, cumulative_minutes, day) reached in the region and span."""
    m = milestones_reached.c
    return list(uow.execute(sa.select(m.person_id, m.level, m.cumulative_minutes, m.day)
                            .where(within_unit(m.region_code, region_code), m.day.between(first, last))))


def station_services(uow, region_code: str, first: dt.date, last: dt.date) -> list[Any]:
    """(carrier_id, services, minutes) of the records served in the region and span
    (credited minutes where credited, else recorded)."""
    r = service_records.c
    minutes = sa.func.coalesce(sa.func.sum(sa.func.coalesce(r.credited_minutes,
                                                            r.recorded_minutes)), 0)
    return list(uow.execute(sa.select(r.carrier_id, sa.func.count(), minutes)
                            .where(within_unit(r.region_code, region_code), r.day.between(first, last),
                                   r.carrier_id.is_not(None))
                            .group_by(r.carrier_id)))


def station_scores(uow, region_code: str, first: dt.date, last: dt.date) -> list[Any]:
    """(carrier_id, evaluations, score sum) of the evaluations given in the region and span,
    each counted for the station that recorded the evaluated service (its demand and
    volunteer)."""
    r, e = service_records.c, evaluation_scores.c
    station = (sa.select(r.demand_id, r.volunteer_id, sa.func.min(r.carrier_id).label("carrier"))
               .where(r.carrier_id.is_not(None))
               .group_by(r.demand_id, r.volunteer_id).subquery())
    query = (sa.select(station.c.carrier, sa.func.count(), sa.func.sum(e.score))
             .select_from(evaluation_scores.join(
                 station, sa.and_(station.c.demand_id == e.demand_id,
                                  station.c.volunteer_id == e.volunteer_id)))
             .where(within_unit(e.region_code, region_code), e.day.between(first, last))
             .group_by(station.c.carrier))
    return list(uow.execute(query))


def volunteer_months(uow, region_code: str, first: dt.date, last: dt.date) -> list[Any]:
    """(volunteer_id, first day of the month, service days) in the region and span."""
    d = service_days.c
    month = sa.cast(sa.func.date_trunc("month", d.day), sa.Date)
    return list(uow.execute(sa.select(d.volunteer_id, month, sa.func.count(sa.distinct(d.day)))
                            .where(within_unit(d.region_code, region_code), d.day.between(first, last))
                            .group_by(d.volunteer_id, month)))
