"""What the gateway and other services may import from matching: the inputs and outputs of its
RPCs, the events it produces and the values callers need.

Matching proposes, demand assigns and announces. Matching's own events (``EVENTS``, through
its outbox, in the transaction of the change) say what only it knows, for reporting's
supervision figures: a demand's first candidate, a dispatch run, a proposal's decision.
The payloads of the events it consumes from identity and demand are read with the producers'
contracts (``identity.contracts``, ``demand.contracts``), imported by its event handlers.
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema

from timebank_common.contracts import EventContract
from timebank_common.schemas import QUERY_DATES, AsciiPattern, check_period_order

REGION_CODE = AsciiPattern(r"^[0-9]{12}$", error="must be a 12-digit region code")
HHMM = AsciiPattern(r"^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
                    error="must be HH:MM between 00:00 and 24:00 / 须为 00:00 至 24:00 的时刻")

PROPOSAL_STATUSES = ("held", "applied", "rejected", "failed")
"""A dispatch proposal: held for an operator, then applied (demand assigned), rejected, or
failed (demand refused the assignment; ``error`` says why)."""


# --- events -------------------------------------------------------------------------------
class FirstCandidateFoundEvent(Schema):
    """A published demand had its first candidate (a candidates query or a dispatch run):
    once per demand. ``seconds_since_publication``: the wait (null when the publication
    was not heard)."""

    demand_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    region_code = fields.String(required=True, validate=REGION_CODE)
    published_at = fields.AwareDateTime(format="iso", load_default=None, allow_none=True)
    found_at = fields.AwareDateTime(format="iso", required=True)
    seconds_since_publication = fields.Float(load_default=None, allow_none=True)


class DispatchRunEvent(Schema):
    """A dispatch run of a region: how many proposals it made (each held until decided)."""

    run_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    region_code = fields.String(required=True, validate=REGION_CODE)
    started_at = fields.AwareDateTime(format="iso", required=True)
    proposed = fields.Integer(required=True, validate=validate.Range(min=0))


class ProposalDecidedEvent(Schema):
    """A held dispatch proposal became applied, rejected or failed; ``created_at``: when its
    run made it (the figures count proposals by that day)."""

    proposal_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    run_id = fields.String(required=True)
    demand_id = fields.String(required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)
    status = fields.String(required=True, validate=validate.OneOf(PROPOSAL_STATUSES[1:]))
    created_at = fields.AwareDateTime(format="iso", required=True)


FIRST_CANDIDATE_FOUND = EventContract(
    "matching", "first_candidate_found", FirstCandidateFoundEvent,
    "A published demand had its first candidate (once per demand)")
DISPATCH_RUN = EventContract(
    "matching", "dispatch_run", DispatchRunEvent,
    "A dispatch run of a region made its proposals (held until decided)")
PROPOSAL_DECIDED = EventContract(
    "matching", "proposal_decided", ProposalDecidedEvent,
    "A dispatch proposal was applied, rejected or failed")
EVENTS: tuple[EventContract, ...] = (FIRST_CANDIDATE_FOUND, DISPATCH_RUN, PROPOSAL_DECIDED)
"""Every event matching produces."""
DECISIONS = ("approve", "reject")
CANDIDATES_SHOWN = 20  # candidates_for's default limit
MOST_CANDIDATES = 100  # and its largest


def _time(**kwargs: Any) -> fields.AwareDateTime:
    return fields.AwareDateTime(format="iso", **kwargs)


# --- volunteers' preferences ---------------------------------------------------------------
# Hebei (with Beijing and Tianjin inside it) spans about lat 36.0–42.7, lng 113.4–119.9; a home
# a little beyond (a volunteer living just across the border) is still accepted. A latitude of
# 1000 overflowed the grid cell (bigint) before it was refused here.
HOME_LAT = (35.5, 43.2)
HOME_LNG = (112.9, 120.4)
PROVINCE_LAT = validate.Range(min=HOME_LAT[0], max=HOME_LAT[1], error=(
    f"须为河北省及周边的纬度（{HOME_LAT[0]}–{HOME_LAT[1]}）"
    f" / must be a latitude in or near Hebei ({HOME_LAT[0]}–{HOME_LAT[1]})"))
PROVINCE_LNG = validate.Range(min=HOME_LNG[0], max=HOME_LNG[1], error=(
    f"须为河北省及周边的经度（{HOME_LNG[0]}–{HOME_LNG[1]}）"
    f" / must be a longitude in or near Hebei ({HOME_LNG[0]}–{HOME_LNG[1]})"))


class Location(Schema):
    """A place in or near Hebei (degrees, WGS-84): a home anywhere else cannot be a
    volunteer's of this province's platform."""

    class Meta:
        unknown = EXCLUDE

    lat = fields.Float(required=True, validate=PROVINCE_LAT)
    lng = fields.Float(required=True, validate=PROVINCE_LNG)


class AvailabilityWindow(Schema):
    """Weekly hours on one weekday (0 = Monday), Beijing time: ``start`` before ``end``,
    00:00–24:00 (an evening past midnight is two windows)."""

    weekday = fields.Integer(required=True, validate=validate.Range(min=0, max=6))
    start = fields.String(required=True, validate=HHMM)
    end = fields.String(required=True, validate=HHMM)

    @validates_schema
    def _ends_after_it_starts(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError("须晚于开始时间 / must be after start", "end")


class PreferencesSchema(Schema):
    """Where and when a volunteer helps (matching's own data)."""
    home = fields.Nested(Location, required=True)
    radius_km = fields.Float(load_default=5.0, validate=validate.Range(min=0.5, max=30))
    availability = fields.List(fields.Nested(AvailabilityWindow), load_default=list)


class PreferencesOut(Schema):
    """A volunteer's home, service radius (km) and weekly hours (none: any time)."""
    volunteer_id = fields.String(required=True)
    home = fields.Nested(Location, required=True)
    radius_km = fields.Float(required=True)
    availability = fields.List(fields.Nested(AvailabilityWindow), required=True)


# --- feed ----------------------------------------------------------------------------------
class FeedItem(Schema):
    demand_id = fields.String(required=True)
    category = fields.String(required=True)
    region_code = fields.String(required=True)
    window_start = _time(required=True)
    window_end = _time(required=True)
    expected_minutes = fields.Integer(required=True)
    open_slots = fields.Integer(required=True)
    priority_elder = fields.Boolean(metadata={
        "description": "only when matching knows the volunteer's home"})
    distance_km = fields.Float(metadata={
        "description": "only when matching knows the volunteer's home"})


class FeedOut(Schema):
    """Open demands ranked for one volunteer."""
    items = fields.List(fields.Nested(FeedItem), required=True)


# --- candidates ----------------------------------------------------------------------------
class CandidateOut(Schema):
    volunteer_id = fields.String(required=True)
    score = fields.Float(required=True)
    distance_km = fields.Float(required=True)
    parts = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)


class CandidatesOut(Schema):
    demand_id = fields.String(required=True)
    weights = fields.Dict(keys=fields.String(), values=fields.Float(), required=True)
    items = fields.List(fields.Nested(CandidateOut), required=True)


# --- dispatch ------------------------------------------------------------------------------
class DispatchSchema(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE)
    auto_apply = fields.Boolean(load_default=None)  # None: the region's setting


class RegionSettingSchema(Schema):
    auto_apply = fields.Boolean(required=True)


class RegionSettingOut(Schema):
    """Whether dispatch in a region (and the regions under it without their own setting)
    assigns at once or holds proposals for approval."""
    region_code = fields.String(required=True)
    auto_apply = fields.Boolean(required=True)


class ProposalOut(Schema):
    proposal_id = fields.String(required=True)
    run_id = fields.String(required=True)
    region_code = fields.String(required=True)
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    distance_km = fields.Float(required=True)
    status = fields.String(required=True)
    created_at = _time(required=True)
    decided_by = fields.String(allow_none=True, required=True)
    decided_at = _time(allow_none=True, required=True)
    error = fields.String(allow_none=True, required=True)


class ProposalsOut(Schema):
    """Proposals in the caller's scope, newest first (at most 200)."""
    items = fields.List(fields.Nested(ProposalOut), required=True)


class DispatchOut(Schema):
    run_id = fields.String(required=True)
    region_code = fields.String(required=True)
    auto_apply = fields.Boolean(required=True)
    demands = fields.Integer(required=True)
    slots = fields.Integer(required=True)
    proposed = fields.Integer(required=True)
    applied = fields.Integer(required=True)
    held = fields.Integer(required=True)
    failed = fields.Integer(required=True)
    proposals = fields.List(fields.Nested(ProposalOut), required=True)


class DecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))


# --- statistics ----------------------------------------------------------------------------
class StatsQuery(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE)
    period_from = fields.Date(load_default=None, validate=QUERY_DATES)
    period_to = fields.Date(load_default=None, validate=QUERY_DATES)

    @validates_schema
    def _order(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_period_order(data)


class WaitSeconds(Schema):
    median = fields.Float(allow_none=True, required=True)
    mean = fields.Float(allow_none=True, required=True)


class ProposalOutcomes(Schema):
    applied = fields.Integer(required=True)
    held = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    failed = fields.Integer(required=True)


class DispatchFigures(Schema):
    runs = fields.Integer(required=True)
    proposals = fields.Nested(ProposalOutcomes, required=True)


class StatsOut(Schema):
    """Demands published in the region and period (China days), how many were assigned
    (``match_rate`` = assigned / published), had a candidate, and how long the first
    candidate took; dispatch runs and their proposals' outcomes."""
    region_code = fields.String(required=True)
    published = fields.Integer(required=True)
    assigned = fields.Integer(required=True)
    match_rate = fields.Float(allow_none=True, required=True)
    with_candidate = fields.Integer(required=True)
    time_to_first_candidate_seconds = fields.Nested(WaitSeconds, required=True)
    dispatch = fields.Nested(DispatchFigures, required=True)


# --- rebuild -------------------------------------------------------------------------------
class RebuildCounts(Schema):
    """What the read models hold after a rebuild."""
    volunteers = fields.Integer()
    open_demands = fields.Integer()
    assignments = fields.Integer()
    priority_elders = fields.Integer()
    service_records = fields.Integer()
