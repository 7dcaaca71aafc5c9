"""The demand figures of supervision from the read model (``demand_figures``): demand's own
sections of ``/api/v1/stats`` — counts by status, category and channel, the waits (exact
medians) and completion of a region's demands submitted in a span — in demand's schemas
(``demand.contracts``), so a client sees the same fields whoever answers."""
from __future__ import annotations

from marshmallow import Schema, fields

from demand.contracts import CompletionOut, DemandCountsOut, TimingOut

from .series import RegionSpan


class DemandFiguresQuery(RegionSpan):
    """``demand_figures(caller, {region_code, from, to})``: a region in the caller's scope
    and the span of China days the demands were submitted in (both included)."""


class DemandFiguresOut(Schema):
    """demand's ``demands``, ``timing`` and ``completion`` sections (``DemandStatsOut``) of
    the demands submitted in the span, from demand's events."""

    region_code = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    demands = fields.Nested(DemandCountsOut, required=True)
    timing = fields.Nested(TimingOut, required=True)
    completion = fields.Nested(CompletionOut, required=True)
