"""Recording timeliness (及时): a service checked out and not recorded in time is reported to
the station (``record_within_hours`` after the check-out), then to the township
(``township_record_within_hours``; never before the station's). Both limits are regional
policy values kept with the evidence thresholds (``evidence.THRESHOLD_KEYS``)."""
from __future__ import annotations

import datetime as dt
from typing import Any

STATION = "station"
TOWNSHIP = "township"
LEVELS = (STATION, TOWNSHIP)


def due_times(checked_out_at: dt.datetime, limits: dict[str, Any]) -> dict[str, dt.datetime]:
    """When each level is due for a service checked out at ``checked_out_at``."""
    station = limits["record_within_hours"]
    township = max(limits["township_record_within_hours"], station)
    return {STATION: checked_out_at + dt.timedelta(hours=station),
            TOWNSHIP: checked_out_at + dt.timedelta(hours=township)}


def levels_due(checked_out_at: dt.datetime, now: dt.datetime, limits: dict[str, Any],
               already: frozenset[str] | set[str] = frozenset()) -> list[tuple[str, dt.datetime]]:
    """The levels (with their due time) to report now, station first, skipping those already
    reported."""
    return [(level, due) for level, due in due_times(checked_out_at, limits).items()
            if now >= due and level not in already]
