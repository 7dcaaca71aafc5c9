"""Small conversions every repository makes on the rows it reads."""
from __future__ import annotations

import datetime as dt
from typing import Any, overload


@overload
def utc(value: dt.datetime) -> dt.datetime: ...
@overload
def utc(value: dt.datetime | None) -> dt.datetime | None: ...
def utc(value: dt.datetime | None) -> dt.datetime | None:
    """A timestamp read from PostgreSQL, in UTC (None stays None)."""
    return value.astimezone(dt.UTC) if value is not None else None


def location(lat: float | None, lng: float | None) -> dict[str, float] | None:
    """``{lat, lng}``, or None unless both are known."""
    return {"lat": lat, "lng": lng} if lat is not None and lng is not None else None


def location_columns(prefix: str, place: dict[str, Any] | None) -> dict[str, Any]:
    """``{<prefix>_lat, <prefix>_lng}`` of a ``{lat, lng}`` (None for both when unknown)."""
    place = place or {}
    return {f"{prefix}_lat": place.get("lat"), f"{prefix}_lng": place.get("lng")}
