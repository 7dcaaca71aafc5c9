"""What demand's events make notify tell, and to whom (README "Who hears what").

Each function runs in its handler's unit of work (the inbox record commits with it). A
question identity or demand does not answer leaves names out ("您好：", "志愿者") and
category names as codes; a station's staff list is needed, so its ``Unavailable`` fails the
handler and the event is retried.
"""
from __future__ import annotations

import datetime as dt

from timebank_common.errors import NotFound, Unavailable

from ..adapters import party_repository as parties
from ..adapters import preference_repository as preferences
from ..adapters import reminder_repository as reminders
from ..adapters.demand import Demand
from ..adapters.identity import Identity
from ..domain import messages, recipients
from ..domain.reminders import urgent_cancellation
from .notifying import names_if_known, tell
from .received import Received
from .reminders import cancel_for_volunteer, schedule


def demand_published(uow, event: Received, now: dt.datetime, identity: Identity,
                     demand: Demand) -> int:
    """Volunteers who opted in and live in the demand's township hear of it, with the
    category's name and the place: the location's address or name if it has one, else the
    community's name (the event carries coordinates, never the elder's address)."""
    payload = event.payload
    region = payload.get("region_code") or event.region_code
    township = recipients.nearby_township(region)
    if township is None:
        return 0
    volunteers = preferences.nearby_volunteers(uow, township)
    if not volunteers:
        return 0
    try:
        names = demand.category_names()
    except Unavailable:
        names = {}
    try:
        place = identity.region_name(region or "")
    except (Unavailable, NotFound):
        place = None
    notices = [messages.demand_published(payload, v, names, place) for v in volunteers]
    return tell(uow, notices, event.event_id, now, identity)


def demand_assigned(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """The volunteer hears they have the service; the elder who comes and when; the
    reminders are scheduled."""
    payload = event.payload
    notices = [messages.demand_assigned(payload)]
    if payload.get("elder_id"):
        names = names_if_known(identity, [payload["volunteer_id"]])
        notices.append(messages.demand_assigned_to_elder(payload, names))
    told = tell(uow, notices, event.event_id, now, identity)
    schedule(uow, payload, now)
    return told


def demand_cancelled(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """The volunteers still on the demand and the elder hear of it (urgent when it was due
    within 2 hours and is not over); what was still scheduled is not reminded."""
    payload = event.payload
    cancelled = reminders.cancel_reminders(uow, payload["demand_id"])
    known = reminders.reminders_of(uow, payload["demand_id"]) or cancelled
    told = {**payload, **recipients.window_of_cancelled(payload, known)}
    urgent = urgent_cancellation(told, now)
    volunteers = recipients.volunteers_of_cancelled(payload["volunteer_ids"], known,
                                                    (r.id for r in cancelled))
    notices = [messages.demand_cancelled(told, v, "volunteer") for v in volunteers]
    if payload.get("elder_id"):
        notices.append(messages.demand_cancelled(told, payload["elder_id"], "elder"))
    return tell(uow, notices, event.event_id, now, identity, urgent=urgent)


def service_recorded(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """The volunteer and the elder hear of the record; who it concerns is remembered (for
    a later dispute's outcome)."""
    payload = event.payload
    parties.remember_record(uow, payload["record_id"], payload.get("demand_id"),
                            payload["volunteer_id"], payload.get("elder_id"))
    return tell(uow, messages.service_recorded(payload), event.event_id, now, identity)


def review_overdue(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """The station's operators and the township's admins hear of a demand waiting too long
    for review."""
    payload = event.payload
    staff = identity.station_staff(*recipients.review_staff(payload))  # no answer: retried
    notices = [messages.review_overdue(payload, s) for s in staff]
    return tell(uow, notices, event.event_id, now, identity)


def recording_overdue(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """A checked-out service not recorded in time (及时): level ``station`` its station's
    operators hear of it (the township's admins when the station has none, or none is
    named), level ``township`` the township's admins. Each level is its own event: told
    once each."""
    payload = event.payload
    carrier, township = recipients.recording_overdue_staff(payload)
    staff = identity.station_staff(carrier, township)  # no answer: retried
    if not staff and carrier:
        staff = identity.station_staff(None, payload["region_code"])
    notices = [messages.recording_overdue(payload, s) for s in staff]
    return tell(uow, notices, event.event_id, now, identity)


def dispute_opened(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """The township's admins hear of it (disputes are handled at township); the opener and
    the record's parties are remembered."""
    payload = event.payload
    if payload.get("opened_by"):
        parties.remember_dispute(uow, payload["dispute_id"], payload["opened_by"])
    if payload.get("record_id") and payload.get("volunteer_id"):
        parties.remember_record(uow, payload["record_id"], payload.get("demand_id"),
                                payload["volunteer_id"], payload.get("elder_id"))
    staff = identity.station_staff(None, payload["region_code"])
    notices = [messages.dispute_opened(payload, s) for s in staff]
    return tell(uow, notices, event.event_id, now, identity)


def dispute_resolved(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """The record's volunteer and elder and the opener hear the outcome, each once."""
    payload = event.payload
    who = recipients.dispute_parties(payload, parties.dispute_opener(uow, payload["dispute_id"]),
                                     parties.record_party_ids(uow, payload.get("record_id")))
    notices = [messages.dispute_resolved(payload, p) for p in who]
    return tell(uow, notices, event.event_id, now, identity)


def follow_up_opened(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """A follow-up task for the station (a low score, an unconfirmed record): its
    operators hear of it (the township's admins when no station is named)."""
    payload = event.payload
    staff = identity.station_staff(*recipients.follow_up_staff(payload))
    notices = [messages.follow_up_opened(payload, s) for s in staff]
    return tell(uow, notices, event.event_id, now, identity)


def confirmation_overdue(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """The elder is asked to confirm (a phone-only elder: a call task for the station)."""
    payload = event.payload
    names = names_if_known(identity, [payload.get("volunteer_id")])
    return tell(uow, [messages.confirmation_overdue(payload, names)], event.event_id, now,
                identity)


def assignment_withdrawn(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """The volunteer hears they left; the elder (known from the reminders) that their
    volunteer changes; that volunteer's reminders go."""
    payload = event.payload
    cancel_for_volunteer(uow, payload["demand_id"], payload["volunteer_id"])
    elder, window = recipients.elder_left_behind(
        reminders.reminders_of(uow, payload["demand_id"]))
    return tell(uow, messages.assignment_withdrawn(payload, elder, window), event.event_id,
                now, identity)


def assignment_no_show(uow, event: Received, now: dt.datetime, identity: Identity) -> int:
    """The elder and the volunteer hear the volunteer did not come; that volunteer's
    reminders go."""
    payload = event.payload
    cancel_for_volunteer(uow, payload["demand_id"], payload["volunteer_id"])
    window = recipients.window_of_no_show(reminders.reminders_of(uow, payload["demand_id"]))
    return tell(uow, messages.assignment_no_show(payload, window), event.event_id, now,
                identity)
