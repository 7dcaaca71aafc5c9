"""The notify service: turns other services' events into inbox messages and serves the inbox.

Handlers are thin: validate the payload, let ``domain.messages`` decide recipient and
values, render the stored templates, store the message (inbox de-duplication by
``once`` plus a unique key, so a redelivered event never makes a second message).
"""
from __future__ import annotations

import uuid

from marshmallow import ValidationError

from timebank_common.auth import Caller
from timebank_common.errors import BadInput, Forbidden, NotFound
from timebank_common.events import event_handler, once
from timebank_common.schemas import load
from timebank_common.service import Database, ServiceBase, rpc

from . import repository as repo
from . import schemas
from .domain import messages
from .domain.messages import Notice
from .domain.templates import TemplateError, render_message


def _person(caller: dict) -> Caller:
    who = Caller.from_dict(caller)
    if not who.person_id:
        raise Forbidden("person_required", "只有个人用户有消息收件箱",
                        "Only a person has an inbox")
    return who


def _message_id(value) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise BadInput("invalid_message_id", "消息编号格式不正确",
                       "The message id is not a valid UUID") from None


def _deliver(uow, notice: Notice, event: dict) -> None:
    templates = repo.templates_for(uow, notice.kind, notice.role)
    try:
        rendered = render_message(templates, notice.values)
    except TemplateError as exc:  # a broken template is a bug: retry, then dead-letter
        raise RuntimeError(f"cannot render {notice.kind}/{notice.role}: {exc}") from exc
    repo.store_message(uow, person_id=notice.person_id, kind=notice.kind, rendered=rendered,
                       data=notice.data, source_event_id=event["event_id"])


def _payload(schema, event: dict) -> dict:
    try:
        return schema.load(event.get("payload") or {})
    except ValidationError as exc:  # malformed event: retried, then dead-lettered for a human
        raise ValueError(f"{event.get('event_type')} payload invalid: {exc.messages}") from exc


class NotifyService(ServiceBase):
    name = "notify"
    db = Database()

    # --- events ------------------------------------------------------------------
    @event_handler("ledger", "hours_credited")
    @once("notify.on_hours_credited")
    def on_hours_credited(self, uow, event):
        payload = _payload(schemas.HoursCreditedEvent(), event)
        _deliver(uow, messages.hours_credited(payload), event)

    @event_handler("demand", "demand_assigned")
    @once("notify.on_demand_assigned")
    def on_demand_assigned(self, uow, event):
        payload = _payload(schemas.DemandAssignedEvent(), event)
        _deliver(uow, messages.demand_assigned(payload), event)

    # --- RPC -----------------------------------------------------------------------
    @rpc
    def inbox(self, caller, query=None):
        who = _person(caller)
        query = load(schemas.InboxQuery(), query)
        with self.db() as uow:
            rows, total, unread = repo.inbox_page(
                uow, who.person_id, query["unread_only"], query["page"], query["page_size"]
            )
        view = schemas.MessageView()
        return {"items": [view.dump(row._mapping) for row in rows],
                "total": total, "unread": unread}

    @rpc
    def mark_read(self, caller, message_id):
        who = _person(caller)
        message_id = _message_id(message_id)
        with self.db() as uow:
            row = repo.mark_read(uow, who.person_id, message_id)
            if row is None:
                raise NotFound("message_not_found", "没有这条消息", "No such message")
            uow.commit()
        return schemas.MessageView().dump(row._mapping)
