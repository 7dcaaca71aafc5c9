"""Call tasks: the station's list of phone calls owed to elders without a smartphone, made
by the delivery worker for the ``call`` channel, and the outcomes operators record."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import BadInput, Conflict, NotFound

from ..adapters import call_task_repository as repository
from ..domain import access
from ..domain.call_tasks import DONE, call_script, status_after
from ..domain.delivery import Contact
from . import ids


def open_task(uow, delivery, message, contact: Contact) -> str:
    """A call task for this delivery (the channel ``call``): who to call and what to say."""
    return repository.open_call_task(
        uow, delivery_id=str(delivery.id), message_id=str(message.id),
        elder_id=contact.person_id, elder_name=contact.name, carrier_id=contact.carrier_id,
        region_code=contact.region_code, kind=message.kind, urgent=bool(delivery.urgent),
        script=call_script(contact.name, message.body_zh, contact.phone))


def list_call_tasks(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any]
                    ) -> dict[str, Any]:
    """A page of the tasks the caller sees, urgent first, then oldest."""
    scope = access.call_tasks_visible_to(caller)
    with db() as uow:
        rows, total = repository.call_tasks_page(
            uow, carrier_id=scope.carrier_id, region_prefix=scope.region_prefix,
            status=query.get("status"), page=query["page"], page_size=query["page_size"])
    return {"items": [r._mapping for r in rows], "total": total, "page": query["page"],
            "page_size": query["page_size"]}


def record_call(db: UnitOfWorkFactory, caller: Caller, task_id: object,
                data: Mapping[str, Any], now: dt.datetime) -> Mapping[str, Any]:
    """Record one call's outcome (every attempt is kept); ``reached`` and ``wrong_number``
    close the task."""
    task_id = ids.call_task_id(task_id)
    access.check_may_record_calls(caller)
    with db() as uow:
        task = repository.call_task_for_update(uow, task_id)
        if task is None or not access.may_handle_task(caller, task.carrier_id,
                                                       task.region_code):
            raise NotFound("call_task_not_found", "没有这个电话任务", "No such call task")
        if task.status == DONE:
            raise Conflict("call_task_closed", "这个电话任务已完成",
                           "This call task is already done", {"outcome": task.outcome})
        try:
            status = status_after(data["outcome"])
        except ValueError:
            raise BadInput("invalid_outcome", "通话结果不正确", "Unknown call outcome") from None
        attempt = {"outcome": data["outcome"], "note": data.get("note"),
                   "by": caller.person_id, "at": now.isoformat()}
        row = repository.save_call_outcome(uow, task_id, status=status,
                                           outcome=data["outcome"], note=data.get("note"),
                                           attempts=[*task.attempts, attempt])
        uow.commit()
    mapping: Mapping[str, Any] = row._mapping
    return mapping
