"""Whether a volunteer may take a demand, from identity's ``check_volunteer`` answer."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common.errors import RuleViolation

from .catalogue import Category, qualifies


def require_eligible(check: Mapping[str, Any], category: Category, elder_id: str) -> None:
    """``check`` = ``{person_id, region_code, eligible, reasons, qualifications?}``."""
    if not check.get("eligible"):
        raise RuleViolation("volunteer_not_eligible", "该志愿者目前不符合服务条件",
                            "This volunteer is not eligible to serve at present",
                            {"reasons": check.get("reasons") or []})
    if check.get("person_id") == elder_id:
        raise RuleViolation("self_service", "志愿者不能为自己提供服务",
                            "A volunteer cannot serve their own demand")
    if not qualifies(category, check.get("qualifications")):
        raise RuleViolation(
            "qualification_required",
            f"“{category.name_zh}”属于专业服务，须持有有效资质：{'、'.join(category.qualifications)}",
            f"'{category.name_en}' is a professional service and needs a valid qualification: "
            f"{', '.join(category.qualifications)}",
            {"reasons": [{"code": "qualification_required",
                          "zh": "缺少所需资质", "en": "required qualification missing"}],
             "required_any_of": list(category.qualifications)},
        )
