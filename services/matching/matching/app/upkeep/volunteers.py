"""Eligible volunteers, their qualification kinds and priority elders, from identity's
events (applied in event-time order)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.db import UnitOfWork

from ...adapters import priority_elders, volunteers


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


def elder_priority_granted(uow: UnitOfWork, payload: dict[str, Any]) -> None:
    priority_elders.note_priority_elder(uow, payload["person_id"])
