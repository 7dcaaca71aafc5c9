"""Who counts as an elder, and whether a volunteer may serve.

A volunteer's eligibility is computed from recorded facts, never typed in. Every missing
condition adds a reason ``{code, zh, en}`` so people see every missing step at once:
``under_age`` (18+ by the birth date in the ID number), ``no_volunteer_number`` (national
volunteer-system number), ``registry_unverified`` (the national registry has not verified
the volunteer), ``screening_flagged`` / ``screening_unknown`` (credit and legal-record
screening), ``training_short`` (completed hours below the region's threshold) and
``no_health_declaration`` (health self-declaration); ``not_active`` first when the person
left, withdrew or died (``standing``).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

ELDER_MIN_AGE = 60
VOLUNTEER_MIN_AGE = 18


def is_elder(age: int) -> bool:
    return age >= ELDER_MIN_AGE


def reason(code: str, zh: str, en: str) -> dict[str, str]:
    return {"code": code, "zh": zh, "en": en}


@dataclass(frozen=True)
class VolunteerFacts:
    """What is recorded about a volunteer (``age`` from the ID number, on the day asked)."""
    age: int
    volunteer_number: str | None
    registry_status: str = "unverified"
    screening: str = "unknown"
    training_hours: Decimal = Decimal(0)
    required_hours: Decimal = Decimal(0)
    health_declared: bool = False
    standing: str = "active"


def _hours(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def volunteer_reasons(facts: VolunteerFacts) -> list[dict[str, str]]:
    """Reasons a volunteer may not serve yet, in a fixed order; empty when eligible."""
    reasons: list[dict[str, str]] = []
    if facts.standing != "active":
        reasons.append(reason("not_active", "此人已不在册（已离开、退出或已故）",
                              "This person is no longer active (left, withdrew or deceased)"))
    if facts.age < VOLUNTEER_MIN_AGE:
        reasons.append(reason("under_age", f"志愿者须年满{VOLUNTEER_MIN_AGE}周岁",
                              f"Volunteers must be at least {VOLUNTEER_MIN_AGE} years old"))
    if not (facts.volunteer_number or "").strip():
        reasons.append(reason("no_volunteer_number",
                              "尚未登记全国志愿服务信息系统的志愿者编号",
                              "No volunteer number from the national volunteer system yet"))
    if facts.registry_status != "verified":
        reasons.append(reason("registry_unverified",
                              "全国志愿服务信息系统尚未核验该志愿者的注册信息",
                              "The national volunteer registry has not verified this volunteer"))
    if facts.screening == "flagged":
        reasons.append(reason("screening_flagged", "信用或违法记录审查未通过",
                              "The credit and legal-record screening found a record"))
    elif facts.screening != "clear":
        reasons.append(reason("screening_unknown", "信用及违法记录审查尚无结果",
                              "The credit and legal-record screening has no result yet"))
    if Decimal(facts.training_hours) < Decimal(facts.required_hours):
        have, need = _hours(facts.training_hours), _hours(facts.required_hours)
        reasons.append(reason("training_short",
                              f"培训学时不足：已完成{have}小时，须达到{need}小时",
                              f"Not enough training: {have} of {need} hours completed"))
    if not facts.health_declared:
        reasons.append(reason("no_health_declaration", "尚未提交健康状况自我声明",
                              "No health self-declaration yet"))
    return reasons
