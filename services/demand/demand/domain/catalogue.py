"""Service categories: what may be asked for, and who may serve it (DESIGN.md §1)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from timebank_common.errors import BadInput

from ..contracts.enums import NOT_OFFERED


@dataclass(frozen=True)
class Category:
    code: str
    name_zh: str
    name_en: str
    professional: bool
    qualifications: tuple[str, ...]
    default_minutes: int
    group_allowed: bool

    def consistency_problems(self) -> list[str]:
        """Why this catalogue entry is malformed (empty when it is fine)."""
        problems = []
        if self.professional and not self.qualifications:
            problems.append(f"{self.code}: professional but names no qualification")
        if not self.professional and self.qualifications:
            problems.append(f"{self.code}: non-professional but requires a qualification")
        if not 15 <= self.default_minutes <= 480:
            problems.append(f"{self.code}: default_minutes outside 15..480")
        return problems


PROVINCE_CODE = "130000000000"  # the catalogue is the province's (Hebei): its admins edit it

def require_offered(code: str, catalogue: Mapping[str, Category]) -> Category:
    """The category ``code``, or a refusal that tells the caller what is offered."""
    if code in NOT_OFFERED:
        raise BadInput(
            "category_not_offered",
            "时间银行不提供家政服务，也不承担养老机构或家庭应尽的照护义务；"
            "请选择服务目录中的项目",
            "The time bank does not offer housekeeping, nor duties owed by care "
            "institutions or families; choose a category from the catalogue",
            {"category": code, "offered": sorted(catalogue)},
        )
    category = catalogue.get(code)
    if category is None:
        raise BadInput(
            "unknown_category",
            "服务目录中没有该服务类别",
            "This service category is not in the catalogue",
            {"category": code, "offered": sorted(catalogue)},
        )
    return category


def check_group(category: Category, volunteers_needed: int) -> None:
    if volunteers_needed > 1 and not category.group_allowed:
        raise BadInput(
            "group_not_allowed",
            f"“{category.name_zh}”只能由一名志愿者提供",
            f"'{category.name_en}' is served by one volunteer only",
            {"category": category.code, "volunteers_needed": volunteers_needed},
        )


def qualifies(category: Category, held_kinds: Iterable[str] | None) -> bool:
    """True if a volunteer holding valid qualifications ``held_kinds`` may serve ``category``."""
    if not category.professional:
        return True
    return bool(set(category.qualifications) & set(held_kinds or ()))


EDITABLE = ("name_zh", "name_en", "professional", "qualifications", "default_minutes",
            "group_allowed", "active", "sort_order")


def require_valid(category: Category) -> None:
    """Refuse a catalogue entry that could not be served as described."""
    if category.code in NOT_OFFERED:
        require_offered(category.code, {})
    problems = category.consistency_problems()
    if problems:
        raise BadInput("category_inconsistent", "服务类别设置不一致：专业类别须指定资质，非专业类别不得要求资质，"
                       "默认时长须在 15 到 480 分钟之间",
                       "Inconsistent category: professional ones name a qualification, others none; "
                       "default minutes between 15 and 480", {"problems": problems})


def edited(current: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The category row after ``changes`` (only editable fields)."""
    return {**current, **{k: v for k, v in changes.items() if k in EDITABLE}}


def as_category(row: Mapping[str, Any]) -> Category:
    return Category(row["code"], row["name_zh"], row["name_en"], row["professional"],
                    tuple(row["qualifications"]), row["default_minutes"], row["group_allowed"])
