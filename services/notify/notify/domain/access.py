"""Who may read and change what in notify: a person their own inbox and preferences; the
staff who look after an elder that elder's preferences; station operators their station's
call tasks, admins and auditors their region's."""
from __future__ import annotations

from dataclasses import dataclass

from timebank_common.caller import ADMIN_ROLES, STATION_STAFF, Caller
from timebank_common.errors import Forbidden, NotFound
from timebank_common.regions import prefix_of

from .delivery import Contact


def inbox_owner(caller: Caller) -> str:
    """Whose inbox the caller reads: their own; a system (an API client) has none."""
    if not caller.person_id:
        raise Forbidden("person_required", "只有个人用户有消息收件箱",
                        "Only a person has an inbox")
    return caller.person_id


def own_preferences(caller: Caller, person_id: str | None) -> str | None:
    """The caller's id when they ask for their own preferences (``person_id`` empty or
    theirs); None when they ask for another person's, which only station staff may — whose
    exactly ``check_looks_after`` decides once identity told who the person is."""
    if person_id in (None, "", caller.person_id):
        if not caller.person_id:
            raise Forbidden("person_required", "只有个人用户有通知设置",
                            "Only a person has notification preferences")
        return caller.person_id
    if not caller.has(*STATION_STAFF):
        raise Forbidden("not_your_preferences", "只能查看和修改自己的通知设置",
                        "You may only see and change your own preferences")
    return None


def check_looks_after(caller: Caller, contact: Contact | None) -> None:
    """Staff act for a person of their own station, or (admins) a person in their scope; a
    person outside is answered as a person nobody has (the refusal never tells that someone
    exists elsewhere)."""
    if contact is None:
        raise no_person()
    own_station = bool(caller.carrier_id and contact.carrier_id == caller.carrier_id)
    if not (own_station or (not caller.has("station_operator")
                            and caller.covers(contact.region_code))):
        raise no_person()


def no_person() -> NotFound:
    return NotFound("person_not_found", "没有这个人", "No such person")


@dataclass(frozen=True)
class CallTaskScope:
    """The call tasks a caller sees: one station's, or those under a region prefix."""

    carrier_id: str | None = None
    region_prefix: str | None = None


def call_tasks_visible_to(caller: Caller) -> CallTaskScope:
    """Station operators see their station's tasks; admins (and auditors) their region's."""
    if caller.has("station_operator") and caller.carrier_id:
        return CallTaskScope(carrier_id=caller.carrier_id)
    if caller.has(*ADMIN_ROLES, "auditor") and caller.scope:
        return CallTaskScope(region_prefix=prefix_of(caller.scope))
    raise Forbidden("role_required", "只有服务站工作人员和管理员可以查看电话任务",
                    "Only station staff and administrators see call tasks")


def check_may_record_calls(caller: Caller) -> None:
    if not caller.has(*STATION_STAFF):
        raise Forbidden("role_required", "只有服务站工作人员和管理员可以登记通话结果",
                        "Only station staff and administrators record call outcomes")


def may_handle_task(caller: Caller, carrier_id: str | None, region_code: str | None) -> bool:
    """A station operator handles their station's tasks; an admin those in their scope."""
    if caller.has("station_operator") and caller.carrier_id:
        return carrier_id == caller.carrier_id
    return caller.covers(region_code)
