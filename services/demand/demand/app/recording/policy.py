"""The evidence thresholds as regional policy data (``evidence_policies``): the values in
effect in a region on a date, with every row that applies; province and city admins (scope
covering the region) add rows taking effect today or later, never changed afterwards."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.caller import Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWorkFactory

from ...adapters import evidence_policy_repository as policies
from ...contracts import POLICY_ADMINS, EvidencePolicyOut
from ...domain import evidence


def evidence_policy(db: UnitOfWorkFactory, region_code: str, on_date: dt.date | None,
                    now: dt.datetime) -> dict[str, Any]:
    """The thresholds in effect in a region on a date (default today, China time)."""
    on = on_date or china_date(now)
    with db() as uow:
        rows = policies.policy_rows(uow, region_code)
        history = policies.policy_history(uow, region_code)
    view: dict[str, Any] = EvidencePolicyOut().dump({
        "region_code": region_code, "on_date": on,
        "values": evidence.thresholds_for(rows, region_code, on), "rows": history})
    return view


def add_evidence_policy(db: UnitOfWorkFactory, caller: Caller, data: dict[str, Any],
                        now: dt.datetime) -> dict[str, Any]:
    """A row taking effect on ``effective_from`` (today or later, China time)."""
    caller.require(*POLICY_ADMINS)
    caller.require_scope(data["region_code"])
    evidence.check_policy_row(data["region_code"], data["effective_from"], china_date(now))
    values = evidence.check_threshold_values(data["values"])
    with db() as uow:
        policies.add_policy_row(uow, data["region_code"], data["effective_from"], values,
                                data["reason"], caller.person_id)
        uow.commit()
    return evidence_policy(db, data["region_code"], data["effective_from"], now)
