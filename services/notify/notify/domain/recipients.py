"""Who hears of an event, beyond the person its payload names (``messages`` builds what each
one reads): the volunteers of a cancelled service, the parties of a resolved dispute, the
elder of a service a volunteer left, the staff a station task is for, the volunteers near a
new demand.

Pure: what notify remembers (reminders, the parties of records and disputes) is passed in.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .reminders import CANCELLED, Reminder

TOWNSHIP_DIGITS = 9


def nearby_township(region_code: str | None) -> str | None:
    """The township (first 9 digits) whose opted-in volunteers hear of a new demand there;
    None when the demand's region is coarser than a township (matching owns real
    geography)."""
    region = region_code or ""
    return region[:TOWNSHIP_DIGITS] if len(region) >= TOWNSHIP_DIGITS else None


def window_of_cancelled(payload: Mapping[str, Any], known: Sequence[Reminder]
                        ) -> dict[str, Any]:
    """The cancelled service's window: the event's, or (older events without it) the one
    its reminders were scheduled for."""
    if payload.get("window_start") or not known:
        return {"window_start": payload.get("window_start"),
                "window_end": payload.get("window_end")}
    return {"window_start": known[0].window_start.isoformat(),
            "window_end": known[0].window_end.isoformat()}


def volunteers_of_cancelled(volunteer_ids: Iterable[str], known: Sequence[Reminder],
                            cancelled_now: Iterable[str]) -> list[str]:
    """The volunteers told of a cancellation: those the event names (still on the demand)
    and those with reminders (older events without ``volunteer_ids``) — not those who
    withdrew or missed it before: their reminders were cancelled then (not by this
    cancellation, ``cancelled_now`` reminder ids), and they were told then."""
    just_now = set(cancelled_now)
    left = {r.volunteer_id for r in known if r.role == "volunteer"
            and r.status == CANCELLED and r.id not in just_now}
    volunteers = set(volunteer_ids) | {r.volunteer_id for r in known
                                       if r.role == "volunteer" and r.volunteer_id not in left}
    return sorted(volunteers)


def elder_left_behind(known: Sequence[Reminder]) -> tuple[str | None, dict[str, Any] | None]:
    """When a volunteer withdraws: the elder (known from their reminders) and the window
    they expected the volunteer in; (None, None) when notify never scheduled one."""
    elder = next((r for r in known if r.role == "elder"), None)
    if elder is None:
        return None, None
    return elder.person_id, {"window_start": elder.window_start.isoformat(),
                             "window_end": elder.window_end.isoformat()}


def window_of_no_show(known: Sequence[Reminder]) -> dict[str, Any] | None:
    """The end of the window a volunteer missed, as the reminders knew it."""
    return {"window_end": known[0].window_end.isoformat()} if known else None


def dispute_parties(payload: Mapping[str, Any], remembered_opener: str | None,
                    remembered_parties: Sequence[str]) -> list[str]:
    """Who hears a dispute's outcome, each once: its opener, and the record's volunteer and
    elder — from the event, also for a record never sent to the ledger; for older events
    without them, as notify remembered them (``dispute_opened``, ``service_recorded``)."""
    parties = [payload.get("opened_by") or remembered_opener,
               *([payload["volunteer_id"], payload.get("elder_id")]
                 if payload.get("volunteer_id") else remembered_parties)]
    return list(dict.fromkeys(str(p) for p in parties if p))


def review_staff(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(station, township) whose staff hear of a demand waiting too long for review."""
    return payload.get("carrier_id"), payload.get("township_code") or payload.get("region_code")


def recording_overdue_staff(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(station, township) whose staff hear that a service is not recorded in time: level
    ``station`` its station's operators (the township's admins when no station is named),
    level ``township`` the township's admins."""
    carrier = payload.get("carrier_id") if payload["level"] == "station" else None
    return carrier, (None if carrier else payload["region_code"])


def moved_staff(payload: Mapping[str, Any]) -> list[tuple[str, str | None, str | None]]:
    """(side, station, township) whose staff hear of a person's move, the side they are on
    (``moved_out``, ``moved_in``): an elder's old and new stations (a side without a station:
    its township's admins); a volunteer's, the admins of the old and new townships."""
    elder = "elder" in payload["profiles"]
    sides = []
    for side, carrier, region in (
            ("moved_out", payload.get("from_carrier_id"), payload["from_region_code"]),
            ("moved_in", payload.get("carrier_id"), payload["to_region_code"])):
        station = carrier if elder else None
        sides.append((side, station, None if station else region))
    return sides


def follow_up_staff(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(station, township) whose staff hear of a follow-up task: the station's operators,
    or the township's admins when no station is named."""
    carrier = payload.get("carrier_id")
    return carrier, (None if carrier else payload["region_code"])


def gift_recipient_required(payload: Mapping[str, Any]) -> None:
    """A gift names its relative; one without is a malformed event (retried, then
    dead-lettered)."""
    if payload["kind"] == "gift_to_relative" and not payload.get("to_person_id"):
        raise ValueError("hours_given gift without to_person_id")
