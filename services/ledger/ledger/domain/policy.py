"""Regional policies as data with effective dates (DESIGN.md §6): grant amounts per hardship
category and period, a yearly deposit cap and what happens to the excess, rounding of
recorded minutes, optional expiry.

A policy row is ``(region_code, effective_from, values)``; ``values`` may hold any subset
of ``POLICY_KEYS``. The province default (seeded by migration 0004) holds all of them.

**Resolution is per value**: for each key, the most specific region (county, then city,
then province) having a row in effect on the date (``effective_from <= date``) that sets
the key wins; at one level the row with the latest ``effective_from`` wins. So a city row
that only sets ``yearly_cap_minutes`` keeps the province's grants and rounding, and a
later province change of the grants still reaches that city.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from timebank_common.clock import china_date
from timebank_common.errors import BadInput
from timebank_common.policies import PolicyRow, Resolved, resolve
from timebank_common.regions import CITY, COUNTY, PROVINCE, is_code, level_of

from ..contracts.kinds import SERVICE_CREDIT
from .transfers import Transfer

MONTH, QUARTER, YEAR = "month", "quarter", "year"
PERIODS = (MONTH, QUARTER, YEAR)
ROUND_DOWN, ROUND_NEAREST, ROUND_UP = "down", "nearest", "up"
ROUNDING_MODES = (ROUND_DOWN, ROUND_NEAREST, ROUND_UP)
ROUTE_TO_POOL, REFUSE = "route_to_pool", "refuse"
CAP_EXCESS_RULES = (ROUTE_TO_POOL, REFUSE)
POLICY_LEVELS = (PROVINCE, CITY, COUNTY)  # the levels a policy row may be set for

FROZEN, TO_POOL = "frozen", "to_pool"
DECEASED_HOURS_RULES = (FROZEN, TO_POOL)  # what happens to a deceased person's hours

POLICY_KEYS = ("grant_minutes", "yearly_cap_minutes", "cap_excess", "rounding_unit_minutes",
               "rounding_mode", "expiry_months", "deceased_hours")

# DEMO VALUES (not an official policy): what migration 0004 seeds for Hebei (130000000000).
PROVINCE_DEFAULT = {
    "grant_minutes": {
        "economic_hardship": {"minutes": 120, "period": QUARTER},
        "empty_nest": {"minutes": 60, "period": MONTH},
        "left_behind": {"minutes": 60, "period": MONTH},
        "disabled_care": {"minutes": 120, "period": MONTH},
        "disability": {"minutes": 90, "period": MONTH},
        "advanced_age": {"minutes": 60, "period": MONTH},
        "family_planning_special": {"minutes": 120, "period": QUARTER},
    },
    "yearly_cap_minutes": 20000,  # earned (service credit) minutes per volunteer per calendar year
    "cap_excess": ROUTE_TO_POOL,
    "rounding_unit_minutes": 15,
    "rounding_mode": ROUND_DOWN,
    "expiry_months": None,  # earned minutes never expire (off by default)
}
PROVINCE_CODE = "130000000000"
DEFAULT_EFFECTIVE_FROM = dt.date(2020, 1, 1)


@dataclass(frozen=True)
class Policy(Resolved):
    """The ledger's values in effect for one region on one date (``Resolved``), read by name."""

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    @property
    def deceased_hours(self) -> str:
        """``frozen`` (the default, also when no row sets it) or ``to_pool``."""
        return self.values.get("deceased_hours") or FROZEN

    def grant_for(self, category: str) -> dict[str, Any] | None:
        """``{minutes, period}`` for a hardship category, or None (no grant)."""
        grant: dict[str, Any] | None = (self.values.get("grant_minutes") or {}).get(category)
        return grant if grant and grant.get("minutes") else None


def policy_for(rows: list[PolicyRow], region_code: str, on_date: dt.date) -> Policy:
    """The policy in effect in ``region_code`` on ``on_date`` (see the module doc; the rule is
    ``timebank_common.policies.resolve``, shared with demand's evidence thresholds)."""
    found = resolve(rows, POLICY_KEYS, region_code, on_date)
    return Policy(region_code, on_date, found.values, found.sources)


def yearly_service_minutes(created: Iterable[Transfer]) -> dict[tuple[str, int], int]:
    """What newly created transfers add to the yearly cap's running sums: the minutes of each
    posted service credit (a single-phase one, or a posted reservation), by credited account
    and China-time year of the transfer. Reversals do not give room back: the cap counts what
    was deposited."""
    sums: dict[tuple[str, int], int] = {}
    for transfer in created:
        if transfer.kind == SERVICE_CREDIT and transfer.has_entries \
                and transfer.created_at is not None:
            key = (transfer.credit_account_id, china_date(transfer.created_at).year)
            sums[key] = sums.get(key, 0) + transfer.amount_minutes
    return sums


# --- what the values do -------------------------------------------------------------------
def rounded_minutes(minutes: int, unit: int | None, mode: str | None) -> int:
    """Recorded minutes rounded to whole units (``down``: 50 -> 45 with 15-minute units;
    ``nearest``: halves round up; ``up``). No unit: unchanged. May give 0."""
    if not unit or unit <= 1:
        return minutes
    if mode == ROUND_UP:
        return -(-minutes // unit) * unit
    if mode == ROUND_NEAREST:
        return ((minutes + unit // 2) // unit) * unit
    return (minutes // unit) * unit


def split_at_cap(earned_this_year: int, minutes: int, cap: int | None) -> tuple[int, int]:
    """``(credited, excess)``: what still fits under the yearly cap and what is beyond it."""
    if cap is None:
        return minutes, 0
    room = max(cap - earned_this_year, 0)
    credited = min(minutes, room)
    return credited, minutes - credited


def period_key(period: str, on_date: dt.date) -> str:
    """``2026-11`` (month), ``2026-Q4`` (quarter), ``2026`` (year): a grant period's name."""
    if period == MONTH:
        return f"{on_date.year}-{on_date.month:02d}"
    if period == QUARTER:
        return f"{on_date.year}-Q{(on_date.month - 1) // 3 + 1}"
    return str(on_date.year)


# --- checking a new row -------------------------------------------------------------------
def _bad(field_name: str, zh: str, en: str, value: Any = None) -> BadInput:
    return BadInput("policy_invalid", zh, en, {"field": field_name, "value": value})


def check_values(values: Any) -> dict[str, Any]:
    """A new row's values, checked (unknown keys and wrong types refused)."""
    if not isinstance(values, dict) or not values:
        raise _bad("values", "政策须至少包含一项设置", "A policy row needs at least one value")
    unknown = sorted(set(values) - set(POLICY_KEYS))
    if unknown:
        raise _bad("values", "未知的政策项", "Unknown policy keys", unknown)
    grants = values.get("grant_minutes")
    if "grant_minutes" in values:
        if not isinstance(grants, dict):
            raise _bad("grant_minutes", "补贴设置须按困难类别给出", "Grants are given per category",
                       grants)
        for category, grant in grants.items():
            if (not isinstance(grant, dict) or grant.get("period") not in PERIODS
                    or not _whole(grant.get("minutes"), minimum=0)):
                raise _bad(f"grant_minutes.{category}",
                           "每类补贴须有非负整数分钟和周期（month/quarter/year）",
                           "Each grant needs whole minutes ≥ 0 and a period (month/quarter/year)",
                           grant)
    if "yearly_cap_minutes" in values and values["yearly_cap_minutes"] is not None \
            and not _whole(values["yearly_cap_minutes"], minimum=1):
        raise _bad("yearly_cap_minutes", "年度存入上限须为正整数分钟或不设上限",
                   "The yearly cap is a positive whole number of minutes, or none",
                   values["yearly_cap_minutes"])
    if "cap_excess" in values and values["cap_excess"] not in CAP_EXCESS_RULES:
        raise _bad("cap_excess", "超出上限的处理方式须为 route_to_pool 或 refuse",
                   "The excess rule is route_to_pool or refuse", values["cap_excess"])
    if "rounding_unit_minutes" in values and not _whole(values["rounding_unit_minutes"], 1, 240):
        raise _bad("rounding_unit_minutes", "取整单位须为 1 到 240 分钟",
                   "The rounding unit is 1 to 240 minutes", values["rounding_unit_minutes"])
    if "rounding_mode" in values and values["rounding_mode"] not in ROUNDING_MODES:
        raise _bad("rounding_mode", "取整方式须为 down、nearest 或 up",
                   "Rounding is down, nearest or up", values["rounding_mode"])
    if "expiry_months" in values and values["expiry_months"] is not None \
            and not _whole(values["expiry_months"], 1, 1200):
        raise _bad("expiry_months", "有效期须为 1 到 1200 个月或不设有效期",
                   "Expiry is 1 to 1200 months, or none", values["expiry_months"])
    if "deceased_hours" in values and values["deceased_hours"] not in DECEASED_HOURS_RULES:
        raise _bad("deceased_hours", "逝者时长的处理方式须为 frozen 或 to_pool",
                   "A deceased person's hours are frozen or go to_pool", values["deceased_hours"])
    return values


def check_new_row(region_code: str, effective_from: dt.date, today: dt.date) -> None:
    """A row is added for a province, city or county, and only for a future date (history
    of what was in effect is never rewritten)."""
    if not is_code(region_code) or level_of(region_code) not in POLICY_LEVELS:
        raise BadInput("policy_region_level", "政策只能按省、市或县（区）设置",
                       "A policy is set for a province, a city or a county",
                       {"region_code": region_code})
    if effective_from <= today:
        raise BadInput("policy_not_future", "新政策的生效日期须晚于今天",
                       "A new policy row must take effect after today",
                       {"effective_from": effective_from.isoformat(), "today": today.isoformat()})


def _whole(value: Any, minimum: int = 0, maximum: int | None = None) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value >= minimum
            and (maximum is None or value <= maximum))
