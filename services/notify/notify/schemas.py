"""marshmallow schemas of the notify service: RPC inputs and outputs, consumed event payloads."""
from marshmallow import EXCLUDE, Schema, fields, validate


class InboxQuery(Schema):
    page = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=20, strict=True, validate=validate.Range(1, 100))
    unread_only = fields.Boolean(load_default=False)


class MessageView(Schema):
    """One inbox message; ``title``/``body`` are Chinese, ``*_en`` English."""

    id = fields.String()
    kind = fields.String()
    title = fields.String(attribute="title_zh")
    body = fields.String(attribute="body_zh")
    title_en = fields.String()
    body_en = fields.String()
    data = fields.Dict()
    created_at = fields.AwareDateTime(format="iso")
    read_at = fields.AwareDateTime(format="iso", allow_none=True)
    deliveries = fields.List(fields.Nested(lambda: DeliveryView()), dump_default=list)


class HoursCreditedEvent(Schema):
    """ledger ``hours_credited`` payload (docs/rpc-and-events.md)."""

    class Meta:
        unknown = EXCLUDE

    transfer_id = fields.String(required=True)
    person_id = fields.String(required=True)
    minutes = fields.Integer(required=True)
    balance_minutes = fields.Integer(required=True)
    kind = fields.String(load_default=None, allow_none=True)
    record_id = fields.String(load_default=None, allow_none=True)
    demand_id = fields.String(load_default=None, allow_none=True)


class DemandAssignedEvent(Schema):
    """demand ``demand_assigned`` payload; times stay ISO strings with offset."""

    class Meta:
        unknown = EXCLUDE

    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    window_start = fields.String(required=True)
    window_end = fields.String(required=True)
    open_slots = fields.Integer(load_default=None, allow_none=True)


# --- events consumed with the channels (EXCLUDE: producers may add fields) ------------------
class _Event(Schema):
    class Meta:
        unknown = EXCLUDE


class DemandPublishedEvent(_Event):
    demand_id = fields.String(required=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    category = fields.String(load_default=None, allow_none=True)
    region_code = fields.String(load_default=None, allow_none=True)
    window_start = fields.String(required=True)
    window_end = fields.String(required=True)
    location = fields.Raw(load_default=None, allow_none=True)


class DemandCancelledEvent(_Event):
    demand_id = fields.String(required=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    reason = fields.String(load_default=None, allow_none=True)
    volunteer_ids = fields.List(fields.String(), load_default=list)
    window_start = fields.String(load_default=None, allow_none=True)
    window_end = fields.String(load_default=None, allow_none=True)


class ServiceRecordedEvent(_Event):
    record_id = fields.String(required=True)
    demand_id = fields.String(load_default=None, allow_none=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    minutes = fields.Integer(required=True)


class HoursGivenEvent(_Event):
    transfer_id = fields.String(required=True)
    kind = fields.String(required=True,
                         validate=validate.OneOf(["gift_to_relative", "donation"]))
    from_person_id = fields.String(required=True)
    to_person_id = fields.String(load_default=None, allow_none=True)
    minutes = fields.Integer(required=True)


class MilestoneReachedEvent(_Event):
    person_id = fields.String(required=True)
    level = fields.Integer(required=True)
    cumulative_minutes = fields.Integer(required=True)
    transfer_id = fields.String(load_default=None, allow_none=True)


class CertificateIssuedEvent(_Event):
    number = fields.String(required=True)
    person_id = fields.String(required=True)
    period_from = fields.String(load_default=None, allow_none=True)
    period_to = fields.String(load_default=None, allow_none=True)
    total_minutes = fields.Integer(required=True)


class ReviewOverdueEvent(_Event):
    demand_id = fields.String(required=True)
    region_code = fields.String(load_default=None, allow_none=True)
    township_code = fields.String(load_default=None, allow_none=True)
    carrier_id = fields.String(load_default=None, allow_none=True)
    submitted_at = fields.String(required=True)
    escalated_at = fields.String(load_default=None, allow_none=True)


class DisputeOpenedEvent(_Event):
    dispute_id = fields.String(required=True)
    subject = fields.String(load_default=None, allow_none=True)
    record_id = fields.String(load_default=None, allow_none=True)
    demand_id = fields.String(load_default=None, allow_none=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    opened_by = fields.String(load_default=None, allow_none=True)
    opener_role = fields.String(load_default=None, allow_none=True)
    region_code = fields.String(required=True)


class DisputeResolvedEvent(_Event):
    """``volunteer_id``/``elder_id``/``opened_by``: who hears the outcome (older events
    without them: the parties notify remembered from ``service_recorded``/``dispute_opened``)."""

    dispute_id = fields.String(required=True)
    subject = fields.String(load_default=None, allow_none=True)
    record_id = fields.String(load_default=None, allow_none=True)
    demand_id = fields.String(load_default=None, allow_none=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    opened_by = fields.String(load_default=None, allow_none=True)
    outcome = fields.String(required=True)
    minutes = fields.Integer(load_default=None, allow_none=True)
    region_code = fields.String(load_default=None, allow_none=True)


class FollowUpOpenedEvent(_Event):
    """demand ``follow_up_opened``: a task for the station (a low score, or a record the
    elder has not confirmed)."""

    follow_up_id = fields.String(required=True)
    kind = fields.String(required=True)
    demand_id = fields.String(load_default=None, allow_none=True)
    record_id = fields.String(load_default=None, allow_none=True)
    evaluation_id = fields.String(load_default=None, allow_none=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)
    region_code = fields.String(required=True)
    carrier_id = fields.String(load_default=None, allow_none=True)
    score = fields.Integer(load_default=None, allow_none=True)


class ConfirmationOverdueEvent(_Event):
    """demand ``record_confirmation_overdue``: the elder has not confirmed a record."""

    record_id = fields.String(required=True)
    demand_id = fields.String(load_default=None, allow_none=True)
    elder_id = fields.String(required=True)
    volunteer_id = fields.String(load_default=None, allow_none=True)
    minutes = fields.Integer(load_default=None, allow_none=True)
    recorded_at = fields.String(required=True)
    region_code = fields.String(load_default=None, allow_none=True)
    carrier_id = fields.String(load_default=None, allow_none=True)


class AssignmentWithdrawnEvent(_Event):
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    reason = fields.String(load_default=None, allow_none=True)
    open_slots = fields.Integer(load_default=None, allow_none=True)
    region_code = fields.String(load_default=None, allow_none=True)


class AssignmentNoShowEvent(_Event):
    demand_id = fields.String(required=True)
    volunteer_id = fields.String(required=True)
    elder_id = fields.String(load_default=None, allow_none=True)
    window_start = fields.String(required=True)
    region_code = fields.String(load_default=None, allow_none=True)


class VolunteerEligibleEvent(_Event):
    person_id = fields.String(required=True)
    region_code = fields.String(load_default=None, allow_none=True)


class ReasonText(_Event):
    code = fields.String(required=True)
    zh = fields.String(required=True)
    en = fields.String(required=True)


class VolunteerSuspendedEvent(_Event):
    person_id = fields.String(required=True)
    region_code = fields.String(load_default=None, allow_none=True)
    reasons = fields.List(fields.String(), load_default=list)
    reason_texts = fields.List(fields.Nested(ReasonText), load_default=list)


# --- preferences and call tasks (RPC) --------------------------------------------------------
HH_MM = validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$",
                        error="Use HH:MM, e.g. 22:00 / 请用“时:分”格式，如 22:00")


class QuietHours(Schema):
    start = fields.String(required=True, validate=HH_MM)
    end = fields.String(required=True, validate=HH_MM)


class PreferencesIn(Schema):
    """``channels``: outbound channels besides the inbox (always on); ``quiet_hours`` null
    = none; ``email`` needed for the e-mail channel."""

    channels = fields.List(fields.String(validate=validate.OneOf(["sms", "email", "call"])),
                           required=True, validate=validate.Length(max=3))
    quiet_hours = fields.Nested(QuietHours, allow_none=True, load_default=None)
    email = fields.Email(allow_none=True, load_default=None)
    locale = fields.String(load_default="zh-CN", validate=validate.OneOf(["zh-CN", "en"]))
    nearby_demands = fields.Boolean(load_default=False)


class PreferencesView(Schema):
    person_id = fields.String()
    channels = fields.List(fields.String())
    inbox = fields.Boolean()
    quiet_hours = fields.Dict(allow_none=True)
    email = fields.String(allow_none=True)
    locale = fields.String()
    nearby_demands = fields.Boolean()
    is_default = fields.Boolean()
    updated_at = fields.AwareDateTime(format="iso", allow_none=True)
    updated_by = fields.String(allow_none=True)


class CallTaskQuery(Schema):
    status = fields.String(load_default="open", allow_none=True,
                           validate=validate.OneOf(["open", "done"]))
    page = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1))
    page_size = fields.Integer(load_default=50, strict=True, validate=validate.Range(1, 200))


class CallOutcomeIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(
        ["reached", "no_answer", "wrong_number", "callback"]))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class CallTaskView(Schema):
    id = fields.String()
    elder_id = fields.String()
    elder_name = fields.String()
    carrier_id = fields.String()
    region_code = fields.String(allow_none=True)
    kind = fields.String()
    script = fields.String()
    urgent = fields.Boolean()
    status = fields.String()
    outcome = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    attempts = fields.List(fields.Dict())
    message_id = fields.String()
    created_at = fields.AwareDateTime(format="iso")
    closed_at = fields.AwareDateTime(format="iso", allow_none=True)


class DeliveryView(Schema):
    channel = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    sent_at = fields.AwareDateTime(format="iso", allow_none=True)


class NotificationFailedEvent(Schema):
    """``notification_failed``: a delivery was dead-lettered (operators may follow up)."""

    delivery_id = fields.String()
    message_id = fields.String()
    person_id = fields.String()
    channel = fields.String()
    kind = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)


class TemplateIn(Schema):
    title = fields.String(required=True, validate=validate.Length(1, 100))
    body = fields.String(required=True, validate=validate.Length(1, 500))


class TemplateView(Schema):
    event_type = fields.String()
    role = fields.String()
    locale = fields.String()
    title = fields.String()
    body = fields.String()
    updated_by = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime(format="iso", allow_none=True)
