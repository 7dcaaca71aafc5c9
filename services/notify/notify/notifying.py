"""From a notice to a stored message and its pending deliveries, in the caller's unit of work.

The inbox message is the record (unique per person, source and kind, so a redelivered event
or a re-run timer adds nothing); each outbound channel the person wants gets one delivery row
(unique per message and channel), due now or, in quiet hours, when they end — unless urgent.
A call task is only made for what is worth a station's call (``domain.call_tasks``).
"""
from __future__ import annotations

import datetime as dt

from . import metrics
from . import repository as repo
from .domain.call_tasks import worth_a_call
from .domain.messages import Notice, with_greeting
from .domain.preferences import defaults_for, send_at
from .domain.templates import TemplateError, render_message


def notify(uow, notice: Notice, source_id: str, now: dt.datetime,
           urgent: bool = False, names: dict | None = None) -> str | None:
    """Store the message and schedule its deliveries; None if it already existed.
    ``names`` (person id → name) gives the recipient's ``{greeting}``."""
    templates = repo.templates_for(uow, notice.kind, notice.role)
    values = with_greeting(notice.values, (names or {}).get(notice.person_id))
    try:
        rendered = render_message(templates, values)
    except TemplateError as exc:  # a broken template is a bug: retry, then dead-letter
        raise RuntimeError(f"cannot render {notice.kind}/{notice.role}: {exc}") from exc
    message_id = repo.store_message(uow, person_id=notice.person_id, kind=notice.kind,
                                    rendered=rendered, data=notice.data,
                                    source_event_id=str(source_id))
    if message_id is None:
        return None
    metrics.MESSAGES.labels(notice.kind).inc()
    prefs = repo.preferences_of(uow, notice.person_id) or defaults_for(notice.role)
    due = send_at(now, prefs, urgent)
    for channel in prefs.channels:
        if channel == "call" and not worth_a_call(notice.kind, notice.data):
            continue
        repo.add_delivery(uow, message_id=message_id, person_id=notice.person_id,
                          channel=channel, not_before=due, urgent=urgent)
    return message_id


def notify_all(uow, notices, source_id: str, now: dt.datetime, urgent: bool = False,
               names: dict | None = None) -> int:
    return sum(1 for n in notices if notify(uow, n, source_id, now, urgent, names) is not None)
