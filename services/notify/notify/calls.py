"""Call tasks: the station's list of phone calls owed to elders without a smartphone."""
from __future__ import annotations

import datetime as dt

from timebank_common.caller import Caller
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound
from timebank_common.regions import prefix_of

from . import repository as repo
from .domain.call_tasks import DONE, call_script, status_after
from .domain.delivery import Contact

STAFF = ("station_operator", "township_admin", "county_admin", "city_admin", "province_admin")


def open_task(uow, delivery, message, contact: Contact) -> str:
    """A call task for this delivery (the channel ``call``): who to call and what to say."""
    return repo.open_call_task(
        uow, delivery_id=str(delivery.id), message_id=str(message.id),
        elder_id=contact.person_id, elder_name=contact.name, carrier_id=contact.carrier_id,
        region_code=contact.region_code, kind=message.kind, urgent=bool(delivery.urgent),
        script=call_script(contact.name, message.body_zh, contact.phone))


def _visible_to(caller: Caller) -> dict:
    """Station operators see their station's tasks; admins (and auditors) their region's."""
    if caller.has("station_operator") and caller.carrier_id:
        return {"carrier_id": caller.carrier_id, "region_prefix": None}
    if caller.has(*STAFF[1:], "auditor") and caller.scope:
        return {"carrier_id": None, "region_prefix": prefix_of(caller.scope)}
    raise Forbidden("role_required", "只有服务站工作人员和管理员可以查看电话任务",
                    "Only station staff and administrators see call tasks")


def list_tasks(uow, caller: Caller, query: dict) -> dict:
    where = _visible_to(caller)
    rows, total = repo.call_tasks_page(uow, **where, status=query.get("status"),
                                       page=query["page"], page_size=query["page_size"])
    return {"items": rows, "total": total, "page": query["page"],
            "page_size": query["page_size"]}


def record_outcome(uow, caller: Caller, task_id: str, data: dict, now: dt.datetime):
    if not caller.has(*STAFF):
        raise Forbidden("role_required", "只有服务站工作人员和管理员可以登记通话结果",
                        "Only station staff and administrators record call outcomes")
    task = repo.call_task_for_update(uow, task_id)
    if task is None:
        raise NotFound("call_task_not_found", "没有这个电话任务", "No such call task")
    if caller.has("station_operator") and caller.carrier_id:
        allowed = task.carrier_id == caller.carrier_id
    else:
        allowed = caller.covers(task.region_code)
    if not allowed:
        raise NotFound("call_task_not_found", "没有这个电话任务", "No such call task")
    if task.status == DONE:
        raise Conflict("call_task_closed", "这个电话任务已完成", "This call task is already done",
                       {"outcome": task.outcome})
    try:
        status = status_after(data["outcome"])
    except ValueError:
        raise BadInput("invalid_outcome", "通话结果不正确", "Unknown call outcome") from None
    attempt = {"outcome": data["outcome"], "note": data.get("note"),
               "by": caller.person_id, "at": now.isoformat()}
    return repo.save_call_outcome(uow, task_id, status=status, outcome=data["outcome"],
                                  note=data.get("note"), attempts=[*task.attempts, attempt])
