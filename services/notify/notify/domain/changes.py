"""What a municipal system learns of an event: the change-feed entries it makes, and the
opaque cursor that says where a reader is.

Pure rules (no I/O). Each consumed event becomes zero, one or (a move between cities) two
changes: its ``kind`` (demand, service_record, credit, person), the entity's id, the region
that decides which city sees it, and a small payload of ids, statuses and minutes copied from
the producer's payload — never a name, phone, address, ID number or free text a person
wrote (a rejection's or dispute's reason): a municipal system asks identity for what its role
may see of a person.
"""
from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from timebank_common import regions


@dataclass(frozen=True)
class Rule:
    """How one event type becomes a change: its kind, the payload field naming the entity,
    and the payload fields a municipal system may read."""

    kind: str
    entity_field: str
    fields: tuple[str, ...] = ()


REASON_CODE = re.compile(r"[a-z][a-z_]{0,39}")
DEMAND_WINDOW = ("elder_id", "category", "window_start", "window_end")

RULES: dict[str, Rule] = {
    # demand
    "demand_submitted": Rule("demand", "demand_id", (*DEMAND_WINDOW, "channel",
                                                     "expected_minutes", "volunteers_needed")),
    "demand_published": Rule("demand", "demand_id", (*DEMAND_WINDOW, "expected_minutes",
                                                     "volunteers_needed")),
    "demand_rejected": Rule("demand", "demand_id", ("elder_id",)),
    "demand_assigned": Rule("demand", "demand_id", ("volunteer_id", "elder_id", "open_slots",
                                                    "window_start", "window_end")),
    "demand_started": Rule("demand", "demand_id", ("volunteer_id", "started_at")),
    "demand_cancelled": Rule("demand", "demand_id", ("elder_id", "reason", "volunteer_ids")),
    "assignment_withdrawn": Rule("demand", "demand_id", ("volunteer_id", "open_slots")),
    "assignment_no_show": Rule("demand", "demand_id", ("volunteer_id", "demand_cancelled")),
    "evaluation_submitted": Rule("demand", "demand_id", ("volunteer_id", "score",
                                                         "demand_status")),
    "service_recorded": Rule("service_record", "record_id", ("demand_id", "volunteer_id",
                                                             "elder_id", "minutes", "category")),
    "dispute_resolved": Rule("service_record", "record_id", ("demand_id", "dispute_id",
                                                             "outcome", "minutes")),
    # ledger
    "hours_credited": Rule("credit", "transfer_id", ("person_id", "minutes", "kind",
                                                     "record_id", "demand_id")),
    # identity
    "person_registered": Rule("person", "person_id", ("profile",)),
    "person_moved": Rule("person", "person_id", ("from_region_code", "to_region_code",
                                                 "profiles")),
    "person_status_changed": Rule("person", "person_id", ("status", "previous_status",
                                                          "profiles")),
    "volunteer_eligible": Rule("person", "person_id", ()),
    "volunteer_suspended": Rule("person", "person_id", ("reasons",)),
}
"""Every event the feed carries (the entrypoints declare one handler per entry)."""


@dataclass(frozen=True)
class Change:
    kind: str
    entity_id: str
    event: str
    region_code: str
    occurred_at: Any  # an aware datetime
    payload: dict[str, Any] = field(default_factory=dict)


def changes_of(event_type: str, payload: Mapping[str, Any], envelope_region: str | None,
               occurred_at: Any) -> list[Change]:
    """The changes an event makes: none when the feed does not carry it or it names no
    region; a move between two cities is told to both (each sees its side)."""
    rule = RULES.get(event_type)
    entity = payload.get(rule.entity_field) if rule else None
    if rule is None or not entity:
        return []
    facts = {name: payload[name] for name in rule.fields
             if payload.get(name) is not None and _may_show(name, payload[name])}
    if event_type == "person_moved":
        places = [payload["to_region_code"]]
        if regions.city_unit_of(payload["from_region_code"]) != regions.city_unit_of(places[0]):
            places.append(payload["from_region_code"])
    else:
        region = payload.get("region_code") or envelope_region
        places = [region] if region and regions.is_code(region) else []
    return [Change(rule.kind, str(entity), event_type, place, occurred_at, facts)
            for place in places]


def _may_show(name: str, value: Any) -> bool:
    """A reason is shown when it is one of the producer's codes (``expired``, ``no_show``),
    never when it is what a person wrote."""
    if name != "reason":
        return True
    return isinstance(value, str) and REASON_CODE.fullmatch(value) is not None


# --- cursors ----------------------------------------------------------------------------------
CURSOR_VERSION = "c1"


class InvalidCursor(ValueError):
    """A cursor this feed never gave."""


def encode_cursor(sequence: int) -> str:
    """Opaque to readers (they pass back what they were given); versioned so its form may
    change."""
    raw = f"{CURSOR_VERSION}:{int(sequence)}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The sequence a cursor stands for (no cursor: 0, the beginning)."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, _, number = raw.partition(":")
        sequence = int(number)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor(cursor) from None
    if version != CURSOR_VERSION or sequence < 0 or not number.isdigit():
        raise InvalidCursor(cursor)
    return sequence


def cursor_expired(sequence: int, pruned_through: int) -> bool:
    """Whether changes after ``sequence`` were already pruned (the reader would miss them)."""
    return sequence < pruned_through
