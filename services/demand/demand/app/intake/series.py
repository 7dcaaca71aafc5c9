"""Recurring demands (周期性需求): a series creates one ordinary ``submitted`` demand per
occurrence, on a rolling horizon (``SERIES_HORIZON_DAYS``), until its end date; each is
reviewed like any demand. Each (series, date) is claimed in ``series_occurrences`` in the
transaction that creates its demand, with the series row locked: restarts and parallel
processes never create one twice."""
from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound
from timebank_common.regions import prefix_of

from ...adapters import catalogue_repository as catalogue_rows
from ...adapters import demand_repository as repo
from ...adapters import escalation_repository as escalations
from ...adapters import metrics
from ...adapters import series_repository as series_rows
from ...adapters.identity import IdentityClient
from ...contracts import DEMAND_CANCELLED, NOT_OFFERED, PUBLISHED, SUBMITTED, SeriesOut
from ...domain import access, catalogue, funding, rules
from ...domain.series import Recurrence, due_occurrences
from .. import payloads
from .admission import admit_demand, elder_for


def _series_not_found(series_id: Any) -> NotFound:
    return NotFound("series_not_found", "周期性需求不存在", "No such recurring demand",
                    {"series_id": series_id})


def _view(uow, series: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = SeriesOut().dump(
        {**series, "occurrences": series_rows.occurrences_of(uow, series["id"])})
    return view


def recurrence_of(series: dict[str, Any]) -> Recurrence:
    return Recurrence(series["frequency"], series["start_date"], series["end_date"],
                      tuple(series["weekdays"] or ()), series["interval_days"])


def _location(series: dict[str, Any]) -> dict[str, float] | None:
    if series["location_lat"] is None or series["location_lng"] is None:
        return None
    return {"lat": series["location_lat"], "lng": series["location_lng"]}


# --- the series -------------------------------------------------------------------------------
def create_series(db: UnitOfWorkFactory, caller: Caller, data: dict[str, Any],
                  now: dt.datetime, identity: IdentityClient, horizon_days: int,
                  lead: dt.timedelta) -> dict[str, Any]:
    """A recurring demand, and its occurrences due now (``generate_for_series``)."""
    rule = Recurrence(data["frequency"], data["start_date"], data["end_date"],
                      tuple(sorted(set(data["weekdays"]))), data["interval_days"])
    rule.problems()
    if data["end_date"] < china_date(now):
        raise BadInput("series_already_ended", "结束日期已过", "The series' end date has passed")
    rules.validate_series_start(data["start_date"], china_date(now))
    probe = now + dt.timedelta(days=1)  # the figures, checked on a window of this length
    rules.validate_new_demand(probe, probe + dt.timedelta(minutes=data["window_minutes"]),
                              data["expected_minutes"], data["volunteers_needed"], now)
    if data["category"] in NOT_OFFERED:
        catalogue.require_offered(data["category"], {})
    elder = elder_for(identity, caller, data["channel"], data["elder_id"])
    source, chosen_by = funding.choice(data.get("funding_source"), caller, data["channel"],
                                       elder["acts_for"])
    series = {
        "id": str(uuid.uuid4()), "elder_id": data["elder_id"], "category": data["category"],
        "description": data["description"], "address": data["address"],
        "location_lat": (data["location"] or {}).get("lat"),
        "location_lng": (data["location"] or {}).get("lng"),
        "frequency": rule.frequency, "weekdays": list(rule.weekdays),
        "interval_days": rule.interval_days, "start_date": rule.start_date,
        "end_date": rule.end_date, "time_of_day": data["time_of_day"],
        "window_minutes": data["window_minutes"],
        "expected_minutes": data["expected_minutes"],
        "volunteers_needed": data["volunteers_needed"], "channel": data["channel"],
        "funding_source": source, "funding_chosen_by": chosen_by,
        "region_code": elder["region_code"],
        "carrier_id": elder.get("carrier_id") or caller.carrier_id, "status": "active",
        "created_by": caller.person_id or caller.client_id, "created_at": now,
    }
    with db() as uow:
        category = catalogue.require_offered(data["category"],
                                             catalogue_rows.load_catalogue(uow))
        catalogue.check_group(category, data["volunteers_needed"])
        series_rows.insert_series(uow, series)
        uow.commit()
    generate_for_series(db, series["id"], now, horizon_days, lead)
    with db() as uow:
        return _view(uow, _require_series(series_rows.get_series(uow, series["id"]),
                                          series["id"]))


def _require_series(series: dict[str, Any] | None, series_id: Any) -> dict[str, Any]:
    if series is None:
        raise _series_not_found(series_id)
    return series


def _series_in_reach(uow, caller: Caller, series_id: Any, lock: bool = False
                     ) -> dict[str, Any]:
    """The series if the caller may see it: its elder, its creator, staff in scope."""
    try:
        series_id = str(uuid.UUID(str(series_id)))
    except ValueError:
        raise _series_not_found(series_id) from None
    series = _require_series(series_rows.get_series(uow, series_id, lock=lock), series_id)
    if (caller.person_id or caller.client_id) in (series["elder_id"], series["created_by"]):
        return series
    if not (caller.has(*access.READ_ALL_ROLES) and caller.covers(series["region_code"])):
        raise _series_not_found(series_id)  # never reveal what exists outside scope
    return series


def get_series(db: UnitOfWorkFactory, caller: Caller, series_id: Any) -> dict[str, Any]:
    with db() as uow:
        return _view(uow, _series_in_reach(uow, caller, series_id))


def list_series(db: UnitOfWorkFactory, caller: Caller, query: dict[str, Any]
                ) -> dict[str, Any]:
    """Staff: the series of their scope (or a region in it); an elder: their own."""
    region_prefix, elder_id = None, query["elder_id"]
    if caller.has(*access.READ_ALL_ROLES) and caller.scope:
        region = query["region_code"] or caller.scope
        caller.require_scope(region)
        region_prefix = prefix_of(region)
    elif caller.has("elder") and caller.person_id:
        elder_id = caller.person_id
    else:
        raise Forbidden("role_required", "您的角色无权查看周期性需求",
                        "Your role does not allow viewing recurring demands")
    with db() as uow:
        rows = series_rows.list_series(uow, region_prefix, elder_id, query["status"],
                                       query["limit"])
        return {"items": [_view(uow, s) for s in rows]}


def cancel_series(db: UnitOfWorkFactory, caller: Caller, series_id: Any, data: dict[str, Any],
                  now: dt.datetime) -> dict[str, Any]:
    """Stop a series: no new occurrences; its future occurrences nobody has taken yet are
    cancelled (``demand_cancelled`` each); assigned ones stay for the station to decide.
    The series row is locked first, then each demand (the lock order)."""
    with db() as uow:
        series = _series_in_reach(uow, caller, series_id, lock=True)
        if (caller.person_id or caller.client_id) not in (series["elder_id"],
                                                          series["created_by"]):
            caller.require(*STATION_STAFF)
        if series["status"] == "cancelled":
            return _view(uow, series)  # a repeat changes nothing
        series_rows.cancel_series(uow, series["id"], caller.person_id or caller.client_id, now,
                                  data["reason"])
        for demand_id in series_rows.future_occurrence_demands(uow, series["id"], now):
            demand = repo.get_demand(uow, demand_id, lock=True)
            if demand is None or demand.status not in (SUBMITTED, PUBLISHED) \
                    or demand.assignments:
                continue
            demand.cancel(caller.person_id, now, data["reason"])
            repo.save_demand(uow, demand)
            escalations.close_escalation(uow, demand.id, "cancelled", now)
            uow.emit(DEMAND_CANCELLED, payloads.cancelled(demand), demand.region_code)
        uow.commit()
        return _view(uow, _require_series(series_rows.get_series(uow, series["id"]),
                                          series["id"]))


# --- generating the occurrences ----------------------------------------------------------------
def generate_for_series(db: UnitOfWorkFactory, series_id: str, now: dt.datetime,
                        horizon_days: int, lead: dt.timedelta) -> list[str]:
    """Create the series' due occurrences; each (series, date) at most once, ever: the
    series row is locked and each date is claimed in ``series_occurrences`` in the same
    transaction as its demand. Returns the new demand ids."""
    created: list[str] = []
    skipped = 0
    with db() as uow:
        series = series_rows.get_series(uow, series_id, lock=True)
        if series is None or series["status"] != "active":
            return created
        due = due_occurrences(recurrence_of(series), series["time_of_day"],
                              series["window_minutes"], now, horizon_days, lead)
        for day, start, end in due:
            if not series_rows.claim_occurrence(uow, series_id, day):
                continue
            content = {**{k: series[k] for k in ("category", "description", "address",
                                                 "expected_minutes", "volunteers_needed")},
                       "location": _location(series), "window_start": start, "window_end": end}
            try:  # every refusal comes before admit_demand writes anything
                demand = admit_demand(
                    uow, content, elder_id=series["elder_id"],
                    region_code=series["region_code"], carrier_id=series["carrier_id"],
                    submitted_by=series["created_by"], channel=series["channel"], now=now,
                    funding_source=series["funding_source"],
                    funding_chosen_by=series["funding_chosen_by"])
            except Conflict:
                series_rows.settle_occurrence(uow, series_id, day, None, "duplicate_demand")
                skipped += 1
            except BadInput as exc:  # e.g. the category was withdrawn from the catalogue
                series_rows.settle_occurrence(uow, series_id, day, None, exc.code)
                skipped += 1
            else:
                series_rows.settle_occurrence(uow, series_id, day, demand.id, None)
                created.append(demand.id)
        uow.commit()
    metrics.OCCURRENCES.labels("created").inc(len(created))
    metrics.OCCURRENCES.labels("skipped").inc(skipped)
    return created


def generate_all(db: UnitOfWorkFactory, now: dt.datetime, horizon_days: int,
                 lead: dt.timedelta) -> int:
    """Every active series, one transaction each; the number of demands created."""
    with db() as uow:
        ids = series_rows.active_series_ids(uow, china_date(now))
    return sum(len(generate_for_series(db, i, now, horizon_days, lead)) for i in ids)
