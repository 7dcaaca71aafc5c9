"""What the gateway and other services may use of notify: the inputs and answers of its RPCs,
the event it produces (``notification_failed``), and the enums and role sets callers need.

Imports only marshmallow and the kit's pure core (DESIGN.md §2). The payload schemas of the
events notify *consumes* are not here: they belong to their producers, whose contracts
notify's event handlers import (``demand.contracts``, ``ledger.contracts``,
``identity.contracts``).
"""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from timebank_common.caller import STATION_STAFF
from timebank_common.contracts import EventContract
from timebank_common.schemas import AsciiPattern, FreeText, PageQuery, SingleLineText, UuidText

CHANNELS = ("sms", "email", "call")
"""Outbound channels a person may choose; the in-app inbox is always on."""
LOCALES = ("zh-CN", "en")
CALL_OUTCOMES = ("reached", "no_answer", "wrong_number", "callback")
"""``reached`` and ``wrong_number`` close a call task; the others keep it open."""
CALL_TASK_STATUSES = ("open", "done")
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "dead", "skipped")

CALL_TASK_READERS = (*STATION_STAFF, "auditor")
"""Who sees call tasks: station operators (their station's), admins and auditors (their
region's)."""
CALL_TASK_RECORDERS = STATION_STAFF
"""Who records a call's outcome: station operators (their station's), admins in scope."""
TEMPLATE_READERS = ("province_admin", "city_admin", "county_admin", "auditor")
TEMPLATE_EDITORS = ("province_admin",)


# --- inbox ---------------------------------------------------------------------------------
class InboxQuery(PageQuery):
    """A page of the caller's own messages, newest first."""

    unread_only = fields.Boolean(load_default=False)


class DeliveryView(Schema):
    """How one message went out on one channel."""

    channel = fields.String(validate=validate.OneOf(CHANNELS))
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES))
    attempts = fields.Integer()
    sent_at = fields.AwareDateTime(format="iso", allow_none=True)


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
    deliveries = fields.List(fields.Nested(DeliveryView), dump_default=list)


class InboxPage(Schema):
    items = fields.List(fields.Nested(MessageView), required=True)
    total = fields.Integer(required=True)
    unread = fields.Integer(required=True, metadata={"description": "unread messages in all"})


# --- preferences ---------------------------------------------------------------------------
HH_MM = AsciiPattern(r"^([01][0-9]|2[0-3]):[0-5][0-9]$",
                        error="Use HH:MM, e.g. 22:00 / 请用“时:分”格式，如 22:00")


class QuietHours(Schema):
    """Quiet hours in China time (HH:MM); they may run over midnight."""

    start = fields.String(required=True, validate=HH_MM)
    end = fields.String(required=True, validate=HH_MM)


class QuietHoursView(Schema):
    start = fields.String()
    end = fields.String()
    time_zone = fields.String()


class PreferencesIn(Schema):
    """``channels``: outbound channels besides the inbox (always on); ``quiet_hours`` null
    = none; ``email`` needed for the e-mail channel."""

    channels = fields.List(fields.String(validate=validate.OneOf(CHANNELS)),
                           required=True, validate=validate.Length(max=3))
    quiet_hours = fields.Nested(QuietHours, allow_none=True, load_default=None)
    email = fields.Email(allow_none=True, load_default=None)
    locale = fields.String(load_default="zh-CN", validate=validate.OneOf(LOCALES))
    nearby_demands = fields.Boolean(load_default=False)


class PreferencesQuery(Schema):
    person_id = UuidText(load_default=None, metadata={"description": "an elder's id (staff only); "
                                                       "default: the caller"})


class PreferencesView(Schema):
    person_id = fields.String()
    channels = fields.List(fields.String())
    inbox = fields.Boolean()
    quiet_hours = fields.Nested(QuietHoursView, allow_none=True)
    email = fields.String(allow_none=True)
    locale = fields.String()
    nearby_demands = fields.Boolean()
    is_default = fields.Boolean()
    updated_at = fields.AwareDateTime(format="iso", allow_none=True)
    updated_by = fields.String(allow_none=True)


# --- call tasks ----------------------------------------------------------------------------
class CallTaskListQuery(PageQuery):
    """A station's calls: ``open`` (the default) or ``done``; urgent first, then oldest."""

    status = fields.String(load_default="open", allow_none=True,
                           validate=validate.OneOf(CALL_TASK_STATUSES))


class CallOutcomeIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(CALL_OUTCOMES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))


class CallAttempt(Schema):
    """One call an operator made, as recorded."""

    outcome = fields.String()
    note = fields.String(allow_none=True)
    by = fields.String(allow_none=True)
    at = fields.String(metadata={"description": "ISO 8601 time of the record"})


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
    attempts = fields.List(fields.Nested(CallAttempt))
    message_id = fields.String()
    created_at = fields.AwareDateTime(format="iso")
    closed_at = fields.AwareDateTime(format="iso", allow_none=True)


class CallTaskPage(Schema):
    items = fields.List(fields.Nested(CallTaskView), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)


# --- templates -----------------------------------------------------------------------------
class TemplateIn(Schema):
    title = SingleLineText(required=True, validate=validate.Length(1, 100))
    body = FreeText(required=True, validate=validate.Length(1, 500))


class TemplateView(Schema):
    event_type = fields.String()
    role = fields.String()
    locale = fields.String()
    title = fields.String()
    body = fields.String()
    updated_by = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime(format="iso", allow_none=True)


class TemplateList(Schema):
    items = fields.List(fields.Nested(TemplateView), required=True)


# --- internal: qualifications and dead deliveries --------------------------------------------
class QualificationCheck(Schema):
    checked = fields.Integer(required=True, metadata={"description": "qualifications expiring"})
    notified = fields.Integer(required=True, metadata={"description": "volunteers told now"})


class DeadDelivery(Schema):
    id = fields.String()
    message_id = fields.String()
    person_id = fields.String()
    channel = fields.String()
    kind = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime(format="iso")


class DeadDeliveries(Schema):
    items = fields.List(fields.Nested(DeadDelivery), required=True)


class DeliveryReplayed(Schema):
    delivery_id = fields.String(required=True)
    status = fields.String(required=True)


# --- events notify produces ------------------------------------------------------------------
class NotificationFailedPayload(Schema):
    """A delivery was dead-lettered (operators may follow up)."""

    delivery_id = fields.String()
    message_id = fields.String()
    person_id = fields.String()
    channel = fields.String()
    kind = fields.String()
    attempts = fields.Integer()
    last_error = fields.String(allow_none=True)


NOTIFICATION_FAILED = EventContract(
    "notify", "notification_failed", NotificationFailedPayload,
    "A delivery gave up (attempts used up, a permanent refusal, or a send interrupted by a "
    "dying process): an operator may check and replay it")

EVENTS = (NOTIFICATION_FAILED,)
