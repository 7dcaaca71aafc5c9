"""marshmallow schemas of the matching service: consumed event payloads and the feed item."""
from marshmallow import EXCLUDE, Schema, fields, validate, validates_schema

from timebank_common.schemas import check_period_order

REGION_CODE = validate.Regexp(r"^\d{12}$", error="must be a 12-digit region code")


def _time(**kwargs):
    return fields.AwareDateTime(format="iso", **kwargs)


class _Event(Schema):
    class Meta:
        unknown = EXCLUDE


class Location(_Event):
    lat = fields.Float(required=True)
    lng = fields.Float(required=True)


class DemandPublishedEvent(_Event):
    demand_id = fields.String(required=True)
    elder_id = fields.String(required=True)
    category = fields.String(required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)
    window_start = _time(required=True)
    window_end = _time(required=True)
    expected_minutes = fields.Integer(required=True)
    volunteers_needed = fields.Integer(required=True, validate=validate.Range(min=1))
    location = fields.Nested(Location, load_default=None, allow_none=True)
    qualifications = fields.List(fields.String(), load_default=list)  # the category's required kinds
    priority = fields.Boolean(load_default=False)  # a priority (hardship) elder


class DemandAssignedEvent(_Event):
    demand_id = fields.String(required=True)
    open_slots = fields.Integer(required=True, validate=validate.Range(min=0))
    volunteer_id = fields.String(load_default=None)
    window_start = _time(load_default=None)
    window_end = _time(load_default=None)


class DemandCancelledEvent(_Event):
    demand_id = fields.String(required=True)


class DemandStartedEvent(_Event):
    """The first check-in (possibly before the window): no more volunteers for the demand."""
    demand_id = fields.String(required=True)
    open_slots = fields.Integer(load_default=0, validate=validate.Range(min=0))


class Envelope(_Event):
    event_id = fields.String(required=True)
    occurred_at = _time(required=True)


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


class AssignmentEndedEvent(_Event):
    """``assignment_withdrawn`` / ``assignment_no_show``."""
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    open_slots = fields.Integer(load_default=None, validate=validate.Range(min=0))


class ServiceRecordedEvent(_Event):
    record_id = fields.String(required=True)
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(load_default=None)
    minutes = fields.Integer(required=True, validate=validate.Range(min=0))
    recorded_at = _time(load_default=None)


class EvaluationSubmittedEvent(_Event):
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(required=True)
    score = fields.Integer(required=True, validate=validate.Range(min=1, max=5))


# --- identity events ---------------------------------------------------------------------------
class VolunteerEligibleEvent(_Event):
    person_id = fields.String(required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)
    qualifications = fields.List(fields.String(), load_default=None)  # valid kinds, when sent


class VolunteerSuspendedEvent(_Event):
    person_id = fields.String(required=True)
    region_code = fields.String(required=True, validate=REGION_CODE)


class QualificationEvent(_Event):
    """``qualification_expired`` (kind removed) / ``qualification_verified`` (kind added)."""
    person_id = fields.String(required=True)
    kind = fields.String(required=True)


class ElderPriorityGrantedEvent(_Event):
    person_id = fields.String(required=True)


# --- RPC inputs and outputs ------------------------------------------------------------------
HHMM = validate.Regexp(r"^([01]\d|2[0-4]):[0-5]\d$", error="must be HH:MM")


class AvailabilityWindow(Schema):
    weekday = fields.Integer(required=True, validate=validate.Range(min=0, max=6))
    start = fields.String(required=True, validate=HHMM)
    end = fields.String(required=True, validate=HHMM)


class PreferencesSchema(Schema):
    """Where and when a volunteer helps (matching's own data)."""
    home = fields.Nested(Location, required=True)
    radius_km = fields.Float(load_default=5.0, validate=validate.Range(min=0.5, max=30))
    availability = fields.List(fields.Nested(AvailabilityWindow), load_default=list)


class CandidateOut(Schema):
    volunteer_id = fields.String()
    score = fields.Float()
    distance_km = fields.Float()
    parts = fields.Dict(keys=fields.String(), values=fields.Float())


class CandidatesOut(Schema):
    demand_id = fields.String()
    weights = fields.Dict(keys=fields.String(), values=fields.Float())
    items = fields.List(fields.Nested(CandidateOut))


class DispatchSchema(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE)
    auto_apply = fields.Boolean(load_default=None)  # None: the region's setting


class RegionSettingSchema(Schema):
    auto_apply = fields.Boolean(required=True)


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
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "reject"]))


class StatsQuery(Schema):
    region_code = fields.String(required=True, validate=REGION_CODE)
    period_from = fields.Date(load_default=None)
    period_to = fields.Date(load_default=None)

    @validates_schema
    def _order(self, data, **kwargs):
        check_period_order(data)
