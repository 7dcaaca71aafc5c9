"""Delegation only downward (DESIGN.md §4): who may grant which staff role, and where.

Levels, from the top: province_admin (a province, 2-digit scope) > city_admin (a city-level
unit, 4 digits; 辛集 130181, 定州 130682 and 雄安 133100 count as cities) > county_admin
(6 digits) > township_admin (9 digits) > station_operator (bound to one carrier; its scope
is the carrier's township, as for the demo station operator). auditor (read-only) sits
beside the ladder.

Rules:
- only admins grant; an admin grants roles strictly below their own level, and an auditor
  at their own level or below; only a province_admin creates another province_admin;
- the scope lies inside the granter's own (a city-level unit is not inside the city that
  surrounds it: 石家庄's admin does not appoint staff in 辛集);
- the scope's level is the role's (a county_admin is granted a county code); an auditor
  is granted a province, city, county or township;
- a station_operator is granted at a carrier inside the granter's scope, and only they
  carry a carrier;
- revoking a grant takes what granting it would take; nobody revokes their own grant;
- a municipal API client is scoped to a city-level unit, created and managed by a
  province_admin (anywhere in the province) or a city_admin (their own city).

Pure: no I/O. Refusals carry a reason code and the message in Chinese and English.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from timebank_common.regions import (
    CITY,
    CITY_LEVEL_COUNTIES,
    COUNTY,
    PROVINCE,
    TOWNSHIP,
    city_unit_of,
    in_scope,
    is_code,
    level_of,
)

from ..contracts import CLIENT_MANAGERS, GRANTABLE_ROLES

ADMIN_LEVEL = {"province_admin": PROVINCE, "city_admin": CITY, "county_admin": COUNTY,
               "township_admin": TOWNSHIP}
RANK = {"province_admin": 4, "city_admin": 3, "county_admin": 2, "township_admin": 1,
        "station_operator": 0}
STATION_OPERATOR, AUDITOR = "station_operator", "auditor"
AUDITOR_LEVELS = (PROVINCE, CITY, COUNTY, TOWNSHIP)
LEVEL_ZH = {PROVINCE: "省", CITY: "市（含辛集、定州、雄安）", COUNTY: "县（区）", TOWNSHIP: "乡镇（街道）"}

_REASONS = {
    "unknown_role": ("只能授予工作人员角色", "Only staff roles can be granted"),
    "not_an_admin": ("只有管理员可以授权", "Only admins grant roles"),
    "province_admin_reserved": ("只有省级管理员可以设立省级管理员",
                                "Only a province admin creates a province admin"),
    "role_not_delegable": ("只能授予低于自己级别的角色",
                           "You may grant only roles below your own level"),
    "scope_required": ("请填写授权范围（区划代码）", "Give the scope (a region code)"),
    "scope_level_mismatch": ("授权范围的区划级别与角色不符",
                             "The scope's level does not match the role"),
    "carrier_required": ("站点操作员须绑定一个服务站点", "A station operator is bound to a carrier"),
    "carrier_not_for_role": ("只有站点操作员绑定服务站点", "Only a station operator is bound to a carrier"),
    "out_of_scope": ("授权范围不在您的管辖范围内", "This scope is outside your own"),
    "own_grant": ("不能撤销自己的授权，请由上级管理员撤销",
                  "You cannot revoke your own grant; a higher admin must"),
    "already_revoked": ("该授权已被撤销", "This grant has already been revoked"),
    "not_an_operator_grant": ("这不是工作人员授权", "This is not a staff grant"),
    "client_scope_not_city": ("市级系统的范围须为一个市级单位（含辛集、定州、雄安）",
                              "A municipal system is scoped to a city-level unit"),
}


class DelegationRefused(ValueError):
    """Why a grant (or a client) is refused, in both languages."""

    def __init__(self, reason: str, zh: str | None = None, en: str | None = None):
        self.reason = reason
        base_zh, base_en = _REASONS[reason]
        self.zh, self.en = zh or base_zh, en or base_en
        super().__init__(f"{reason}: {self.en}")


@dataclass(frozen=True)
class Granter:
    """The admin who grants: their roles and the scope they act in (``Caller`` fields)."""
    roles: tuple[str, ...]
    scope: str | None

    @property
    def rank(self) -> int | None:
        ranks = [RANK[r] for r in self.roles if r in ADMIN_LEVEL]
        return max(ranks) if ranks else None

    def has(self, role: str) -> bool:
        return role in self.roles


def management_level(code: str) -> str:
    """The level a region is managed at: 辛集 and 定州 are counties managed as cities."""
    level = level_of(code)
    if level == COUNTY and code[:6] in CITY_LEVEL_COUNTIES:
        return CITY
    return level


def manages(scope: str | None, code: str | None) -> bool:
    """Whether ``code`` lies inside ``scope`` for management (a city does not manage the
    city-level units whose codes its prefix happens to cover)."""
    if scope is None or code is None or not in_scope(scope, code):
        return False
    if management_level(scope) == CITY:
        return city_unit_of(code) == scope
    return True


def station_scope(carrier_region: str) -> str:
    """A station operator acts in the township of their carrier's community."""
    return carrier_region[:9] + "000"


def _check_role(granter: Granter, role: str) -> None:
    if role not in GRANTABLE_ROLES:
        raise DelegationRefused("unknown_role")
    if granter.rank is None:
        raise DelegationRefused("not_an_admin")
    if role == AUDITOR:
        return
    if role == "province_admin":
        if not granter.has("province_admin"):
            raise DelegationRefused("province_admin_reserved")
        return
    if RANK[role] >= granter.rank:
        raise DelegationRefused("role_not_delegable")


def _scope_for(role: str, scope_code: str | None, carrier_region: str | None) -> str:
    if role == STATION_OPERATOR:
        if not carrier_region:
            raise DelegationRefused("carrier_required")
        own = station_scope(carrier_region)
        if scope_code and scope_code != own:
            raise DelegationRefused(
                "scope_level_mismatch", f"站点操作员的范围是其站点所在乡镇（街道）{own}",
                f"A station operator's scope is the township of their carrier, {own}")
        return own
    if carrier_region:
        raise DelegationRefused("carrier_not_for_role")
    if not scope_code or not is_code(scope_code):
        raise DelegationRefused("scope_required")
    level = management_level(scope_code)
    if role == AUDITOR and level not in AUDITOR_LEVELS:
        raise DelegationRefused("scope_level_mismatch", "审计员的范围应为省、市、县或乡镇一级",
                                "An auditor's scope is a province, city, county or township")
    if role != AUDITOR and level != ADMIN_LEVEL[role]:
        raise DelegationRefused(
            "scope_level_mismatch", f"{role} 的授权范围应为{LEVEL_ZH[ADMIN_LEVEL[role]]}一级区划",
            f"A {role} is granted a {ADMIN_LEVEL[role]}-level region code")
    return scope_code


def check_grant(granter: Granter, role: str, scope_code: str | None,
                carrier_region: str | None = None) -> str:
    """The scope the grant gets, or ``DelegationRefused``.

    ``carrier_region``: the community of the carrier a station operator is bound to
    (None for other roles)."""
    _check_role(granter, role)
    scope = _scope_for(role, scope_code, carrier_region)
    _check_scope(granter, scope, carrier_region)
    return scope


def _check_scope(granter: Granter, scope: str, carrier_region: str | None) -> None:
    for code in (scope, carrier_region):
        if code and not manages(granter.scope, code):
            raise DelegationRefused("out_of_scope")


def check_revoke(granter: Granter, granter_person_id: str | None, grant: Mapping[str, Any],
                 carrier_region: str | None = None) -> None:
    """Revoking ``grant`` (a ``role_grants`` row) takes what granting it would take."""
    if grant["role"] not in GRANTABLE_ROLES:
        raise DelegationRefused("not_an_operator_grant")
    if granter.rank is None:
        raise DelegationRefused("not_an_admin")
    if granter_person_id and str(grant["person_id"]) == str(granter_person_id):
        raise DelegationRefused("own_grant")
    _check_role(granter, grant["role"])
    _check_scope(granter, grant["scope_code"], carrier_region)
    if grant.get("revoked_at") is not None:
        raise DelegationRefused("already_revoked")


def check_client_scope(granter: Granter, scope_code: str) -> None:
    """Whether ``granter`` may create or manage a municipal API client scoped to ``scope_code``."""
    if not any(granter.has(role) for role in CLIENT_MANAGERS):
        raise DelegationRefused("not_an_admin", "只有省级或市级管理员管理市级系统",
                                "Only province and city admins manage municipal systems")
    if not is_code(scope_code or "") or management_level(scope_code) != CITY:
        raise DelegationRefused("client_scope_not_city")
    if not manages(granter.scope, scope_code):
        raise DelegationRefused("out_of_scope")
