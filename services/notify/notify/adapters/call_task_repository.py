"""Call tasks: the calls a station owes phone-only elders, and every attempt made."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import within

from ..domain.call_tasks import DONE, OPEN
from .tables import call_tasks

CALL_TASK_COLUMNS = (call_tasks.c.id, call_tasks.c.elder_id, call_tasks.c.elder_name,
                     call_tasks.c.carrier_id, call_tasks.c.region_code, call_tasks.c.kind,
                     call_tasks.c.script, call_tasks.c.urgent, call_tasks.c.status,
                     call_tasks.c.outcome, call_tasks.c.note, call_tasks.c.attempts,
                     call_tasks.c.created_at, call_tasks.c.closed_at, call_tasks.c.message_id)


def open_call_task(uow, **values: Any) -> str:
    task_id = str(uuid.uuid4())
    uow.execute(insert(call_tasks).values(id=task_id, **values)
                .on_conflict_do_nothing(index_elements=[call_tasks.c.delivery_id]))
    return task_id


def call_tasks_page(uow, *, carrier_id: str | None, region_prefix: str | None,
                    status: str | None, page: int, page_size: int):
    where = []
    if carrier_id:
        where.append(call_tasks.c.carrier_id == carrier_id)
    if region_prefix:
        where.append(within(call_tasks.c.region_code, region_prefix))
    if status:
        where.append(call_tasks.c.status == status)
    rows = uow.execute(select(*CALL_TASK_COLUMNS).where(*where)
                       .order_by(call_tasks.c.urgent.desc(), call_tasks.c.created_at,
                                 call_tasks.c.id)
                       .limit(page_size).offset((page - 1) * page_size)).all()
    total = uow.execute(select(func.count()).select_from(call_tasks).where(*where)).scalar_one()
    return rows, total


def call_task_for_update(uow, task_id: str):
    return uow.execute(select(*CALL_TASK_COLUMNS).where(call_tasks.c.id == task_id)
                       .with_for_update()).first()


def save_call_outcome(uow, task_id: str, *, status: str, outcome: str, note: str | None,
                      attempts: list[dict[str, Any]]):
    return uow.execute(
        update(call_tasks).where(call_tasks.c.id == task_id)
        .values(status=status, outcome=outcome, note=note, attempts=attempts,
                closed_at=func.now() if status == DONE else None)
        .returning(*CALL_TASK_COLUMNS)).first()


def hand_over_open_tasks(uow, elder_id: str, carrier_id: str, region_code: str) -> int:
    """An elder who moved: their open calls are owed by the new station from now on."""
    rows = uow.execute(update(call_tasks).where(call_tasks.c.elder_id == elder_id,
                                                call_tasks.c.status == OPEN)
                       .values(carrier_id=carrier_id, region_code=region_code)
                       .returning(call_tasks.c.id)).all()
    return len(rows)
