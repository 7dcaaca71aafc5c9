"""Escalating demands nobody reviewed in time (超时未审核上报乡镇)."""
from __future__ import annotations

import datetime as dt

from timebank_common.regions import COMMUNITY, TOWNSHIP, level_of

DEFAULT_REVIEW_SECONDS = 24 * 3600


def township_of(region_code: str) -> str:
    """The township (乡镇/街道) a region lies in; a code above township level stands for itself."""
    if level_of(region_code) in (TOWNSHIP, COMMUNITY):
        return region_code[:9] + "000"
    return region_code


def escalation_due(status: str, submitted_at: dt.datetime, now: dt.datetime,
                   review_seconds: float) -> bool:
    """A demand still waiting for review ``review_seconds`` after submission is overdue."""
    return status == "submitted" and now - submitted_at >= dt.timedelta(seconds=review_seconds)
