"""The inbox: messages, one per person, source (event, reminder, …) and kind."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import and_, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from ..domain.templates import RenderedMessage
from .tables import messages

MESSAGE_COLUMNS = (messages.c.id, messages.c.kind, messages.c.title_zh, messages.c.body_zh,
                   messages.c.title_en, messages.c.body_en, messages.c.data,
                   messages.c.created_at, messages.c.read_at)


def store_message(uow, *, person_id: str, kind: str, rendered: RenderedMessage,
                  data: dict[str, Any], source_event_id: str) -> str | None:
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
    _one_snapshot(uow)
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


def _one_snapshot(uow) -> None:
    """Read what follows from one snapshot (REPEATABLE READ, read only). A unit of work that
    is a savepoint in a larger transaction (a test's, rolled back at its end) cannot change
    the transaction's level, and reads inside it anyway."""
    if not uow.session.connection().in_nested_transaction():
        uow.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))


def mark_read(uow, person_id: str, message_id: str):
    """Set read_at once (a repeat keeps the first time); None if the person has no such message."""
    return uow.execute(
        update(messages)
        .where(messages.c.id == message_id, messages.c.person_id == person_id)
        .values(read_at=func.coalesce(messages.c.read_at, func.now()))
        .returning(*MESSAGE_COLUMNS)
    ).first()


def message(uow, message_id: str):
    return uow.execute(select(messages).where(messages.c.id == message_id)).first()
