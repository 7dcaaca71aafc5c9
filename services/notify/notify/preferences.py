"""Preferences as RPC answers and as table values."""
from __future__ import annotations

import datetime as dt

from .domain.preferences import Preferences


def _hhmm(value: dt.time | None) -> str | None:
    return value.strftime("%H:%M") if value else None


def preferences_view(person_id: str, stored: Preferences | None,
                     default: Preferences | None) -> dict:
    prefs = stored or default
    quiet = ({"start": _hhmm(prefs.quiet_start), "end": _hhmm(prefs.quiet_end),
              "time_zone": "Asia/Shanghai"} if prefs.quiet_start and prefs.quiet_end else None)
    extra = prefs.extra or {}
    return {"person_id": person_id, "inbox": True, "channels": list(prefs.channels),
            "quiet_hours": quiet, "email": prefs.email,
            "locale": extra.get("locale", "zh-CN"), "nearby_demands": prefs.nearby_demands,
            "is_default": stored is None,
            "updated_at": extra["updated_at"].isoformat() if extra.get("updated_at") else None,
            "updated_by": extra.get("updated_by")}


def preferences_values(data: dict, region_code: str | None) -> dict:
    quiet = data.get("quiet_hours")
    return {
        "channels": sorted(set(data["channels"])),
        "quiet_start": dt.time.fromisoformat(quiet["start"]) if quiet else None,
        "quiet_end": dt.time.fromisoformat(quiet["end"]) if quiet else None,
        "email": data.get("email"), "locale": data["locale"],
        "nearby_demands": data["nearby_demands"], "region_code": region_code,
    }
