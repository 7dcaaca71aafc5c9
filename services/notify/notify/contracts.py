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

    channel = fields.String(validate=validate.OneOf(CHANNELS), required=True)
    status = fields.String(validate=validate.OneOf(DELIVERY_STATUSES), required=True)
    attempts = fields.Integer(required=True)
    sent_at = fields.AwareDateTime(format="iso", allow_none=True, required=True)


class MessageView(Schema):
    """One inbox message; ``title``/``body`` are Chinese, ``*_en`` English."""

    id = fields.String(required=True)
    kind = fields.String(required=True)
    title = fields.String(attribute="title_zh", required=True)
    body = fields.String(attribute="body_zh", required=True)
    title_en = fields.String(required=True)
    body_en = fields.String(required=True)
    data = fields.Dict(required=True)
    created_at = fields.AwareDateTime(format="iso", required=True)
    read_at = fields.AwareDateTime(format="iso", allow_none=True, required=True)
    deliveries = fields.List(fields.Nested(DeliveryView), dump_default=list, required=True)


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
    start = fields.String(required=True)
    end = fields.String(required=True)
    time_zone = fields.String(required=True)


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
    person_id = fields.String(required=True)
    channels = fields.List(fields.String(), required=True)
    inbox = fields.Boolean(required=True)
    quiet_hours = fields.Nested(QuietHoursView, allow_none=True, required=True)
    email = fields.String(allow_none=True, required=True)
    locale = fields.String(required=True)
    nearby_demands = fields.Boolean(required=True)
    is_default = fields.Boolean(required=True)
    updated_at = fields.AwareDateTime(format="iso", allow_none=True, required=True)
    updated_by = fields.String(allow_none=True, required=True)


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

    outcome = fields.String(required=True)
    note = fields.String(allow_none=True, required=True)
    by = fields.String(allow_none=True, required=True)
    at = fields.String(metadata={"description": "ISO 8601 time of the record"}, required=True)


class CallTaskView(Schema):
    id = fields.String(required=True)
    elder_id = fields.String(required=True)
    elder_name = fields.String(required=True)
    carrier_id = fields.String(required=True)
    region_code = fields.String(allow_none=True, required=True)
    kind = fields.String(required=True)
    script = fields.String(required=True)
    urgent = fields.Boolean(required=True)
    status = fields.String(required=True)
    outcome = fields.String(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)
    attempts = fields.List(fields.Nested(CallAttempt), required=True)
    message_id = fields.String(required=True)
    created_at = fields.AwareDateTime(format="iso", required=True)
    closed_at = fields.AwareDateTime(format="iso", allow_none=True, required=True)


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
    event_type = fields.String(required=True)
    role = fields.String(required=True)
    locale = fields.String(required=True)
    title = fields.String(required=True)
    body = fields.String(required=True)
    updated_by = fields.String(allow_none=True, required=True)
    updated_at = fields.AwareDateTime(format="iso", allow_none=True, required=True)


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


# --- the change feed and webhooks of municipal systems (api_client) ----------------------------
CHANGE_READERS = ("api_client",)
"""Who reads the change feed and keeps webhooks: municipal systems, for their own city."""
CHANGE_KINDS = ("demand", "service_record", "credit", "person")
WEBHOOK_DELIVERY_STATUSES = ("pending", "sending", "delivered", "failed", "dead", "cancelled")
CHANGES_PAGE_MAX = 500
CURSOR_MAX_LENGTH = 64


class ChangesQuery(Schema):
    """Where to go on from: ``cursor`` is the ``next_cursor`` of the previous answer (opaque;
    absent: from the oldest change still kept)."""

    cursor = fields.String(load_default=None, validate=validate.Length(min=1, max=CURSOR_MAX_LENGTH),
                           metadata={"description": "next_cursor of the previous page (opaque)"})
    limit = fields.Integer(load_default=100, strict=False,
                           validate=validate.Range(min=1, max=CHANGES_PAGE_MAX))


class ChangeItem(Schema):
    """One change in the city: ``sequence`` grows in the order changes were committed."""

    sequence = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CHANGE_KINDS))
    entity_id = fields.String(required=True)
    event = fields.String(required=True, metadata={"description": "the producer's event type"})
    occurred_at = fields.AwareDateTime(format="iso", required=True)
    region_code = fields.String(required=True)
    payload = fields.Dict(required=True, metadata={
        "description": "a few facts of the change: ids, status, minutes; no names, phones "
                       "or addresses"})


class ChangePage(Schema):
    items = fields.List(fields.Nested(ChangeItem), required=True)
    next_cursor = fields.String(required=True, metadata={
        "description": "pass as cursor to get what follows (the same cursor when nothing "
                       "new has come)"})
    has_more = fields.Boolean(required=True)


class WebhookIn(Schema):
    url = fields.String(required=True, validate=validate.Length(min=8, max=500), metadata={
        "description": "https URL (http only on 127.0.0.1 / localhost, for testing)"})


class WebhookView(Schema):
    webhook_id = fields.String(required=True)
    url = fields.String(required=True)
    created_at = fields.AwareDateTime(format="iso", required=True)


class WebhookCreated(WebhookView):
    secret = fields.String(required=True, metadata={
        "description": "the signing secret, shown in this answer only"})


class WebhookList(Schema):
    items = fields.List(fields.Nested(WebhookView), required=True)


class WebhookDeleted(Schema):
    webhook_id = fields.String(required=True)
    deleted = fields.Boolean(required=True)


class WebhookDelivery(Schema):
    """One change's delivery to one endpoint (operators: dead ones, to replay)."""

    delivery_id = fields.String(required=True)
    webhook_id = fields.String(required=True)
    client_id = fields.String(required=True)
    url = fields.String(required=True)
    sequence = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(WEBHOOK_DELIVERY_STATUSES))
    attempts = fields.Integer(required=True)
    last_error = fields.String(allow_none=True)
    updated_at = fields.AwareDateTime(format="iso", required=True)


class WebhookDeliveries(Schema):
    items = fields.List(fields.Nested(WebhookDelivery), required=True)
