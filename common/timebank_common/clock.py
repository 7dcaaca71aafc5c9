"""Time: China's time zone and the clock a service reads "now" from.

Times are stored in UTC and shown and scheduled in China time (DESIGN.md §9). China has kept
UTC+8 without daylight saving since 1991, so ``CHINA`` is that fixed offset: no time-zone
database is needed, in a slim image or anywhere else.

Code that needs "now" is given a ``Clock`` instead of calling ``datetime.now()``: services get
the one their configuration names (``clock_from_config``), use cases take it as an argument,
and tests pass a ``FixedClock`` they move by hand, so no test depends on the time of day.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

CHINA = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


class Clock(Protocol):
    def now(self) -> dt.datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The machine's clock."""

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


class FixedClock:
    """A clock that stands still until it is moved: ``set(instant)`` or ``advance(minutes=5)``.
    For tests (in-process services take it as their ``CLOCK`` setting)."""

    def __init__(self, at: dt.datetime):
        self._at = _aware_utc(at)

    def now(self) -> dt.datetime:
        return self._at

    def set(self, at: dt.datetime) -> None:
        self._at = _aware_utc(at)

    def advance(self, delta: dt.timedelta | None = None, **kwargs: float) -> dt.datetime:
        """Move forward by ``delta`` or by ``timedelta(**kwargs)``; returns the new instant."""
        self._at += delta if delta is not None else dt.timedelta(**kwargs)
        return self._at

    def __repr__(self) -> str:
        return f"FixedClock({self._at.isoformat()})"


class ShiftedClock:
    """The machine's clock moved to start at another instant, and ticking from there: a
    process started with ``CLOCK_START`` lives at that date (end-to-end tests, rehearsals)."""

    def __init__(self, start: dt.datetime):
        self._start = _aware_utc(start)
        self._started = time.monotonic()

    def now(self) -> dt.datetime:
        return self._start + dt.timedelta(seconds=time.monotonic() - self._started)

    def __repr__(self) -> str:
        return f"ShiftedClock(started at {self._start.isoformat()})"


class OffsetFileClock:
    """The machine's clock plus an offset in seconds read from a file, so that every process
    of a platform lives at one simulated time that a test moves forward (an end-to-end test
    over several months writes ``2678400`` to live 31 days on). The file is read again when
    it changes (its size and modification time, looked at on every reading unless
    ``recheck`` seconds are given: once ``write`` returns, every process reads the new time);
    a missing or empty file is 0."""

    def __init__(self, path: str | Path, recheck: float = 0.0):
        self._path = Path(path)
        self._recheck = recheck
        self._checked = -recheck
        self._stamp: tuple[int, int, int] | None = None
        self._offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        tick = time.monotonic()
        if tick - self._checked >= self._recheck:
            self._checked = tick
            self._reload()
        return dt.datetime.now(dt.UTC) + self._offset

    def _reload(self) -> None:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            self._stamp, self._offset = None, dt.timedelta(0)
            return
        stamp = (stat.st_ino, stat.st_mtime_ns, stat.st_size)  # write() makes a new inode
        if stamp != self._stamp:
            text = self._path.read_text().strip()
            self._offset = dt.timedelta(seconds=float(text or 0))
            self._stamp = stamp

    @staticmethod
    def write(path: str | Path, offset: dt.timedelta) -> None:
        """Move every clock reading ``path`` to the machine's time plus ``offset`` (the file
        is replaced whole, so a reader never sees half a number)."""
        path = Path(path)
        partial = path.with_name(path.name + ".partial")
        partial.write_text(f"{offset.total_seconds():.6f}\n")
        partial.replace(path)

    def __repr__(self) -> str:
        return f"OffsetFileClock({self._path})"


def clock_from_config(config: Mapping[str, Any] | None) -> Clock:
    """The clock a service's configuration names: ``CLOCK`` (a clock object, for services
    run in the test process), else ``CLOCK_START`` (an ISO 8601 instant with offset: a
    ``ShiftedClock``), else ``CLOCK_FILE`` (an ``OffsetFileClock`` shared by a platform's
    processes), else the machine's clock."""
    config = config or {}
    given = config.get("CLOCK")
    if given is not None:
        if not callable(getattr(given, "now", None)):
            raise TypeError(f"CLOCK must have a now() method, not {given!r}")
        return given  # type: ignore[no-any-return]
    start = config.get("CLOCK_START")
    if start:
        return ShiftedClock(dt.datetime.fromisoformat(str(start)))
    if config.get("CLOCK_FILE"):
        return OffsetFileClock(str(config["CLOCK_FILE"]))
    return SystemClock()


def china_date(moment: dt.datetime) -> dt.date:
    """The calendar date in China at ``moment`` (an aware datetime)."""
    return moment.astimezone(CHINA).date()


def _aware_utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError(f"a clock needs an aware datetime, not {moment!r}")
    return moment.astimezone(dt.UTC)
