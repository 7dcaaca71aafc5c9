"""SQL of the notify service: templates, the inbox, preferences, deliveries, call tasks,
reminders."""
from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import and_, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.db import within

from .domain.delivery import DUE
from .domain.preferences import Preferences
from .domain.templates import Template
from .tables import (
    call_tasks,
    deliveries,
    dispute_parties,
    messages,
    preferences,
    record_parties,
    reminders,
    templates,
)

MESSAGE_COLUMNS = (messages.c.id, messages.c.kind, messages.c.title_zh, messages.c.body_zh,
                   messages.c.title_en, messages.c.body_en, messages.c.data,
                   messages.c.created_at, messages.c.read_at)


def templates_for(uow, event_type: str, role: str) -> list[Template]:
    rows = uow.execute(
        select(templates).where(templates.c.event_type == event_type, templates.c.role == role)
    ).all()
    return [Template(r.event_type, r.role, r.locale, r.title, r.body) for r in rows]


def all_templates(uow):
    return uow.execute(select(templates).order_by(templates.c.event_type, templates.c.role,
                                                  templates.c.locale)).all()


def update_template(uow, event_type: str, role: str, locale: str, title: str, body: str,
                    updated_by: str):
    return uow.execute(
        update(templates).where(templates.c.event_type == event_type,
                                templates.c.role == role, templates.c.locale == locale)
        .values(title=title, body=body, updated_by=updated_by, updated_at=func.now())
        .returning(templates)).first()


def store_message(uow, *, person_id, kind, rendered, data, source_event_id) -> str | None:
    """Insert one inbox message and return its id; None when this source (event, reminder,
    …) already gave this person this kind of message."""
    stmt = (
        insert(messages)
        .values(id=str(uuid.uuid4()), person_id=person_id, kind=kind,
                title_zh=rendered.title_zh, body_zh=rendered.body_zh,
                title_en=rendered.title_en, body_en=rendered.body_en,
                data=data, source_event_id=str(source_event_id))
        .on_conflict_do_nothing(constraint="messages_once_per_event")
        .returning(messages.c.id)
    )
    row = uow.execute(stmt).first()
    return row.id if row is not None else None


def inbox_page(uow, person_id: str, unread_only: bool, page: int, page_size: int):
    """(rows of one page newest first, total matching, unread count) for one person.

    The three queries read one snapshot, so the counts agree with the page even while
    messages arrive. Call this first in its unit of work.
    """
    uow.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
    mine = messages.c.person_id == person_id
    where = and_(mine, messages.c.read_at.is_(None)) if unread_only else mine
    rows = uow.execute(
        select(*MESSAGE_COLUMNS).where(where)
        .order_by(messages.c.created_at.desc(), messages.c.id)
        .limit(page_size).offset((page - 1) * page_size)
    ).all()
    total = uow.execute(select(func.count()).select_from(messages).where(where)).scalar_one()
    unread = uow.execute(
        select(func.count()).select_from(messages).where(mine, messages.c.read_at.is_(None))
    ).scalar_one()
    return rows, total, unread


def mark_read(uow, person_id: str, message_id: str):
    """Set read_at once (a repeat keeps the first time); None if the person has no such message."""
    return uow.execute(
        update(messages)
        .where(messages.c.id == message_id, messages.c.person_id == person_id)
        .values(read_at=func.coalesce(messages.c.read_at, func.now()))
        .returning(*MESSAGE_COLUMNS)
    ).first()


def deliveries_of(uow, message_ids: list[str]) -> dict[str, list[dict]]:
    """message id → [{channel, status, attempts, sent_at}] for a page of messages."""
    if not message_ids:
        return {}
    rows = uow.execute(
        select(deliveries.c.message_id, deliveries.c.channel, deliveries.c.status,
               deliveries.c.attempts, deliveries.c.sent_at)
        .where(deliveries.c.message_id.in_(message_ids)).order_by(deliveries.c.channel)).all()
    found: dict[str, list[dict]] = {}
    for r in rows:
        found.setdefault(str(r.message_id), []).append(
            {"channel": r.channel, "status": r.status, "attempts": r.attempts,
             "sent_at": r.sent_at})
    return found


# --- preferences -------------------------------------------------------------------------
def preferences_of(uow, person_id: str) -> Preferences | None:
    row = uow.execute(select(preferences).where(preferences.c.person_id == person_id)).first()
    if row is None:
        return None
    return Preferences(channels=tuple(row.channels), quiet_start=row.quiet_start,
                       quiet_end=row.quiet_end, email=row.email,
                       nearby_demands=row.nearby_demands, region_code=row.region_code,
                       extra={"locale": row.locale, "updated_at": row.updated_at,
                              "updated_by": row.updated_by})


def save_preferences(uow, person_id: str, values: dict, updated_by: str | None) -> None:
    row = {**values, "person_id": person_id, "updated_by": updated_by}
    stmt = insert(preferences).values(**row)
    uow.execute(stmt.on_conflict_do_update(
        index_elements=[preferences.c.person_id],
        set_={**{k: stmt.excluded[k] for k in values}, "updated_by": updated_by,
              "updated_at": func.now()}))


def nearby_volunteers(uow, region_prefix: str, limit: int = 500) -> list[str]:
    """Persons who opted in to nearby-demand alerts and live under ``region_prefix``."""
    rows = uow.execute(
        select(preferences.c.person_id)
        .where(preferences.c.nearby_demands,
               within(preferences.c.region_code, region_prefix))
        .order_by(preferences.c.person_id).limit(limit)).all()
    return [r.person_id for r in rows]


# --- deliveries ----------------------------------------------------------------------------
def add_delivery(uow, *, message_id: str, person_id: str, channel: str,
                 not_before: dt.datetime, urgent: bool) -> None:
    uow.execute(insert(deliveries).values(
        id=str(uuid.uuid4()), message_id=message_id, person_id=person_id, channel=channel,
        not_before=not_before, urgent=urgent,
    ).on_conflict_do_nothing(constraint="deliveries_once_per_channel"))


def claim_due_delivery(uow, now: dt.datetime):
    """One delivery whose time has come, locked for this transaction; rows another process
    holds are skipped (two notify processes never send the same delivery)."""
    return uow.execute(
        select(deliveries).where(deliveries.c.status.in_(DUE), deliveries.c.not_before <= now)
        .order_by(deliveries.c.urgent.desc(), deliveries.c.not_before)
        .limit(1).with_for_update(skip_locked=True)).first()


def interrupted_deliveries(uow, before: dt.datetime) -> list:
    return uow.execute(
        select(deliveries).where(deliveries.c.status == "sending",
                                 deliveries.c.updated_at < before)
        .with_for_update(skip_locked=True)).all()


def message(uow, message_id: str):
    return uow.execute(select(messages).where(messages.c.id == message_id)).first()


def update_delivery(uow, delivery_id: str, **values) -> None:
    uow.execute(update(deliveries).where(deliveries.c.id == delivery_id)
                .values(**values, updated_at=func.now()))


def dead_deliveries(uow, limit: int):
    return uow.execute(
        select(deliveries.c.id, deliveries.c.message_id, deliveries.c.person_id,
               deliveries.c.channel, deliveries.c.attempts, deliveries.c.last_error,
               deliveries.c.updated_at, messages.c.kind)
        .join(messages, messages.c.id == deliveries.c.message_id)
        .where(deliveries.c.status == "dead")
        .order_by(deliveries.c.updated_at.desc()).limit(limit)).all()


def replay_delivery(uow, delivery_id: str) -> bool:
    """A dead delivery back to ``pending`` with a fresh count of attempts."""
    row = uow.execute(
        update(deliveries).where(deliveries.c.id == delivery_id, deliveries.c.status == "dead")
        .values(status="pending", attempts=0, not_before=func.now(), updated_at=func.now())
        .returning(deliveries.c.id)).first()
    return row is not None


# --- call tasks ----------------------------------------------------------------------------
CALL_TASK_COLUMNS = (call_tasks.c.id, call_tasks.c.elder_id, call_tasks.c.elder_name,
                     call_tasks.c.carrier_id, call_tasks.c.region_code, call_tasks.c.kind,
                     call_tasks.c.script, call_tasks.c.urgent, call_tasks.c.status, call_tasks.c.outcome,
                     call_tasks.c.note, call_tasks.c.attempts, call_tasks.c.created_at,
                     call_tasks.c.closed_at, call_tasks.c.message_id)


def open_call_task(uow, **values) -> str:
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
                      attempts: list[dict]):
    return uow.execute(
        update(call_tasks).where(call_tasks.c.id == task_id)
        .values(status=status, outcome=outcome, note=note, attempts=attempts,
                closed_at=func.now() if status == "done" else None)
        .returning(*CALL_TASK_COLUMNS)).first()


# --- reminders -----------------------------------------------------------------------------
def schedule_reminders(uow, rows: list[dict]) -> None:
    if rows:
        uow.execute(insert(reminders).values([{"id": str(uuid.uuid4()), **r} for r in rows])
                    .on_conflict_do_nothing(constraint="reminders_once_per_lead"))


def cancel_reminders(uow, demand_id: str, volunteer_id: str | None = None) -> list:
    """Cancel what is still scheduled; returns the cancelled rows (for their window)."""
    where = [reminders.c.demand_id == demand_id, reminders.c.status == "scheduled"]
    if volunteer_id is not None:
        where.append(reminders.c.volunteer_id == volunteer_id)
    return uow.execute(update(reminders).where(*where).values(status="cancelled")
                       .returning(reminders)).all()


def reminders_of(uow, demand_id: str, volunteer_id: str | None = None) -> list:
    where = [reminders.c.demand_id == demand_id]
    if volunteer_id:
        where.append(reminders.c.volunteer_id == volunteer_id)
    return uow.execute(select(reminders).where(*where).order_by(reminders.c.due_at)).all()


def volunteers_coming(uow, demand_id: str) -> list[str]:
    """Volunteers of a demand whose reminders were not cancelled, in assignment order."""
    rows = uow.execute(
        select(reminders.c.volunteer_id, func.min(reminders.c.created_at).label("first"))
        .where(reminders.c.demand_id == demand_id, reminders.c.role == "volunteer",
               reminders.c.status != "cancelled")
        .group_by(reminders.c.volunteer_id).order_by(text("first"))).all()
    return [r.volunteer_id for r in rows]


def claim_due_reminder(uow, now: dt.datetime):
    return uow.execute(
        select(reminders).where(reminders.c.status == "scheduled", reminders.c.due_at <= now)
        .order_by(reminders.c.due_at).limit(1).with_for_update(skip_locked=True)).first()


def mark_reminder_sent(uow, reminder_id: str) -> None:
    uow.execute(update(reminders).where(reminders.c.id == reminder_id)
                .values(status="sent", fired_at=func.now()))


# --- disputes ------------------------------------------------------------------------------
def remember_dispute(uow, dispute_id: str, opened_by: str) -> None:
    uow.execute(insert(dispute_parties).values(dispute_id=dispute_id, opened_by=opened_by)
                .on_conflict_do_nothing())


def remember_record(uow, record_id: str, demand_id, volunteer_id: str, elder_id) -> None:
    uow.execute(insert(record_parties).values(
        record_id=record_id, demand_id=demand_id, volunteer_id=volunteer_id, elder_id=elder_id,
    ).on_conflict_do_nothing())


def record_party_ids(uow, record_id: str | None) -> list[str]:
    """The volunteer and the elder of a service record notify has seen recorded."""
    if not record_id:
        return []
    row = uow.execute(select(record_parties).where(record_parties.c.record_id == record_id)).first()
    return [p for p in (row.volunteer_id, row.elder_id) if p] if row else []


def dispute_opener(uow, dispute_id: str) -> str | None:
    row = uow.execute(select(dispute_parties.c.opened_by)
                      .where(dispute_parties.c.dispute_id == dispute_id)).first()
    return row.opened_by if row else None

