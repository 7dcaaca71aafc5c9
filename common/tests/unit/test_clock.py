import datetime as dt

import pytest

from timebank_common.clock import (
    CHINA,
    FixedClock,
    ShiftedClock,
    SystemClock,
    china_date,
    clock_from_config,
)

UTC = dt.UTC


def test_china_is_utc_plus_eight_all_year():
    for month in (1, 7):
        moment = dt.datetime(2026, month, 1, 16, 30, tzinfo=UTC)
        assert moment.astimezone(CHINA).isoformat() == f"2026-0{month}-02T00:30:00+08:00"


def test_the_china_date_turns_at_china_midnight_not_utc_midnight():
    assert china_date(dt.datetime(2026, 12, 6, 15, 59, tzinfo=UTC)) == dt.date(2026, 12, 6)
    assert china_date(dt.datetime(2026, 12, 6, 16, 0, tzinfo=UTC)) == dt.date(2026, 12, 7)


def test_a_fixed_clock_stands_still_until_moved():
    clock = FixedClock(dt.datetime(2026, 6, 15, 10, 0, tzinfo=CHINA))
    assert clock.now() == dt.datetime(2026, 6, 15, 2, 0, tzinfo=UTC)
    assert clock.now().tzinfo == UTC
    assert clock.advance(minutes=90) == dt.datetime(2026, 6, 15, 3, 30, tzinfo=UTC)
    clock.set(dt.datetime(2027, 1, 1, tzinfo=UTC))
    assert clock.now() == dt.datetime(2027, 1, 1, tzinfo=UTC)


def test_a_clock_refuses_a_naive_time():
    with pytest.raises(ValueError):
        FixedClock(dt.datetime(2026, 6, 15, 10, 0))


def test_configuration_names_the_clock():
    fixed = FixedClock(dt.datetime(2026, 6, 15, 2, 0, tzinfo=UTC))
    assert clock_from_config({"CLOCK": fixed}) is fixed
    assert isinstance(clock_from_config({}), SystemClock)
    assert isinstance(clock_from_config(None), SystemClock)
    shifted = clock_from_config({"CLOCK_START": "2030-01-01T08:00:00+08:00"})
    assert isinstance(shifted, ShiftedClock)
    assert dt.timedelta(0) <= shifted.now() - dt.datetime(2030, 1, 1, tzinfo=UTC) \
        < dt.timedelta(minutes=1)
    with pytest.raises(TypeError):
        clock_from_config({"CLOCK": "tomorrow"})


def test_an_offset_file_clock_follows_the_file_its_platform_shares(tmp_path):
    from timebank_common.clock import OffsetFileClock, clock_from_config

    path = tmp_path / "clock-offset"
    clock = clock_from_config({"CLOCK_FILE": str(path), "CLOCK_START": ""})
    assert isinstance(clock, OffsetFileClock)
    real = dt.datetime.now(dt.UTC)
    assert abs((clock.now() - real).total_seconds()) < 5  # no file yet: the machine's time
    OffsetFileClock.write(path, dt.timedelta(days=31))
    reader = OffsetFileClock(path, recheck=0)
    assert 31 * 86400 - 5 < (reader.now() - real).total_seconds() < 31 * 86400 + 5
    OffsetFileClock.write(path, dt.timedelta(days=62, hours=1))
    assert 62 * 86400 + 3595 < (reader.now() - real).total_seconds() < 62 * 86400 + 3605
    path.write_text("")
    assert abs((reader.now() - real).total_seconds()) < 5


def test_events_carry_the_producers_clock():
    from timebank_common.clock import FixedClock
    from timebank_common.db import UnitOfWork

    at = dt.datetime(2027, 3, 1, 1, 2, 3, tzinfo=dt.UTC)
    uow = UnitOfWork(bind=None, clock=FixedClock(at))  # type: ignore[arg-type]
    envelope = uow.emit("something_happened", {"x": 1}, "130100000000")
    assert envelope["occurred_at"] == at.isoformat()
