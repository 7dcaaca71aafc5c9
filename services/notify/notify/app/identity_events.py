"""What identity's events make notify tell: a volunteer may now serve, or is suspended
(the reasons in words); a person moved (the staff of both places); a person died (nobody
writes to them any more)."""
from __future__ import annotations

import datetime as dt

from timebank_common.errors import NotFound, Unavailable

from ..adapters import call_task_repository as call_tasks
from ..adapters import preference_repository as preferences
from ..adapters import standing_repository as standing
from ..adapters.identity import Identity
from ..domain import messages, recipients
from .notifying import names_if_known, tell
from .received import Received


def volunteer_eligible(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    return tell(uow, [messages.volunteer_eligible(event.payload)], event.event_id, now,
                identity)


def volunteer_suspended(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    return tell(uow, [messages.volunteer_suspended(event.payload)], event.event_id, now,
                identity)


DECEASED, ACTIVE = "deceased", "active"  # identity's PERSON_STATUSES


def person_moved(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """The staff of the place the person left and of the place they came to each hear of
    it, the person named masked (an elder's stations; a volunteer's township admins). The
    staff lists are needed (no answer: retried); names of people and places are not. From
    now on nearby demands are the new place's, and an elder's open calls are owed by the new
    station."""
    payload = event.payload
    preferences.move_person(uow, payload["person_id"], payload["to_region_code"])
    if "elder" in payload["profiles"] and payload.get("carrier_id"):
        call_tasks.hand_over_open_tasks(uow, payload["person_id"], payload["carrier_id"],
                                        payload["to_region_code"])
    told = [(side, identity.station_staff(carrier, township))
            for side, carrier, township in recipients.moved_staff(payload)]
    name = names_if_known(identity, [payload["person_id"]]).get(payload["person_id"])
    places = _place_names(identity, payload["from_region_code"], payload["to_region_code"])
    notices = [messages.person_moved(payload, staff_id, side, name, places)
               for side, staff in told for staff_id in staff]
    return tell(uow, notices, event.event_id, now, identity)


def _place_names(identity: Identity, *codes: str) -> dict[str, str]:
    names = {}
    for code in codes:
        try:
            names[code] = identity.region_name(code) or code
        except (Unavailable, NotFound):
            names[code] = code
    return names


def person_status_changed(uow, event: Received, now: dt.datetime, identity: Identity
                          ) -> dict[str, int]:
    """A person who died gets no more messages: what was pending for them is not sent,
    their open call tasks are closed with that reason, their reminders stop. A record
    corrected back to ``active`` lets messages reach them again."""
    payload = event.payload
    as_of = dt.datetime.fromisoformat(payload["changed_at"])
    if payload["status"] == DECEASED:
        standing.mark_deceased(uow, payload["person_id"], as_of)
        return standing.stop_everything_for(uow, payload["person_id"], now)
    if payload["status"] == ACTIVE:
        standing.mark_alive(uow, payload["person_id"], as_of)
    return {}
