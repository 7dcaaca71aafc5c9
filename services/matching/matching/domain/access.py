"""Who may read or change what in matching: role and region-scope rules (refusals are the
kit's ``Forbidden``)."""
from __future__ import annotations

from timebank_common.caller import STAFF_ROLES, STATION_STAFF, Caller
from timebank_common.errors import Forbidden


def no_scope() -> Forbidden:
    return Forbidden("out_of_scope", "您没有管辖范围", "You have no region scope")


def feed_region(caller: Caller, volunteer_id: str) -> tuple[str | None, str | None]:
    """(region to rank around, scope to restrict to) for this caller reading this volunteer's
    feed: the volunteer themselves, or staff (limited to their scope)."""
    if caller.has("volunteer") and caller.person_id == volunteer_id:
        return caller.scope, None
    if caller.is_staff():
        if not caller.scope:
            raise no_scope()
        return caller.scope, caller.scope
    raise Forbidden("feed_not_yours", "只能查看自己的推荐需求",
                    "You can only read your own demand feed")


def require_station_staff_in_scope(caller: Caller, region_code: str) -> None:
    """Candidates, dispatch and proposal decisions: station staff covering the region."""
    caller.require(*STATION_STAFF)
    caller.require_scope(region_code)


def require_preferences_owner(caller: Caller, volunteer_id: str, write: bool) -> None:
    """A volunteer's own preferences; station staff may change them, any staff read them."""
    if caller.has("volunteer") and caller.person_id == volunteer_id:
        return
    if caller.has(*(STATION_STAFF if write else STAFF_ROLES)):
        return
    raise Forbidden("preferences_not_yours", "只能查看或修改自己的服务偏好",
                    "You can only read or change your own preferences")
