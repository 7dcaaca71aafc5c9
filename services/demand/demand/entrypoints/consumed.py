"""The events demand consumes from other services, as demand reads them: local copies of
their payload schemas, kept in this one place until the producers' contracts replace them."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, fields, validate


class ReservationReplyIn(Schema):
    """The ledger's ``reservation_made`` / ``reservation_refused`` (other fields ignored)."""

    class Meta:
        unknown = EXCLUDE

    assignment_id = fields.String(required=True, validate=validate.Length(1, 64))
    demand_id = fields.String(required=True, validate=validate.Length(1, 64))
    reason = fields.String(load_default=None, allow_none=True)
