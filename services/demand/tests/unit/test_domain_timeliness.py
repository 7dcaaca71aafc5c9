"""Recording timeliness (及时): when each level is due (demand/domain/timeliness.py)."""
import datetime as dt

from demand.domain import evidence, timeliness

OUT = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
LIMITS = dict(evidence.PROVINCE_DEFAULT)  # 24 h to the station, 48 h to the township


def levels(now, already=frozenset(), limits=LIMITS):
    return [level for level, _ in timeliness.levels_due(OUT, now, limits, already)]


def test_the_station_then_the_township_each_once():
    assert levels(OUT + dt.timedelta(hours=23, minutes=59)) == []
    assert levels(OUT + dt.timedelta(hours=24)) == ["station"]
    assert levels(OUT + dt.timedelta(hours=30), {"station"}) == []
    assert levels(OUT + dt.timedelta(hours=48), {"station"}) == ["township"]
    assert levels(OUT + dt.timedelta(days=5)) == ["station", "township"]  # a late sweep: both


def test_the_township_is_never_due_before_the_station():
    limits = {**LIMITS, "record_within_hours": 12, "township_record_within_hours": 6}
    due = timeliness.due_times(OUT, limits)
    assert due == {"station": OUT + dt.timedelta(hours=12),
                   "township": OUT + dt.timedelta(hours=12)}
