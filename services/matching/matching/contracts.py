"""What the gateway and other services may import from matching: the inputs and outputs of its
RPCs, the events it produces and the values callers need.

Matching produces no events (``EVENTS`` is empty): it proposes, demand assigns and announces.
The payloads of the events it consumes from identity and demand are read with the producers'
contracts (``identity.contracts``, ``demand.contracts``), imported by its event handlers.
"""
from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, fields, validate, validates_schema

from timebank_common.contracts import EventContract
from timebank_common.schemas import AsciiPattern, check_period_order

EVENTS: tuple[EventContract, ...] = ()

REGION_CODE = AsciiPattern(r"^[0-9]{12}$", error="must be a 12-digit region code")
HHMM = AsciiPattern(r"^([01][0-9]|2[0-4]):[0-5][0-9]$", error="must be HH:MM")

PROPOSAL_STATUSES = ("held", "applied", "rejected", "failed")
"""A dispatch proposal: held for an operator, then applied (demand assigned), rejected, or
failed (demand refused the assignment; ``error`` says why)."""
DECISIONS = ("approve", "reject")
CANDIDATES_SHOWN = 20  # candidates_for's default limit
MOST_CANDIDATES = 100  # and its largest


def _time(**kwargs: Any) -> fields.AwareDateTime:
    return fields.AwareDateTime(format="iso", **kwargs)


# --- volunteers' preferences ---------------------------------------------------------------
CHINA_LAT = validate.Range(min=3.8, max=53.6, error="must be a latitude within China")
CHINA_LNG = validate.Range(min=73.4, max=135.1, error="must be a longitude within China")


class Location(Schema):
    """A place in China (degrees, WGS-84): a home anywhere else cannot be a volunteer's of
    this province's platform."""

    class Meta:
        unknown = EXCLUDE

    lat = fields.Float(required=True, validate=CHINA_LAT)
    lng = fields.Float(required=True, validate=CHINA_LNG)


class AvailabilityWindow(Schema):
    weekday = fields.Integer(required=True, validate=validate.Range(min=0, max=6))
    start = fields.String(required=True, validate=HHMM)
    end = fields.String(required=True, validate=HHMM)


class PreferencesSchema(Schema):
    """Where and when a volunteer helps (matching's own data)."""
    home = fields.Nested(Location, required=True)
    radius_km = fields.Float(load_default=5.0, validate=validate.Range(min=0.5, max=30))
    availability = fields.List(fields.Nested(AvailabilityWindow), load_default=list)


class PreferencesOut(Schema):
    """A volunteer's home, service radius (km) and weekly hours (none: any time)."""
    volunteer_id = fields.String()
    home = fields.Nested(Location)
    radius_km = fields.Float()
    availability = fields.List(fields.Nested(AvailabilityWindow))


# --- feed ----------------------------------------------------------------------------------
class FeedItem(Schema):
    demand_id = fields.String()
    category = fields.String()
    region_code = fields.String()
    window_start = _time()
    window_end = _time()
    expected_minutes = fields.Integer()
    open_slots = fields.Integer()
    priority_elder = fields.Boolean()  # only when matching knows the volunteer's home
    distance_km = fields.Float()  # idem


class FeedOut(Schema):
    """Open demands ranked for one volunteer."""
    items = fields.List(fields.Nested(FeedItem))


# --- candidates ----------------------------------------------------------------------------
class CandidateOut(Schema):
    volunteer_id = fields.String()
    score = fields.Float()
    distance_km = fields.Float()
    parts = fields.Dict(keys=fields.String(), values=fields.Float())


class CandidatesOut(Schema):
    demand_id = fields.String()
    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    items = fields.List(fields.Nested(CandidateOut))


# --- dispatch ------------------------------------------------------------------------------
class DispatchSchema(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE)
    auto_apply = fields.Boolean(load_default=None)  # None: the region's setting


class RegionSettingSchema(Schema):
    auto_apply = fields.Boolean(required=True)


class RegionSettingOut(Schema):
    """Whether dispatch in a region (and the regions under it without their own setting)
    assigns at once or holds proposals for approval."""
    region_code = fields.String()
    auto_apply = fields.Boolean()


class ProposalOut(Schema):
    proposal_id = fields.String()
    run_id = fields.String()
    region_code = fields.String()
    demand_id = fields.String()
    volunteer_id = fields.String()
    distance_km = fields.Float()
    status = fields.String()
    created_at = _time()
    decided_by = fields.String(allow_none=True)
    decided_at = _time(allow_none=True)
    error = fields.String(allow_none=True)


class ProposalsOut(Schema):
    """Proposals in the caller's scope, newest first (at most 200)."""
    items = fields.List(fields.Nested(ProposalOut))


class DispatchOut(Schema):
    run_id = fields.String()
    region_code = fields.String()
    auto_apply = fields.Boolean()
    demands = fields.Integer()
    slots = fields.Integer()
    proposed = fields.Integer()
    applied = fields.Integer()
    held = fields.Integer()
    failed = fields.Integer()
    proposals = fields.List(fields.Nested(ProposalOut))


class DecisionSchema(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(DECISIONS))


# --- statistics ----------------------------------------------------------------------------
class StatsQuery(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE)
    period_from = fields.Date(load_default=None)
    period_to = fields.Date(load_default=None)

    @validates_schema
    def _order(self, data: dict[str, Any], **kwargs: Any) -> None:
        check_period_order(data)


class WaitSeconds(Schema):
    median = fields.Float(allow_none=True)
    mean = fields.Float(allow_none=True)


class ProposalOutcomes(Schema):
    applied = fields.Integer()
    held = fields.Integer()
    rejected = fields.Integer()
    failed = fields.Integer()


class DispatchFigures(Schema):
    runs = fields.Integer()
    proposals = fields.Nested(ProposalOutcomes)


class StatsOut(Schema):
    """Demands published in the region and period (China days), how many were assigned
    (``match_rate`` = assigned / published), had a candidate, and how long the first
    candidate took; dispatch runs and their proposals' outcomes."""
    region_code = fields.String()
    published = fields.Integer()
    assigned = fields.Integer()
    match_rate = fields.Float(allow_none=True)
    with_candidate = fields.Integer()
    time_to_first_candidate_seconds = fields.Nested(WaitSeconds)
    dispatch = fields.Nested(DispatchFigures)


# --- rebuild -------------------------------------------------------------------------------
class RebuildCounts(Schema):
    """What the read models hold after a rebuild."""
    volunteers = fields.Integer()
    open_demands = fields.Integer()
    assignments = fields.Integer()
    priority_elders = fields.Integer()
    service_records = fields.Integer()
