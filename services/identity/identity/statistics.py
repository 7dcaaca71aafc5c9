"""Statistics for supervisors (item 12): volunteers registered / eligible, elders by hardship
category and age band, carriers and station operators of a region, with a breakdown one
level down.

Who: admins and auditors, and an API client, for any region in their scope (their own scope
when no region is given). Eligibility is computed with the same rules as for one volunteer
(``domain.eligibility`` and the region's training policy), from rows read in one batch.
``active`` volunteers served in the last 90 days: identity keeps each volunteer's last service
from demand's ``service_recorded`` events (``note_service``).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from timebank_common.caller import ADMIN_ROLES, Caller
from timebank_common.regions import prefix_of

from . import stats_repository as srepo
from .domain.eligibility import VolunteerFacts, volunteer_reasons
from .domain.id_numbers import age_at
from .domain.statistics import (
    CarrierRow,
    ElderRow,
    Period,
    RegionRows,
    VolunteerRow,
    is_active,
    region_statistics,
)
from .domain.training_policy import required_hours

READERS = (*ADMIN_ROLES, "auditor", "api_client")


def _volunteers(uow, prefix: str, today: dt.date) -> list[VolunteerRow]:
    policies = srepo.training_policies_around(uow, prefix)
    needed: dict[str, Decimal] = {}
    rows = []
    for r in srepo.volunteer_rows(uow, prefix):
        region = r["region_code"]
        if region not in needed:
            needed[region] = required_hours(policies, region, today)
        age = age_at(r["birth_date"], today)
        eligible = not volunteer_reasons(VolunteerFacts(
            age=age, volunteer_number=r["volunteer_number"],
            registry_status=r["registry_status"], screening=r["screening"],
            training_hours=Decimal(r["training_hours"]), required_hours=needed[region],
            health_declared=r["health_declared"]))
        rows.append(VolunteerRow(region, r["sex"], age, r["registered_on"], eligible,
                                 tuple(r["background_tags"] or ()),
                                 is_active(r["last_served_on"], today)))
    return rows


def _elders(uow, prefix: str, today: dt.date) -> list[ElderRow]:
    return [ElderRow(r["region_code"], age_at(r["birth_date"], today), r["registered_on"],
                     r["phone_only"], tuple(r["categories"] or ()))
            for r in srepo.elder_rows(uow, prefix)]


def identity_stats(uow, caller: Caller, region_code: str | None, period: Period,
                   today: dt.date) -> dict:
    caller.require(*READERS)
    region_code = region_code or caller.scope
    caller.require_scope(region_code)
    prefix = prefix_of(region_code)
    rows = RegionRows(
        volunteers=_volunteers(uow, prefix, today), elders=_elders(uow, prefix, today),
        carriers=[CarrierRow(r["region_code"], r["kind"])
                  for r in srepo.carrier_rows(uow, prefix)],
        operator_regions=srepo.station_operator_regions(uow, prefix))
    figures = region_statistics(region_code, rows, period,
                                srepo.child_region_names(uow, region_code))
    return {**figures, "as_of": today.isoformat()}


def note_service(uow, payload: dict) -> None:
    """A volunteer served (demand's ``service_recorded``): keep their latest service."""
    srepo.note_service(uow, payload["volunteer_id"], payload["recorded_at"])
