"""The kit's shared query schemas."""
import datetime as dt

import pytest
from marshmallow import ValidationError, fields

from timebank_common.schemas import PeriodQuery


class RegionPeriod(PeriodQuery):
    region_code = fields.String(load_default=None)


def test_a_period_is_optional_at_both_ends_and_read_as_dates():
    assert RegionPeriod().load({}) == {"region_code": None, "period_from": None,
                                       "period_to": None}
    assert RegionPeriod().load({"period_from": "2026-01-01", "period_to": "2026-01-01"})[
        "period_to"] == dt.date(2026, 1, 1)


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValidationError) as refused:
        RegionPeriod().load({"period_from": "2026-02-01", "period_to": "2026-01-31"})
    assert "period_to" in refused.value.messages


def test_a_period_names_dates_between_2000_and_2100_only():
    assert RegionPeriod().validate({"period_from": "2000-01-01", "period_to": "2100-12-31"}) == {}
    assert set(RegionPeriod().validate({"period_to": "9999-12-31"})) == {"period_to"}
    assert set(RegionPeriod().validate({"period_from": "1999-12-31"})) == {"period_from"}
