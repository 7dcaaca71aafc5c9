"""The national volunteer system's row: hours, China times, ID type names, row types."""
import datetime as dt
from decimal import Decimal

import pytest

from reporting.contracts import CORRECTION, NATIONAL_COLUMNS, NEW, NationalExportParams
from reporting.domain.national import (
    API_CLIENT_RECORDER,
    Names,
    china_time,
    hours,
    id_type_name,
    national_row,
    row_type,
)

UTC = dt.UTC


@pytest.mark.parametrize("minutes, expected", [
    (60, "1.00"), (90, "1.50"), (50, "0.83"), (25, "0.42"), (1, "0.02"), (0, "0.00"),
    (45, "0.75"), (3, "0.05"), (10, "0.17"), (100, "1.67"), (6000, "100.00"),
])
def test_hours_are_minutes_over_sixty_with_two_decimals_half_up(minutes, expected):
    assert hours(minutes) == Decimal(expected)
    assert str(hours(minutes)) == expected


def test_times_are_shown_in_china_time_and_unknown_ones_stay_empty():
    assert china_time(dt.datetime(2026, 11, 30, 16, 30, tzinfo=UTC)) == "2026-12-01 00:30:00"
    assert china_time(dt.datetime(2026, 11, 30, 8, 5, 7, 999, tzinfo=UTC)) == \
        "2026-11-30 16:05:07"
    assert china_time(None) == ""
    with pytest.raises(ValueError):
        china_time(dt.datetime(2026, 11, 30, 8, 0))


def test_id_types_are_named_as_the_national_system_names_them():
    assert id_type_name("resident_id_card") == "居民身份证"
    assert id_type_name("passport") == "护照"
    assert id_type_name("something_new") == "something_new"
    assert id_type_name(None) == ""


def test_a_record_never_delivered_is_new_and_one_delivered_before_a_correction():
    assert row_type(None) == NEW == "新增"
    assert row_type(1) == CORRECTION == "更正"


RECORD = {"record_id": "r-1", "version": 3, "volunteer_id": "v-1", "carrier_id": "c-1",
          "category": "companionship", "started_at": dt.datetime(2026, 11, 2, 1, 0, tzinfo=UTC),
          "ended_at": dt.datetime(2026, 11, 2, 2, 30, tzinfo=UTC), "recorded_by": "o-1",
          "credited_minutes": 90, "region_code": "130102001001", "day": dt.date(2026, 11, 2),
          "prev_version": None, "prev_export": None}
PERSON = {"person_id": "v-1", "volunteer_number": "13010212345", "name": "李明",
          "id_type": "resident_id_card", "id_number": "130102199001011234"}
NAMES = Names(project="陪伴聊天", organisation="育才社区服务站", recorder="张站长")


def test_a_new_row_carries_the_national_fields():
    row = national_row(RECORD, PERSON, NAMES)
    assert list(row) == [key for key, _, _ in NATIONAL_COLUMNS]
    assert row == {
        "row_type": "新增", "reference": "r-1:3", "corrects": "", "corrects_export": "",
        "volunteer_number": "13010212345", "name": "李明", "id_type": "居民身份证",
        "id_number": "130102199001011234", "organisation": "育才社区服务站",
        "project": "陪伴聊天", "content": "时间银行互助养老服务：陪伴聊天",
        "start": "2026-11-02 09:00:00", "end": "2026-11-02 10:30:00",
        "hours": Decimal("1.50"), "minutes": 90, "recorder": "张站长",
        "region_code": "130102001001"}


def test_a_correction_refers_to_the_delivery_it_corrects_and_a_voided_record_has_no_hours():
    voided = {**RECORD, "credited_minutes": 0, "prev_version": 2, "prev_export": "job-1"}
    row = national_row(voided, PERSON, NAMES)
    assert (row["row_type"], row["reference"], row["corrects"], row["corrects_export"]) == \
        ("更正", "r-1:3", "r-1:2", "job-1")
    assert (row["hours"], row["minutes"]) == (Decimal("0.00"), 0)


def test_what_identity_does_not_know_stays_empty_and_is_not_made_up():
    row = national_row({**RECORD, "started_at": None, "ended_at": None}, None,
                       Names(project="", organisation="", recorder=API_CLIENT_RECORDER))
    assert (row["name"], row["id_number"], row["id_type"], row["volunteer_number"]) == \
        ("", "", "", "")
    assert (row["start"], row["end"], row["content"], row["recorder"]) == \
        ("", "", "时间银行互助养老服务", "市级业务系统")


def test_the_params_need_a_region_and_an_ordered_span_and_default_to_the_memory():
    loaded = NationalExportParams().load({"region_code": "130100000000", "from": "2026-11-01",
                                          "to": "2026-11-30"})
    assert loaded["full"] is False and loaded["from_"] == dt.date(2026, 11, 1)
    assert "region_code" in NationalExportParams().validate(
        {"region_code": "1301", "from": "2026-11-01", "to": "2026-11-30"})
    assert "to" in NationalExportParams().validate(
        {"region_code": "130100000000", "from": "2026-11-30", "to": "2026-11-01"})


def test_the_jobs_params_are_read_as_loaded_or_as_stored():
    from reporting.app.national_export import span

    stored = {"region_code": "130100000000", "from": "2026-11-01", "to": "2026-11-30"}
    loaded = NationalExportParams().load({**stored, "full": True})
    assert span(stored) == ("130100000000", dt.date(2026, 11, 1), dt.date(2026, 11, 30), False)
    assert span(loaded) == ("130100000000", dt.date(2026, 11, 1), dt.date(2026, 11, 30), True)
