"""Recurring demand RPCs (a base of ``IntakeRpcs``, which provides ``_elder_for`` and
``_setting``): a series creates one ordinary demand per occurrence until its end date."""
from __future__ import annotations

import datetime as dt
import uuid

from timebank_common.caller import Caller
from timebank_common.db import utcnow
from timebank_common.errors import BadInput, Forbidden, NotFound
from timebank_common.regions import prefix_of
from timebank_common.schemas import load
from timebank_common.service import rpc, scheduled

from . import intake, schemas
from . import intake_repository as irepo
from . import intake_schemas as ischemas
from . import repository as repo
from .domain import access, catalogue, rules
from .domain.lifecycle import PUBLISHED, SUBMITTED
from .domain.series import Recurrence, china_today
from .rpc_base import DemandRpcBase


def _series_not_found(series_id) -> NotFound:
    return NotFound("series_not_found", "周期性需求不存在", "No such recurring demand",
                    {"series_id": series_id})


class SeriesRpcs(DemandRpcBase):
    def _series_view(self, uow, series: dict) -> dict:
        return ischemas.SeriesOut().dump({**series, "occurrences": irepo.occurrences_of(
            uow, series["id"])})

    def _horizon(self) -> tuple[int, dt.timedelta]:
        return (int(self._setting("SERIES_HORIZON_DAYS", 14)),
                dt.timedelta(seconds=self._setting("SERIES_MIN_LEAD_SECONDS", 3600)))

    @rpc
    def create_series(self, caller, data):
        """A recurring demand: one demand per occurrence, created on a rolling horizon
        (``SERIES_HORIZON_DAYS``, default 14) until the end date; each is reviewed like any
        demand."""
        caller = Caller.from_dict(caller)
        data = load(ischemas.SeriesCreateSchema(), data)
        now = utcnow()
        rule = Recurrence(data["frequency"], data["start_date"], data["end_date"],
                          tuple(sorted(set(data["weekdays"]))), data["interval_days"])
        rule.problems()
        if data["end_date"] < china_today(now):
            raise BadInput("series_already_ended", "结束日期已过", "The series' end date has passed")
        if data["window_minutes"] > 24 * 60:
            raise BadInput("window_too_long", "每次服务时段不能超过 24 小时",
                           "Each occurrence's window is at most 24 hours")
        probe = now + dt.timedelta(days=1)  # the figures, checked on a window of this length
        rules.validate_new_demand(probe, probe + dt.timedelta(minutes=data["window_minutes"]),
                                  data["expected_minutes"], data["volunteers_needed"], now)
        if data["category"] in catalogue.NOT_OFFERED:
            catalogue.require_offered(data["category"], {})
        elder = self._elder_for(caller, data["channel"], data["elder_id"])
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
            "region_code": elder["region_code"],
            "carrier_id": elder.get("carrier_id") or caller.carrier_id, "status": "active",
            "created_by": caller.person_id or caller.client_id,
        }
        with self.db() as uow:
            category = catalogue.require_offered(data["category"], repo.load_catalogue(uow))
            catalogue.check_group(category, data["volunteers_needed"])
            irepo.insert_series(uow, series)
            uow.commit()
        intake.generate_for_series(self.db, series["id"], now, *self._horizon())
        with self.db() as uow:
            return self._series_view(uow, irepo.get_series(uow, series["id"]))

    def _series_in_reach(self, uow, caller: Caller, series_id, lock: bool = False) -> dict:
        """The series if the caller may see it: its elder, its creator, staff in scope."""
        try:
            series_id = str(uuid.UUID(str(series_id)))
        except ValueError:
            raise _series_not_found(series_id) from None
        series = irepo.get_series(uow, series_id, lock=lock)
        if series is None:
            raise _series_not_found(series_id)
        if (caller.person_id or caller.client_id) in (series["elder_id"], series["created_by"]):
            return series
        if not (caller.has(*access.READ_ALL_ROLES) and caller.covers(series["region_code"])):
            raise _series_not_found(series_id)  # never reveal what exists outside scope
        return series

    @rpc
    def get_series(self, caller, series_id):
        caller = Caller.from_dict(caller)
        with self.db() as uow:
            return self._series_view(uow, self._series_in_reach(uow, caller, series_id))

    @rpc
    def list_series(self, caller, filters=None):
        caller = Caller.from_dict(caller)
        query = load(ischemas.SeriesListQuery(), filters)
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
        with self.db() as uow:
            rows = irepo.list_series(uow, region_prefix, elder_id, query["status"],
                                     query["limit"])
            return {"items": [self._series_view(uow, s) for s in rows]}

    @rpc
    def cancel_series(self, caller, series_id, data):
        """Stop a series: no new occurrences; its future occurrences nobody has taken yet are
        cancelled (``demand_cancelled`` each); assigned ones stay for the station to decide."""
        caller = Caller.from_dict(caller)
        data = load(ischemas.SeriesCancelSchema(), data)
        now = utcnow()
        with self.db() as uow:
            series = self._series_in_reach(uow, caller, series_id, lock=True)
            if (caller.person_id or caller.client_id) not in (series["elder_id"],
                                                              series["created_by"]):
                caller.require(*access.OPERATOR_ROLES)
            if series["status"] == "cancelled":
                return self._series_view(uow, series)  # a repeat changes nothing
            irepo.cancel_series(uow, series["id"], caller.person_id or caller.client_id, now,
                                data["reason"])
            for demand_id in irepo.future_occurrence_demands(uow, series["id"], now):
                demand = repo.get_demand(uow, demand_id, lock=True)
                if demand.status not in (SUBMITTED, PUBLISHED) or demand.assignments:
                    continue
                demand.cancel(caller.person_id, now, data["reason"])
                repo.save_demand(uow, demand)
                irepo.close_escalation(uow, demand.id, "cancelled", now)
                uow.emit("demand_cancelled", schemas.DemandCancelledEvent().dump(demand),
                         demand.region_code)
            uow.commit()
            return self._series_view(uow, irepo.get_series(uow, series["id"]))

    @scheduled("SERIES_GENERATION_SECONDS", 3600)
    def generate_series_occurrences(self):
        """Every process runs this; each (series, date) is created once (primary key)."""
        intake.generate_all(self.db, utcnow(), *self._horizon())

