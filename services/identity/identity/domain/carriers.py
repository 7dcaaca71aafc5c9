"""Service carriers (服务载体): the kinds of organisation and station that serve elders.

A carrier is registered at the community/village level it serves.
"""
from __future__ import annotations

from timebank_common.regions import COMMUNITY

CARRIER_LEVEL = COMMUNITY

# code: (zh, en)
CARRIER_KINDS: dict[str, tuple[str, str]] = {
    "volunteer_service_org": ("志愿服务组织", "Volunteer service organisation"),
    "social_work_org": ("社会工作服务机构", "Social work service organisation"),
    "elderly_care_institution": ("养老服务机构", "Elderly care institution"),
    "social_work_station": ("社会工作服务站", "Social work service station"),
    "civilisation_practice_centre": ("新时代文明实践中心（所、站）",
                                     "New-era civilisation practice centre (institute, station)"),
    "lei_feng_station": ("学雷锋志愿服务站", "Learn-from-Lei-Feng volunteer service station"),
    "cuncaoxin_station": ("寸草心敬老志愿服务站", "Cuncaoxin elder-respect volunteer service station"),
}


def is_carrier_kind(code: str | None) -> bool:
    return code in CARRIER_KINDS


def kind_names(code: str) -> dict:
    zh, en = CARRIER_KINDS.get(code, (code, code))
    return {"zh": zh, "en": en}
