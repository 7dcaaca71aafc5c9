"""What identity's events make notify tell: a volunteer may now serve, or is suspended
(the reasons in words)."""
from __future__ import annotations

import datetime as dt

from ..adapters.identity import Identity
from ..domain import messages
from .notifying import tell
from .received import Received


def volunteer_eligible(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    return tell(uow, [messages.volunteer_eligible(event.payload)], event.event_id, now,
                identity)


def volunteer_suspended(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    return tell(uow, [messages.volunteer_suspended(event.payload)], event.event_id, now,
                identity)
