"""A person's inbox: their messages, newest first, with how each went out; read marks."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import NotFound

from ..adapters import delivery_repository, message_repository
from ..domain.access import inbox_owner
from . import ids


def list_inbox(db: UnitOfWorkFactory, caller: Caller, query: Mapping[str, Any]
               ) -> dict[str, Any]:
    """One page of the caller's own messages (each with its ``deliveries``), the total and
    the unread count, read from one snapshot."""
    person_id = inbox_owner(caller)
    with db() as uow:
        rows, total, unread = message_repository.inbox_page(
            uow, person_id, query["unread_only"], query["page"], query["page_size"])
        sent = delivery_repository.deliveries_of(uow, [str(r.id) for r in rows])
    return {"items": [{**row._mapping, "deliveries": sent.get(str(row.id), [])}
                      for row in rows],
            "total": total, "unread": unread}


def mark_read(db: UnitOfWorkFactory, caller: Caller, message_id: object) -> Mapping[str, Any]:
    """The message, marked read once (a repeat keeps the first time); ``NotFound`` for
    another person's message."""
    person_id = inbox_owner(caller)
    message = ids.message_id(message_id)
    with db() as uow:
        row = message_repository.mark_read(uow, person_id, message)
        if row is None:
            raise NotFound("message_not_found", "没有这条消息", "No such message")
        uow.commit()
    mapping: Mapping[str, Any] = row._mapping
    return mapping
