"""A person's standing (在册状态): left, withdrew, deceased with a reason, or back to active.

Staff in scope (station operators and admins) change it; the rules of ``domain.standing``.
In the same unit of work: a person who is no longer active cannot log in (their refresh
tokens and access tokens are revoked, ``account_disabled``); a volunteer's eligibility is
reassessed (``not_active``: ``volunteer_suspended``, and ``volunteer_eligible`` again when
they come back); nobody acts for a deceased elder (``may_act_for``); ``person_status_changed``
tells the other services (the ledger freezes a deceased person's account by its policy;
demand stops their open demands). Hours are never removed here.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, UnitOfWorkFactory

from ..adapters import persons, volunteers
from ..adapters import refresh_tokens as tokens
from ..adapters.rows import as_uuid
from ..contracts import PERSON_STATUS_CHANGED
from ..domain.standing import StandingRefused, check_change, may_log_in
from . import audit, volunteering
from .refusals import as_error
from .registration import require_person_in_scope
from .revocation import revoke_tokens


def _reassess(uow: UnitOfWork, person: Mapping[str, Any], today: dt.date) -> None:
    profile = volunteers.get_volunteer_profile(uow, person["id"])
    if profile is not None:
        volunteering.announce_if_changed(
            uow, person, volunteering.assess(uow, person, profile, today), today)


def set_person_status(db: UnitOfWorkFactory, caller: Caller, person_id: Any,
                      data: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    caller.require(*STATION_STAFF)
    with db() as uow:
        person = require_person_in_scope(uow, caller, person_id, lock=True)
        before = person["status"]
        try:
            reason = check_change(before, data["status"], data.get("reason"), caller.roles)
        except StandingRefused as refusal:
            raise as_error(refusal, {"person_id": str(person["id"]), "status": before}) from None
        person = persons.update_person(
            uow, person["id"], status=data["status"], status_reason=reason,
            status_changed_at=now, status_changed_by=as_uuid(caller.person_id))
        if not may_log_in(person["status"]):
            tokens.revoke_all_refresh_tokens(uow, person["id"], "account_disabled")
            revoke_tokens(uow, now, person_id=person["id"], reason="account_disabled")
        _reassess(uow, person, china_date(now))
        answer = {"person_id": str(person["id"]), "region_code": person["region_code"],
                  "profiles": persons.profiles_of(uow, person["id"]),
                  "status": person["status"], "previous_status": before, "reason": reason,
                  "changed_by": caller.person_id, "changed_at": now.isoformat()}
        uow.emit(PERSON_STATUS_CHANGED, {**answer, "changed_at": now}, person["region_code"])
        audit.record(uow, caller, "set_person_status", "person", person["id"],
                     person["region_code"], before={"status": before},
                     after={"status": person["status"], "reason": reason})
        uow.commit()
    return answer
