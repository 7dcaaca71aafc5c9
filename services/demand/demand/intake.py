"""Intake steps shared by submission and recurring series: admit one new demand inside a
unit of work (category offered, group rule, no overlapping duplicate for the elder), and
the escalation and series jobs the timers run."""
from __future__ import annotations

import datetime as dt
import uuid

from timebank_common.errors import BadInput, Conflict

from . import intake_metrics, schemas
from . import intake_repository as irepo
from . import repository as repo
from .domain import catalogue, rules
from .domain.lifecycle import Demand
from .domain.series import Recurrence, china_today, due_occurrences
from .intake_schemas import DemandReviewOverdueEvent


def admit_demand(uow, content: dict, *, elder_id: str, region_code: str,
                 carrier_id: str | None, submitted_by: str | None, channel: str) -> Demand:
    """Insert a ``submitted`` demand and its ``demand_submitted`` event (not committed).
    ``content``: category, description, address, location, window_start/end,
    expected_minutes, volunteers_needed. Raises ``duplicate_demand`` (409) with the id of
    the elder's overlapping demand of the same category."""
    category = catalogue.require_offered(content["category"], repo.load_catalogue(uow))
    catalogue.check_group(category, content["volunteers_needed"])
    repo.lock_key(uow, "elder", elder_id)
    rules.refuse_duplicate(content["window_start"], content["window_end"],
                           repo.live_same_category(uow, elder_id, category.code))
    demand = Demand(
        id=str(uuid.uuid4()), elder_id=elder_id, category=category.code,
        region_code=region_code, window_start=content["window_start"],
        window_end=content["window_end"], expected_minutes=content["expected_minutes"],
        volunteers_needed=content["volunteers_needed"], channel=channel,
        description=content["description"], address=content["address"],
        location=content.get("location"), carrier_id=carrier_id, submitted_by=submitted_by,
    )
    repo.insert_demand(uow, demand)
    uow.emit("demand_submitted", schemas.DemandSubmittedEvent().dump(demand), demand.region_code)
    return demand


# --- escalation of unreviewed demands ----------------------------------------------------
def escalate_overdue(uow_factory, now: dt.datetime, review_seconds: float,
                     batch: int = 500) -> list[dict]:
    """One escalation (and one ``demand_review_overdue``) per demand unreviewed for
    ``review_seconds``; safe to run in several processes at once (primary key)."""
    with uow_factory() as uow:
        opened = irepo.escalate_overdue(uow, now - dt.timedelta(seconds=review_seconds), now,
                                        batch)
        for escalation in opened:
            uow.emit("demand_review_overdue", DemandReviewOverdueEvent().dump(escalation),
                     escalation["region_code"])
        uow.commit()
    intake_metrics.ESCALATIONS.inc(len(opened))
    return opened


# --- recurring series ------------------------------------------------------------------------
def recurrence_of(series: dict) -> Recurrence:
    return Recurrence(series["frequency"], series["start_date"], series["end_date"],
                      tuple(series["weekdays"] or ()), series["interval_days"])


def generate_for_series(uow_factory, series_id: str, now: dt.datetime, horizon_days: int,
                        lead: dt.timedelta) -> list[str]:
    """Create the series' due occurrences; each (series, date) at most once, ever: the
    series row is locked and each date is claimed in ``series_occurrences`` in the same
    transaction as its demand. Returns the new demand ids."""
    created, skipped = [], 0
    with uow_factory() as uow:
        series = irepo.get_series(uow, series_id, lock=True)
        if series is None or series["status"] != "active":
            return created
        due = due_occurrences(recurrence_of(series), series["time_of_day"],
                              series["window_minutes"], now, horizon_days, lead)
        for day, start, end in due:
            if not irepo.claim_occurrence(uow, series_id, day):
                continue
            content = {**{k: series[k] for k in ("category", "description", "address",
                                                 "expected_minutes", "volunteers_needed")},
                       "location": _location(series), "window_start": start, "window_end": end}
            try:  # every refusal comes before admit_demand writes anything
                demand = admit_demand(
                    uow, content, elder_id=series["elder_id"],
                    region_code=series["region_code"], carrier_id=series["carrier_id"],
                    submitted_by=series["created_by"], channel=series["channel"])
            except Conflict:
                irepo.settle_occurrence(uow, series_id, day, None, "duplicate_demand")
                skipped += 1
            except BadInput as exc:  # e.g. the category was withdrawn from the catalogue
                irepo.settle_occurrence(uow, series_id, day, None, exc.code)
                skipped += 1
            else:
                irepo.settle_occurrence(uow, series_id, day, demand.id, None)
                created.append(demand.id)
        uow.commit()
    intake_metrics.OCCURRENCES.labels("created").inc(len(created))
    intake_metrics.OCCURRENCES.labels("skipped").inc(skipped)
    return created


def generate_all(uow_factory, now: dt.datetime, horizon_days: int, lead: dt.timedelta) -> int:
    """Every active series, one transaction each; the number of demands created."""
    with uow_factory() as uow:
        ids = irepo.active_series_ids(uow, china_today(now))
    return sum(len(generate_for_series(uow_factory, i, now, horizon_days, lead)) for i in ids)


def _location(series: dict) -> dict | None:
    if series["location_lat"] is None or series["location_lng"] is None:
        return None
    return {"lat": series["location_lat"], "lng": series["location_lng"]}

