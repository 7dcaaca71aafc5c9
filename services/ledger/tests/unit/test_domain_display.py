"""Minutes shown to people in Chinese and English."""
import pytest

from ledger.domain.display import minutes_display, minutes_en, minutes_zh


@pytest.mark.parametrize("minutes, zh, en", [
    (90, "1小时30分", "1 h 30 min"),
    (60, "1小时", "1 h"),
    (45, "45分", "45 min"),
    (0, "0分", "0 min"),
    (-90, "-1小时30分", "-1 h 30 min"),
    (1500, "25小时", "25 h"),
])
def test_minutes_in_both_languages(minutes, zh, en):
    assert minutes_zh(minutes) == zh
    assert minutes_en(minutes) == en


def test_display_puts_chinese_first():
    assert minutes_display(90) == "1小时30分 / 1 h 30 min"
