"""marshmallow schemas of the matching service: consumed event payloads and the feed item."""
from marshmallow import EXCLUDE, Schema, fields, validate

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


class DemandAssignedEvent(_Event):
    demand_id = fields.String(required=True)
    open_slots = fields.Integer(required=True, validate=validate.Range(min=0))


class DemandCancelledEvent(_Event):
    demand_id = fields.String(required=True)


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
