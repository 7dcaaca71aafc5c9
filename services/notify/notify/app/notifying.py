"""From a notice to a stored message and its pending deliveries, in the caller's unit of work.

The inbox message is the record (unique per person, source and kind, so a redelivered event
or a re-run timer adds nothing); each outbound channel the person wants gets one delivery row
(unique per message and channel), due now or, in quiet hours, when they end — unless urgent.
A call task is only made for what is worth a station's call (``domain.call_tasks``).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from timebank_common.errors import Unavailable

from ..adapters import delivery_repository, message_repository, metrics
from ..adapters import preference_repository as preferences
from ..adapters import standing_repository as standing
from ..adapters import template_repository as templates
from ..adapters.identity import Identity
from ..domain.call_tasks import worth_a_call
from ..domain.messages import Notice, with_greeting
from ..domain.preferences import Preferences, defaults_for, send_at
from ..domain.templates import Template, TemplateError, render_message


@dataclass(frozen=True)
class _Known:
    """What the messages of one event need from this database, read once for all of them:
    who of the recipients died, the templates of each (kind, role), each recipient's
    preferences (those who set some)."""

    deceased: set[str]
    texts: dict[tuple[str, str], list[Template]]
    preferences: dict[str, Preferences]


def _known(uow, notices: Sequence[Notice]) -> _Known:
    people = {n.person_id for n in notices}
    deceased = standing.deceased_among(uow, people)
    living = [n for n in notices if n.person_id not in deceased]
    if not living:
        return _Known(deceased, {}, {})
    return _Known(deceased, templates.templates_of(uow, {(n.kind, n.role) for n in living}),
                  preferences.preferences_of_many(uow, {n.person_id for n in living}))


def notify(uow, notice: Notice, source_id: str, now: dt.datetime,
           urgent: bool = False, names: Mapping[str, str] | None = None) -> str | None:
    """Store the message and schedule its deliveries; None if it already existed, or the
    recipient died (nobody writes to them any more). ``names`` (person id → name) gives the
    recipient's ``{greeting}``."""
    return _notify(uow, notice, _known(uow, [notice]), source_id, now, urgent, names)


def _notify(uow, notice: Notice, known: _Known, source_id: str, now: dt.datetime,
            urgent: bool, names: Mapping[str, str] | None) -> str | None:
    if notice.person_id in known.deceased:
        return None
    rows = known.texts.get((notice.kind, notice.role), [])
    values = with_greeting(notice.values, (names or {}).get(notice.person_id))
    try:
        rendered = render_message(rows, values)
    except TemplateError as exc:  # a broken template is a bug: retry, then dead-letter
        raise RuntimeError(f"cannot render {notice.kind}/{notice.role}: {exc}") from exc
    message_id = message_repository.store_message(
        uow, person_id=notice.person_id, kind=notice.kind, rendered=rendered, data=notice.data,
        source_event_id=str(source_id))
    if message_id is None:
        return None
    metrics.MESSAGES.labels(notice.kind).inc()
    prefs = known.preferences.get(notice.person_id) or defaults_for(notice.role)
    due = send_at(now, prefs, urgent)
    for channel in prefs.channels:
        if channel == "call" and not worth_a_call(notice.kind, notice.data):
            continue
        delivery_repository.add_delivery(uow, message_id=message_id,
                                         person_id=notice.person_id, channel=channel,
                                         not_before=due, urgent=urgent)
    return message_id


def notify_all(uow, notices: Iterable[Notice], source_id: str, now: dt.datetime,
               urgent: bool = False, names: Mapping[str, str] | None = None) -> int:
    """``notify`` for each notice, what they need from the database read once for all."""
    notices = list(notices)
    if not notices:
        return 0
    known = _known(uow, notices)
    return sum(1 for n in notices
               if _notify(uow, n, known, source_id, now, urgent, names) is not None)


def names_if_known(identity: Identity, person_ids: Iterable[str | None]) -> dict[str, str]:
    """Names for message texts; without identity the text says "a volunteer" and greets
    without a name."""
    try:
        return identity.names(person_ids)
    except Unavailable:
        return {}


def tell(uow, notices: Sequence[Notice], source_id: str, now: dt.datetime,
         identity: Identity, urgent: bool = False) -> int:
    """Store the notices of one event, each recipient greeted by name when identity
    answers, and schedule their deliveries; the number of new messages."""
    names = names_if_known(identity, [n.person_id for n in notices])
    return notify_all(uow, notices, source_id, now, urgent, names)
