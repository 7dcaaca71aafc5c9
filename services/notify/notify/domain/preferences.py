"""Each person's notification preferences: outbound channels and quiet hours.

The in-app inbox is always used and is not a choice. Outbound channels are ``sms``,
``email`` and ``call`` (a phone call by the elder's station, only for phone-only elders).
Defaults when a person never said anything: elders get SMS and calls with quiet hours
22:00–07:00 (Asia/Shanghai); everyone else gets SMS, with the same quiet hours (a volunteer
is not woken at 3 a.m. either). Nearby-demand alerts are opt-in.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from timebank_common.clock import CHINA
from timebank_common.errors import BadInput

DEFAULT_QUIET = (dt.time(22, 0), dt.time(7, 0))


@dataclass(frozen=True)
class Preferences:
    channels: tuple[str, ...] = ("sms",)
    quiet_start: dt.time | None = DEFAULT_QUIET[0]
    quiet_end: dt.time | None = DEFAULT_QUIET[1]
    email: str | None = None
    nearby_demands: bool = False
    region_code: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def defaults_for(role: str) -> Preferences:
    if role == "elder":
        return Preferences(channels=("sms", "call"))
    return Preferences()


def in_quiet_hours(moment: dt.datetime, start: dt.time | None, end: dt.time | None) -> bool:
    """Whether ``moment`` (aware) falls in the quiet hours [start, end) of Beijing time.

    A window may run over midnight (22:00–07:00); start == end or a missing end means none.
    """
    if start is None or end is None or start == end:
        return False
    local = moment.astimezone(CHINA).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def send_at(now: dt.datetime, prefs: Preferences, urgent: bool) -> dt.datetime:
    """When an outbound message may go: now, or (quiet hours, not urgent) when they end."""
    if (urgent or prefs.quiet_end is None
            or not in_quiet_hours(now, prefs.quiet_start, prefs.quiet_end)):
        return now
    local = now.astimezone(CHINA)
    end = local.replace(hour=prefs.quiet_end.hour, minute=prefs.quiet_end.minute,
                        second=0, microsecond=0)
    if end <= local:
        end += dt.timedelta(days=1)
    return end.astimezone(dt.UTC)


def check_channels(channels: Sequence[str], email: str | None) -> None:
    """The e-mail channel needs an address (``BadInput email_required``)."""
    if "email" in channels and not email:
        raise BadInput("email_required", "选择邮件通知时请填写邮箱地址",
                       "Give an e-mail address to be notified by e-mail")
