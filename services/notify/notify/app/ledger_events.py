"""What ledger's events make notify tell: hours credited, given (the relative; a donation
thanks the donor), a star level reached, a certificate issued."""
from __future__ import annotations

import datetime as dt

from ..adapters.identity import Identity
from ..domain import messages, recipients
from .notifying import names_if_known, tell
from .received import Received


def hours_credited(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    return tell(uow, [messages.hours_credited(event.payload)], event.event_id, now, identity)


def hours_given(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """A gift tells the relative, with the giver's name; a donation thanks the donor."""
    payload = event.payload
    recipients.gift_recipient_required(payload)
    gift = payload["kind"] == "gift_to_relative"
    names = names_if_known(identity, [payload["from_person_id"]]) if gift else {}
    return tell(uow, [messages.hours_given(payload, names)], event.event_id, now, identity)


def milestone_reached(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    return tell(uow, [messages.milestone_reached(event.payload)], event.event_id, now,
                identity)


def certificate_issued(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    return tell(uow, [messages.certificate_issued(event.payload)], event.event_id, now,
                identity)
