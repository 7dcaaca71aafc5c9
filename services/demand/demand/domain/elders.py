"""Who a demand may be for: an elder (老年人, 60 or older) with an elder profile in identity."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common.errors import RuleViolation

ELDER_MIN_AGE = 60


def require_elder(elder: Mapping[str, Any]) -> None:
    """``elder``: identity's ``get_elder`` view (it exists only for a person with an elder
    profile). Refuse a person below the elder age: the time bank serves elders."""
    age = elder.get("age")
    if age is not None and age < ELDER_MIN_AGE:
        raise RuleViolation("not_an_elder", f"服务对象须年满 {ELDER_MIN_AGE} 周岁",
                            f"Services are for elders aged {ELDER_MIN_AGE} or over",
                            {"age": age, "min_age": ELDER_MIN_AGE})
