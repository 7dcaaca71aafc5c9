"""The registry of export kinds: the three of this capability, their params and scope checks,
and a service record as its file shows it (China time, hours)."""
from __future__ import annotations

import datetime as dt

import pytest

from reporting.app.export_tables import (
    REGISTRY,
    SERVICE_RECORD_COLUMNS,
    ExportTable,
    register,
    service_record_row,
    table_of,
)
from timebank_common.caller import Caller
from timebank_common.errors import BadInput, Forbidden
from timebank_common.schemas import load

TOWNSHIP = Caller("p1", ("township_admin",), "130102001000")


def test_the_kinds_are_registered_with_bilingual_columns():
    assert {"series", "breakdown", "service_records"} <= set(REGISTRY)
    for table in REGISTRY.values():
        assert table.title_zh and table.title_en
        assert all(len(column) == 3 and all(column) for column in table.columns)
        assert len({key for key, _, _ in table.columns}) == len(table.columns)


def test_an_unknown_kind_is_refused():
    with pytest.raises(BadInput) as refused:
        table_of("salaries")
    assert refused.value.code == "unknown_export_kind"


def test_a_kind_cannot_be_registered_twice():
    table = REGISTRY["service_records"]
    with pytest.raises(ValueError):
        register(ExportTable(kind="service_records", title_zh="x", title_en="x",
                             params=table.params, columns=table.columns, rows=table.rows))


def test_params_are_loaded_and_the_scope_checked():
    table = table_of("service_records")
    params = load(table.params(), {"region_code": "130102001001", "from": "2026-11-01",
                                   "to": "2026-11-30"})
    assert params["from_"] == dt.date(2026, 11, 1)
    table.check(TOWNSHIP, params)
    with pytest.raises(Forbidden):
        table.check(TOWNSHIP, {**params, "region_code": "130200000000"})
    with pytest.raises(Forbidden):
        table.check(Caller("v", ("volunteer",), "130102001001"), params)
    with pytest.raises(BadInput):
        load(table.params(), {"region_code": "13", "from": "2026-11-30", "to": "2026-11-01"})


def test_series_columns_follow_the_measures_asked():
    table = table_of("series")
    params = load(table.params(), {"region_code": "130000000000", "from": "2026-01-01",
                                   "to": "2026-12-31", "measures": "service_minutes"})
    assert [key for key, _, _ in table.columns_for(params)] == [
        "period", "start", "end", "service_minutes"]


def test_a_service_record_in_china_time_and_hours():
    row = {key: None for key, _, _ in SERVICE_RECORD_COLUMNS}
    row.update(record_id="r1", day=dt.date(2026, 11, 2), recorded_minutes=90,
               credited_minutes=45, version=2,
               recorded_at=dt.datetime(2026, 11, 1, 16, 30, tzinfo=dt.UTC))
    shown = service_record_row(row)
    assert shown["recorded_at"] == "2026-11-02 00:30:00"
    assert shown["day"] == "2026-11-02" and shown["hours"] == 0.75
    assert service_record_row({**row, "credited_minutes": None})["hours"] is None
    assert table_of("service_records").file_name(
        {"region_code": "130102000000"}, "xlsx",
        dt.datetime(2026, 11, 30, 2, 45, tzinfo=dt.UTC)) == "服务记录_130102000000_20261130-1045.xlsx"
