"""Regional policy rows resolved per value (timebank_common.policies)."""
import datetime as dt

from timebank_common.policies import PolicyRow, resolve

ROWS = [
    PolicyRow("130000000000", dt.date(2020, 1, 1), {"a": 1, "b": 1}, 1),
    PolicyRow("130100000000", dt.date(2026, 1, 1), {"a": 2}, 2),
    PolicyRow("130000000000", dt.date(2026, 6, 1), {"b": 3}, 3),
    PolicyRow("130200000000", dt.date(2026, 1, 1), {"a": 9}, 4),
]


def test_the_most_specific_region_then_the_latest_date_wins_per_value():
    found = resolve(ROWS, ("a", "b", "c"), "130102001001", dt.date(2026, 7, 1))
    assert found.values == {"a": 2, "b": 3}
    assert found.sources["a"] == {"region_code": "130100000000", "effective_from": "2026-01-01",
                                  "id": 2}


def test_rows_not_yet_in_effect_or_elsewhere_do_not_apply():
    found = resolve(ROWS, ("a", "b"), "130102001001", dt.date(2025, 12, 31))
    assert found.values == {"a": 1, "b": 1}
