"""Escalating demands nobody reviewed in time (超时未审核上报乡镇): the job every process runs
(a demand is escalated once: primary key) and the list township staff and above follow up."""
from __future__ import annotations

import datetime as dt
from typing import Any, cast

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.regions import prefix_of

from ...adapters import escalation_repository as escalations
from ...adapters import metrics
from ...contracts import DEMAND_REVIEW_OVERDUE, ESCALATION_READERS, EscalationOut


def escalate_overdue(db: UnitOfWorkFactory, now: dt.datetime, review_seconds: float,
                     batch: int = 500) -> list[dict[str, Any]]:
    """One escalation (and one ``demand_review_overdue``) per demand unreviewed for
    ``review_seconds``; safe to run in several processes at once (primary key)."""
    with db() as uow:
        opened = escalations.escalate_overdue(uow, now - dt.timedelta(seconds=review_seconds),
                                              now, batch)
        for escalation in opened:
            uow.emit(DEMAND_REVIEW_OVERDUE, escalation, escalation["region_code"])
        uow.commit()
    metrics.ESCALATIONS.inc(len(opened))
    return opened


def escalations_in_scope(db: UnitOfWorkFactory, caller: Caller, query: dict[str, Any]
                         ) -> dict[str, Any]:
    """Open escalations (``include_closed`` for all) of demands in the caller's scope or a
    region below it: township staff and above, and auditors."""
    caller.require(*ESCALATION_READERS)
    region = query["region_code"] or caller.scope
    caller.require_scope(region)  # refuses a caller without a scope
    with db() as uow:
        rows = escalations.escalations_in(uow, prefix_of(cast(str, region)),
                                          query["include_closed"],
                                          query["limit"])
    return {"items": EscalationOut(many=True).dump(rows)}
