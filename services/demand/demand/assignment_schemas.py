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


class DemandStartedEvent(Schema):
    """The first check-in on a demand, whenever it comes (before the window too): the service
    is under way and the demand takes no more volunteers, so ``open_slots`` is 0 (matching
    takes the demand out of feeds, candidates and dispatch). Once per demand."""

    demand_id = fields.String()
    volunteer_id = fields.String()  # who checked in first
    started_at = fields.DateTime(format="iso")  # their check-in time
    window_start = fields.DateTime(format="iso")
    open_slots = fields.Integer()  # 0: nobody can claim it any more
    slots_closed = fields.Integer()  # slots still open before this check-in (0 when full)
    region_code = fields.String()


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
