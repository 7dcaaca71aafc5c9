"""marshmallow schemas of claiming, withdrawal, no-shows, reliability and the reservation
saga (``rpc_assignment.py``, ``payments.py``; docs/rpc-and-events.md)."""
from marshmallow import EXCLUDE, Schema, fields, validate


class WithdrawSchema(Schema):
    reason = fields.String(required=True, validate=validate.Length(1, 500))


class ReliabilityOut(Schema):
    volunteer_id = fields.String()
    assigned = fields.Integer()
    completed = fields.Integer()
    withdrawn = fields.Integer()
    no_shows = fields.Integer()
    reliability = fields.Float(allow_none=True)  # completed / (completed + withdrawn + no-shows)


class NoShowFigures(Schema):
    no_shows = fields.Integer()
    withdrawals = fields.Integer()
    no_show_rate = fields.Float(allow_none=True)


# --- events demand emits ---------------------------------------------------------------
class AssignmentWithdrawnEvent(Schema):
    demand_id = fields.String()
    volunteer_id = fields.String()
    reason = fields.String()
    open_slots = fields.Integer()
    region_code = fields.String()


class AssignmentNoShowEvent(Schema):
    demand_id = fields.String()
    volunteer_id = fields.String()
    elder_id = fields.String()
    window_start = fields.DateTime(format="iso")
    region_code = fields.String()
    demand_cancelled = fields.Boolean()  # the window was over and nobody else was left


class ReservationRequestedEvent(Schema):
    assignment_id = fields.String()
    reservation_id = fields.String()
    demand_id = fields.String()
    elder_id = fields.String()
    volunteer_id = fields.String()
    volunteer_region_code = fields.String(allow_none=True)
    funding_source = fields.String()
    category = fields.String()
    minutes = fields.Integer()
    expires_at = fields.DateTime(format="iso")
    region_code = fields.String()


class ReservationReleasedEvent(Schema):
    assignment_id = fields.String()
    reservation_id = fields.String()
    demand_id = fields.String()
    reason = fields.String()


# --- events demand consumes (the ledger's replies) ----------------------------------------
class ReservationReplyIn(Schema):
    class Meta:
        unknown = EXCLUDE

    assignment_id = fields.String(required=True, validate=validate.Length(1, 64))
    demand_id = fields.String(required=True, validate=validate.Length(1, 64))
    reason = fields.String(load_default=None, allow_none=True)
