"""The training hours a volunteer needs: a per-region policy value with an effective date.

A policy row ``(region_code, min_hours, effective_from)`` covers every region whose code
starts with the row's region prefix (province 2 digits, city 4, county 6, township 9,
community 12). The most specific prefix with a row in force (``effective_from`` on or
before the day asked) wins; among one prefix's rows, the latest in force.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from timebank_common.regions import prefix_of


@dataclass(frozen=True)
class TrainingPolicy:
    region_code: str
    min_hours: Decimal
    effective_from: dt.date


def policy_for(policies: Iterable[TrainingPolicy], region_code: str,
               today: dt.date) -> TrainingPolicy | None:
    """The policy in force for ``region_code`` on ``today``; None when no row applies."""
    applicable = [p for p in policies
                  if region_code.startswith(prefix_of(p.region_code)) and p.effective_from <= today]
    if not applicable:
        return None
    return max(applicable, key=lambda p: (len(prefix_of(p.region_code)), p.effective_from))


def required_hours(policies: Iterable[TrainingPolicy], region_code: str,
                   today: dt.date) -> Decimal:
    policy = policy_for(policies, region_code, today)
    return Decimal(policy.min_hours) if policy else Decimal(0)
