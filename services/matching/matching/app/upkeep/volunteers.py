"""Eligible volunteers, their standing, where they belong, their qualification kinds and
priority elders, from identity's events (applied in event-time order)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.db import UnitOfWork

from ...adapters import priority_elders, volunteers

ACTIVE = "active"  # identity's PERSON_STATUSES: the only standing that takes part

def volunteer_eligible(uow: UnitOfWork, payload: dict[str, Any], occurred_at: dt.datetime
                       ) -> None:
    volunteers.note_volunteer(uow, payload["person_id"], payload["region_code"], True,
                              payload["qualifications"], occurred_at)


def volunteer_suspended(uow: UnitOfWork, payload: dict[str, Any], occurred_at: dt.datetime
                        ) -> None:
    volunteers.note_volunteer(uow, payload["person_id"], payload["region_code"], False, None,
                              occurred_at)


def qualification_changed(uow: UnitOfWork, payload: dict[str, Any], held: bool) -> None:
    """``qualification_verified`` (the kind is held) or ``qualification_expired`` (no longer)."""
    volunteers.change_qualification(uow, payload["person_id"], payload["kind"], held=held)


def elder_priority_granted(uow: UnitOfWork, payload: dict[str, Any], occurred_at: dt.datetime
                           ) -> None:
    priority_elders.note_category(uow, payload["person_id"], payload["category"], True,
                                  occurred_at)


def elder_priority_revoked(uow: UnitOfWork, payload: dict[str, Any], occurred_at: dt.datetime
                           ) -> None:
    """A hardship category withdrawn: the elder's demands no longer weigh more once none of
    their categories is held."""
    priority_elders.note_category(uow, payload["person_id"], payload["category"], False,
                                  occurred_at)


def person_moved(uow: UnitOfWork, payload: dict[str, Any], occurred_at: dt.datetime) -> None:
    """A volunteer who moved belongs to the new region from now on: its staff see them, their
    feed ranks around it; the old home no longer holds, so they are nobody's candidate until
    they (or the new station) set the new one."""
    if "volunteer" in payload["profiles"] \
            and payload["from_region_code"] != payload["to_region_code"]:
        volunteers.note_move(uow, payload["person_id"], payload["to_region_code"], occurred_at)


def person_status_changed(uow: UnitOfWork, payload: dict[str, Any],
                          occurred_at: dt.datetime) -> None:
    """A volunteer who left, withdrew or died is no candidate, in no feed or dispatch; back to
    ``active``, they are again when eligible."""
    if "volunteer" in payload["profiles"]:
        volunteers.note_standing(uow, payload["person_id"], payload["region_code"],
                                 payload["status"] == ACTIVE, occurred_at)
