"""Minutes shown as hours, and service windows shown in Beijing time."""
import pytest

from notify.domain.formatting import format_minutes, format_window


@pytest.mark.parametrize(("minutes", "zh", "en"), [
    (90, "1小时30分", "1 h 30 min"),
    (60, "1小时", "1 h"),
    (45, "45分", "45 min"),
    (0, "0分", "0 min"),
    (605, "10小时5分", "10 h 5 min"),
    (-30, "-30分", "-30 min"),
])
def test_minutes_read_as_hours_and_minutes(minutes, zh, en):
    assert format_minutes(minutes, "zh-CN") == zh
    assert format_minutes(minutes, "en") == en


def test_window_is_shown_in_beijing_time():
    # 01:00–03:00 UTC is 09:00–11:00 in Beijing
    start, end = "2025-05-01T01:00:00+00:00", "2025-05-01T03:00:00+00:00"
    assert format_window(start, end, "zh-CN") == "2025年5月1日 09:00–11:00"
    assert format_window(start, end, "en") == "1 May 2025, 09:00–11:00 (Beijing time)"


def test_window_crossing_midnight_in_beijing_names_both_dates():
    start, end = "2025-05-01T15:00:00+00:00", "2025-05-01T17:00:00+00:00"  # 23:00–01:00
    assert format_window(start, end, "zh-CN") == "2025年5月1日 23:00–2025年5月2日 01:00"


def test_window_without_offset_is_refused():
    with pytest.raises(ValueError):
        format_window("2025-05-01T09:00:00", "2025-05-01T11:00:00", "zh-CN")
