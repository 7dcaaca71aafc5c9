"""Regional policies (``policy``, ``add_policy``; rows with effective dates, see
``ledger/domain/policy.py``)."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from .values import REGION_CODE


class PolicyQuery(Schema):
    """``GET /api/v1/policies`` and ``policy(region_code, on_date=None)``."""

    region_code = fields.String(required=True, validate=REGION_CODE,
                                metadata={"example": "130102000000"})
    on_date = fields.Date(load_default=None, allow_none=True,
                          metadata={"description": "default: today (China time)"})


class AddPolicyIn(Schema):
    """A policy row for a province, city or county, taking effect after today; ``values``
    holds any of grant_minutes, yearly_cap_minutes, cap_excess, rounding_unit_minutes,
    rounding_mode, expiry_months, deceased_hours (see ledger/domain/policy.py)."""

    region_code = fields.String(required=True, validate=REGION_CODE)
    effective_from = fields.Date(required=True)
    values = fields.Dict(required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class PolicyRowOut(Schema):
    id = fields.Integer(required=True)
    region_code = fields.String(required=True)
    effective_from = fields.Date(required=True)
    values = fields.Dict(required=True)
    reason = fields.String(allow_none=True, required=True)
    created_by = fields.String(required=True)
    created_at = fields.DateTime(format="iso", required=True)


class PolicyOut(Schema):
    region_code = fields.String(required=True)
    on_date = fields.Date(required=True)
    values = fields.Dict(required=True)  # the values in effect
    sources = fields.Dict(required=True)  # value -> the row that set it {region_code, effective_from, id}
    rows = fields.List(fields.Nested(PolicyRowOut), required=True)  # every row that applies, oldest first
