"""Statistics for supervisors: volunteers registered / eligible, elders by hardship category
and age band, carriers and station operators of a region, with a breakdown one level down.

Who: admins and auditors, and an API client, for any region in their scope (their own scope
when no region is given). Eligibility is computed with the same rules as for one volunteer
(``domain.eligibility`` and the region's training policy), from rows read in one batch.
``active`` volunteers served in the last 90 days: identity keeps each volunteer's last service
from demand's ``service_recorded`` events (``note_service``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from timebank_common.caller import Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory
from timebank_common.errors import validation_error
from timebank_common.regions import prefix_of

from ..adapters import carriers, grants, regions, volunteers
from ..adapters import statistics as rows_of
from ..adapters.rows import as_uuid
from ..contracts import STATISTICS_READERS
from ..domain.eligibility import VolunteerFacts, volunteer_reasons
from ..domain.id_numbers import age_at
from ..domain.statistics import (
    CarrierRow,
    ElderRow,
    Period,
    RegionRows,
    VolunteerRow,
    is_active,
    region_statistics,
)
from ..domain.training_policy import required_hours


def _volunteers(uow: UnitOfWork, prefix: str, today: dt.date) -> list[VolunteerRow]:
    policies = volunteers.training_policies_around(uow, prefix)
    needed: dict[str, Decimal] = {}
    rows = []
    for r in rows_of.volunteer_rows(uow, prefix):
        region = r["region_code"]
        if region not in needed:
            needed[region] = required_hours(policies, region, today)
        age = age_at(r["birth_date"], today)
        eligible = not volunteer_reasons(VolunteerFacts(
            age=age, volunteer_number=r["volunteer_number"],
            registry_status=r["registry_status"], screening=r["screening"],
            training_hours=Decimal(r["training_hours"]), required_hours=needed[region],
            health_declared=r["health_declared"], standing=r["status"]))
        rows.append(VolunteerRow(region, r["sex"], age, r["registered_on"], eligible,
                                 tuple(r["background_tags"] or ()),
                                 is_active(r["last_served_on"], today)))
    return rows


def _elders(uow: UnitOfWork, prefix: str, today: dt.date) -> list[ElderRow]:
    return [ElderRow(r["region_code"], age_at(r["birth_date"], today), r["registered_on"],
                     r["phone_only"], tuple(r["categories"] or ()))
            for r in rows_of.elder_rows(uow, prefix)]


def identity_stats(db: UnitOfWorkFactory, caller: Caller, region_code: str | None,
                   period: Period, now: dt.datetime) -> dict[str, Any]:
    caller.require(*STATISTICS_READERS)
    region_code = region_code or caller.scope
    caller.require_scope(region_code)
    assert region_code is not None  # require_scope refuses none
    prefix, today = prefix_of(region_code), china_date(now)
    with db() as uow:
        rows = RegionRows(
            volunteers=_volunteers(uow, prefix, today), elders=_elders(uow, prefix, today),
            carriers=[CarrierRow(r["region_code"], r["kind"])
                      for r in carriers.carrier_rows(uow, prefix)],
            operator_regions=grants.station_operator_regions(uow, prefix))
        names = regions.child_region_names(uow, region_code)
    figures = region_statistics(region_code, rows, period, names)
    return {**figures, "as_of": today.isoformat()}


def note_service(uow: UnitOfWork, payload: Mapping[str, Any]) -> None:
    """A volunteer served (demand's ``service_recorded``, loaded with demand's contract): keep
    their latest service. Runs in the event's unit of work (``once``: the inbox record and
    this in one transaction). A volunteer id that is not a person id of identity's (a UUID)
    is refused: the event is retried, then dead-lettered."""
    volunteer_id = as_uuid(payload["volunteer_id"])
    if volunteer_id is None:
        raise validation_error({"volunteer_id": ["Not a valid UUID."]})
    rows_of.note_service(uow, volunteer_id, payload["recorded_at"])
