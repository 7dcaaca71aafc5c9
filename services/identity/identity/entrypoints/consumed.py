"""What identity reads of other services' events.

``ServiceRecordedSeen`` is identity's own view of demand's ``service_recorded`` payload, kept
here until demand's contracts publish the event (then the handler imports demand's
``EventContract`` and this schema goes)."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields


class ServiceRecordedSeen(Schema):
    """What identity reads of demand's ``service_recorded`` payload (other fields ignored)."""
    class Meta:
        unknown = EXCLUDE

    volunteer_id = fields.UUID(required=True)
    recorded_at = fields.AwareDateTime(required=True)
