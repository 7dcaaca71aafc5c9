"""Who may read or change what in matching: role and region-scope rules (refusals are the
kit's ``Forbidden``; an id outside the caller's scope is answered as an id nobody has, the
kit's ``NotFound``, so a refusal never tells that something exists elsewhere)."""
from __future__ import annotations

from timebank_common.caller import STAFF_ROLES, STATION_STAFF, Caller
from timebank_common.errors import Forbidden, NotFound


def no_scope() -> Forbidden:
    return Forbidden("out_of_scope", "您没有管辖范围", "You have no region scope")


def no_volunteer(volunteer_id: str) -> NotFound:
    """A volunteer nobody has, or one outside the caller's scope: the same answer."""
    return NotFound("volunteer_not_found", "未找到该志愿者", "No such volunteer",
                    {"volunteer_id": volunteer_id})


def no_open_demand(demand_id: str) -> NotFound:
    """A demand that is not open, nobody has, or lies outside the caller's scope."""
    return NotFound("open_demand_not_found", "没有这个待匹配的需求",
                    "No open demand with this id", {"demand_id": demand_id})


def no_proposal(proposal_id: str) -> NotFound:
    return NotFound("proposal_not_found", "没有这个派单建议", "No such proposal",
                    {"proposal_id": proposal_id})


def is_self(caller: Caller, volunteer_id: str) -> bool:
    return caller.has("volunteer") and caller.person_id == volunteer_id


def covered(caller: Caller, region_code: str | None, missing: NotFound) -> None:
    """The caller's scope covers ``region_code`` (None: nobody has the id), else ``missing``."""
    if region_code is None or not caller.scope or not caller.covers(region_code):
        raise missing


def feed_reader(caller: Caller, volunteer_id: str) -> None:
    """A feed is read by the volunteer themselves, or by staff (then limited to their scope,
    and only for a volunteer of their scope)."""
    if is_self(caller, volunteer_id):
        return
    if caller.is_staff():
        if not caller.scope:
            raise no_scope()
        return
    raise Forbidden("feed_not_yours", "只能查看自己的推荐需求",
                    "You can only read your own demand feed")


def require_station_staff_in_scope(caller: Caller, region_code: str) -> None:
    """Dispatch of a region: station staff covering the region."""
    caller.require(*STATION_STAFF)
    caller.require_scope(region_code)


def preferences_reader(caller: Caller, volunteer_id: str, write: bool) -> None:
    """A volunteer's own preferences; station staff may change them, any staff read them
    (then only of a volunteer in their scope, checked by the use case)."""
    if is_self(caller, volunteer_id):
        return
    if caller.has(*(STATION_STAFF if write else STAFF_ROLES)):
        if not caller.scope:
            raise no_scope()
        return
    raise Forbidden("preferences_not_yours", "只能查看或修改自己的服务偏好",
                    "You can only read or change your own preferences")
