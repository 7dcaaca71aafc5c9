"""Regional policies (rules: ``domain/policy.py``): the policy in effect in a region on a date,
and a new row added by an admin. Rows are never changed: the table is the audit."""
from __future__ import annotations

import datetime as dt
import logging

from timebank_common.caller import Caller
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWorkFactory

from ..adapters import policies as repo
from ..contracts.roles import POLICY_ADMINS
from ..domain.policy import check_new_row, check_values, policy_for

log = logging.getLogger("timebank.ledger")


def policy(db: UnitOfWorkFactory, region_code: str, on_date: dt.date | None,
           now: dt.datetime) -> dict:
    """The policy in effect in a region on a date (default today, China time), which row
    set each value, and every row that applies (with who added it and when)."""
    on = on_date or china_date(now)
    with db() as uow:
        rows = repo.rows_for(uow, [region_code])
        history = repo.history(uow, region_code)
    found = policy_for(rows, region_code, on)
    return {"region_code": region_code, "on_date": on, "values": found.values,
            "sources": found.sources, "rows": history}


def add_policy(db: UnitOfWorkFactory, caller: Caller, data: dict, now: dt.datetime) -> dict:
    """A province, city or county admin (scope covering the region) adds a row taking
    effect after today; answers the policy on that date."""
    caller.require(*POLICY_ADMINS)
    caller.require_scope(data["region_code"])
    check_new_row(data["region_code"], data["effective_from"], china_date(now))
    values = check_values(data["values"])
    with db() as uow:
        row_id = repo.add_row(uow, data["region_code"], data["effective_from"], values,
                              data["reason"], caller.person_id)
        uow.commit()
    log.info("policy row %s added for %s by %s", row_id, data["region_code"],
             caller.person_id)
    return policy(db, data["region_code"], data["effective_from"], now)
