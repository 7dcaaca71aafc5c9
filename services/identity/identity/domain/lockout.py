"""Temporary lockout after repeated wrong passwords (登录失败锁定).

After ``max_failures`` consecutive wrong passwords (default 5) the account is locked for
``lock_seconds`` (default 15 minutes): every login is refused, even with the right
password, until the lock ends. A successful login forgets the failures. Failures older
than ``failure_window_seconds`` (default 24 hours) are forgotten too, so an occasional
typo never adds up to a lock. When a lock has ended, counting starts again from zero.
Only accounts that exist are counted (an unknown phone has nothing to lock).
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from timebank_common.clock import CHINA


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lock_seconds: int = 15 * 60
    failure_window_seconds: int = 24 * 3600

    @classmethod
    def from_config(cls, cfg: Mapping[str, Any]) -> LockoutPolicy:
        section = cfg.get("LOGIN_LOCKOUT") or {}
        default = cls()
        return cls(
            max_failures=int(section.get("max_failures", default.max_failures)),
            lock_seconds=int(section.get("lock_seconds", default.lock_seconds)),
            failure_window_seconds=int(section.get("failure_window_seconds",
                                                   default.failure_window_seconds)),
        )


@dataclass(frozen=True)
class Failures:
    """What is remembered of an account's wrong passwords (one row of ``login_failures``)."""

    failed_count: int = 0
    first_failed_at: dt.datetime | None = None
    locked_until: dt.datetime | None = None


def is_locked(state: Failures | None, now: dt.datetime) -> bool:
    return bool(state and state.locked_until and state.locked_until > now)


def after_failure(state: Failures | None, now: dt.datetime, policy: LockoutPolicy) -> Failures:
    """The state after one more wrong password (the account is not locked now)."""
    state = state or Failures()
    lock_over = state.locked_until is not None and state.locked_until <= now
    window_over = (state.first_failed_at is not None and
                   (now - state.first_failed_at).total_seconds() > policy.failure_window_seconds)
    if lock_over or window_over or state.failed_count == 0:
        state = Failures(0, now, None)
    count = state.failed_count + 1
    locked_until = now + dt.timedelta(seconds=policy.lock_seconds) if count >= policy.max_failures else None
    return Failures(count, state.first_failed_at, locked_until)


def seconds_left(state: Failures, now: dt.datetime) -> int:
    if state.locked_until is None:
        return 0
    return max(0, math.ceil((state.locked_until - now).total_seconds()))


def locked_message(state: Failures, now: dt.datetime) -> tuple[str, str, dict[str, Any]]:
    """(zh, en, details) of the refusal while locked (``state.locked_until`` set): how long,
    and when it unlocks."""
    if state.locked_until is None:
        raise ValueError("the account is not locked")
    left = seconds_left(state, now)
    minutes = max(1, math.ceil(left / 60))
    at = state.locked_until.astimezone(CHINA).strftime("%H:%M")
    zh = f"账号已临时锁定，请{minutes}分钟后（北京时间{at}以后）再试或联系站点工作人员"
    en = (f"This account is locked for now after repeated wrong passwords; try again in "
          f"{minutes} minutes (after {at} Beijing time) or ask the service station's staff")
    return zh, en, {"locked_until": state.locked_until.isoformat(), "retry_after_seconds": left}
