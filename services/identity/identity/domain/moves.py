"""Moving within the province (迁移): who may move whom, and where to.

A person is moved by staff whose scope covers where the person lives NOW: a township
administrator or above, or a station operator for an elder of their own station. The new
home is any community (village) of the province; an elder's new station, when named, is
in that community. After the move the new region's staff take over and the old region's
staff no longer see the person; the history of moves stays visible to both sides.
"""
from __future__ import annotations

from timebank_common.caller import ADMIN_ROLES

from .carriers import CARRIER_LEVEL

PROVINCE_PREFIX = "13"

_REASONS = {
    "role_required": ("您的角色无权为此人办理迁移", "Your role may not move this person"),
    "not_in_province": ("只能迁往本省的社区（村）", "A move goes to a community of the province"),
    "not_a_community": ("迁入地须为社区（村）一级", "The new home is a community (village)"),
    "already_there": ("此人已在该社区", "The person already lives in this community"),
    "carrier_not_in_region": ("新的服务站点须在迁入社区", "The new station is in the new community"),
    "carrier_for_elders": ("只有老年人登记服务站点", "Only an elder has a station"),
    "reason_required": ("请填写迁移理由", "A reason for the move is required"),
}


class MoveRefused(ValueError):
    def __init__(self, reason: str):
        self.reason = reason
        self.zh, self.en = _REASONS[reason]
        super().__init__(f"{reason}: {self.en}")


def check_mover(roles: tuple[str, ...] | list[str], own_station_elder: bool) -> None:
    """Whether these roles may move the person (their scope covers the person: checked by
    the caller). A station operator moves only the elders of their own station."""
    if any(role in ADMIN_ROLES for role in roles):
        return
    if "station_operator" in roles and own_station_elder:
        return
    raise MoveRefused("role_required")


def check_destination(current_region: str, to_region: str, to_level: str | None,
                      carrier_region: str | None, is_elder: bool, reason: str | None) -> str:
    """The reason to keep (trimmed), or ``MoveRefused``. ``to_level``: the level of the new
    region (None: unknown); ``carrier_region``: the region of the named station, if any."""
    if not to_region.startswith(PROVINCE_PREFIX):
        raise MoveRefused("not_in_province")
    if to_level != CARRIER_LEVEL:
        raise MoveRefused("not_a_community")
    if to_region == current_region:
        raise MoveRefused("already_there")
    if carrier_region is not None:
        if not is_elder:
            raise MoveRefused("carrier_for_elders")
        if carrier_region != to_region:
            raise MoveRefused("carrier_not_in_region")
    text = (reason or "").strip()
    if not text:
        raise MoveRefused("reason_required")
    return text
