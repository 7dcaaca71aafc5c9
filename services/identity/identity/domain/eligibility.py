"""Who counts as an elder, and whether a volunteer may serve (for now: age and volunteer number).

Later issues add training hours, screening results and qualifications; each rule
adds a reason ``{code, zh, en}`` so people see every missing step at once.
"""
from __future__ import annotations

ELDER_MIN_AGE = 60
VOLUNTEER_MIN_AGE = 18


def is_elder(age: int) -> bool:
    return age >= ELDER_MIN_AGE


def reason(code: str, zh: str, en: str) -> dict:
    return {"code": code, "zh": zh, "en": en}


def volunteer_reasons(age: int, volunteer_number: str | None) -> list[dict]:
    """Reasons a volunteer may not serve yet; empty when eligible."""
    reasons = []
    if age < VOLUNTEER_MIN_AGE:
        reasons.append(reason("under_age", f"志愿者须年满{VOLUNTEER_MIN_AGE}周岁",
                              f"Volunteers must be at least {VOLUNTEER_MIN_AGE} years old"))
    if not (volunteer_number or "").strip():
        reasons.append(reason("volunteer_number_missing",
                              "尚未登记全国志愿服务信息系统的志愿者编号",
                              "No volunteer number from the national volunteer system yet"))
    return reasons
