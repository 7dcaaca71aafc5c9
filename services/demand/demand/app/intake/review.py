"""Adjusting a demand's content before review (a mandatory reason; every changed field kept
in its history and announced as ``demand_adjusted``) and the review itself: approve with the
funding source, or reject with a reason; an adjustment given with the review is applied
first, in the same transaction. The review closes the demand's escalation, if any."""
from __future__ import annotations

import datetime as dt
from typing import Any

from timebank_common.caller import STATION_STAFF, Caller
from timebank_common.db import UnitOfWorkFactory

from ...adapters import catalogue_repository as catalogue_rows
from ...adapters import demand_repository as repo
from ...adapters import escalation_repository as escalations
from ...adapters.ledger import LedgerClient
from ...contracts import DEMAND_ADJUSTED, DEMAND_PUBLISHED, DEMAND_REJECTED
from ...domain import adjustment, catalogue, funding, rules
from ...domain.lifecycle import Demand
from .. import payloads
from ..lookup import demand_id as checked_demand_id
from ..lookup import demand_not_found, require_reach
from ..views import with_history


def _locked_in_scope(uow, caller: Caller, demand_id: str) -> Demand:
    demand = repo.get_demand(uow, demand_id, lock=True)
    if demand is None:
        raise demand_not_found(demand_id)
    require_reach(caller, demand.region_code, demand_not_found(demand_id))
    return demand


def _adjust(uow, caller: Caller, demand: Demand, data: dict[str, Any] | None,
            now: dt.datetime) -> dict[str, Any] | None:
    """Apply an operator's adjustment to a locked demand; the ``demand_adjusted`` payload,
    or None when nothing was asked."""
    if not data:
        return None
    adjustment.require_adjustable(demand)
    reason = adjustment.require_reason(data.get("reason"))
    proposed = {k: v for k, v in data.items() if k != "reason"}
    changes = adjustment.changes_between(demand, proposed)
    adjustment.require_some_change(changes)
    adjusted = {name: proposed.get(name, getattr(demand, name))
                for name in adjustment.ADJUSTABLE}
    # the adjusted demand must be servable as a new one: a window that has passed must move
    rules.validate_new_demand(adjusted["window_start"], adjusted["window_end"],
                              adjusted["expected_minutes"], adjusted["volunteers_needed"], now)
    category = catalogue.require_offered(adjusted["category"],
                                         catalogue_rows.load_catalogue(uow))
    catalogue.check_group(category, adjusted["volunteers_needed"])
    repo.lock_key(uow, "elder", demand.elder_id)
    rules.refuse_duplicate(
        adjusted["window_start"], adjusted["window_end"],
        [row for row in repo.live_same_category(uow, demand.elder_id, category.code,
                                                adjusted["window_start"],
                                                adjusted["window_end"])
         if str(row[0]) != demand.id])
    adjustment.apply(demand, proposed)
    repo.save_content(uow, demand)
    by = caller.person_id or caller.client_id
    repo.insert_changes(uow, demand.id, changes, reason, by, now)
    return {"demand_id": demand.id, "elder_id": demand.elder_id,
            "region_code": demand.region_code, "reason": reason, "changed_by": by,
            "changed_at": now, "changes": [{**c, "reason": reason, "changed_by": by,
                                            "changed_at": now} for c in changes]}


def adjust(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, data: dict[str, Any],
           now: dt.datetime) -> dict[str, Any]:
    caller.require(*STATION_STAFF)
    demand_id = checked_demand_id(demand_id)
    with db() as uow:
        demand = _locked_in_scope(uow, caller, demand_id)
        event = _adjust(uow, caller, demand, data, now)
        uow.emit(DEMAND_ADJUSTED, event, demand.region_code)
        uow.commit()
        return with_history(uow, demand)


def _demand_and_cover(db: UnitOfWorkFactory, caller: Caller, demand_id: str,
                      ledger: LedgerClient) -> tuple[Demand, int | None]:
    """The demand (unlocked) and what the elder's chosen source can pay, asked of the ledger
    as the reviewer, outside any transaction; None when the source's cover is not the elder's
    balance (issuance, the pool)."""
    with db() as uow:
        demand = repo.get_demand(uow, demand_id)
    if demand is None:
        raise demand_not_found(demand_id)
    # an elder out of scope is not asked about
    require_reach(caller, demand.region_code, demand_not_found(demand_id))
    if not funding.needs_balance(demand.funding_source):
        return demand, None
    return demand, funding.available_from(demand.funding_source,
                                          ledger.balance(caller, demand.elder_id))


def _cover(db: UnitOfWorkFactory, caller: Caller, demand_id: str, data: dict[str, Any],
           ledger: LedgerClient) -> int | None:
    if data["decision"] != "approve":
        return None
    return _demand_and_cover(db, caller, demand_id, ledger)[1]


def funding_check(db: UnitOfWorkFactory, caller: Caller, demand_id: Any,
                  ledger: LedgerClient) -> dict[str, Any]:
    """What the station sees before approving: the payer the elder chose, the minutes the
    demand needs, what that source can pay now, and the shortfall a fallback would cover."""
    caller.require(*STATION_STAFF)
    demand_id = checked_demand_id(demand_id)
    demand, available = _demand_and_cover(db, caller, demand_id, ledger)
    missing = funding.shortfall(demand.funding_source, demand.minutes_needed, available)
    return {"demand_id": demand.id, "funding_source": demand.funding_source,
            "funding_chosen_by": demand.funding_chosen_by,
            "needed_minutes": demand.minutes_needed, "available_minutes": available,
            "shortfall_minutes": missing, "fallback_reason_required": missing > 0}


def review(db: UnitOfWorkFactory, caller: Caller, demand_id: Any, data: dict[str, Any],
           now: dt.datetime, ledger: LedgerClient) -> dict[str, Any]:
    """Approve or reject. The payer was chosen at submission (a ``funding_source`` here is
    refused); approving checks the chosen source's cover against ``expected_minutes ×
    volunteers_needed`` (after any adjustment given with the review) and needs a
    ``fallback_reason`` for a shortfall."""
    caller.require(*STATION_STAFF)
    funding.refuse_choice_at_review(data.get("funding_source"))
    demand_id = checked_demand_id(demand_id)
    available = _cover(db, caller, demand_id, data, ledger)
    with db() as uow:
        demand = _locked_in_scope(uow, caller, demand_id)
        adjusted = _adjust(uow, caller, demand, data["adjust"], now)
        if data["decision"] == "approve":
            demand.settle_funding(available, data.get("fallback_reason"))
        demand.review(data["decision"], caller.person_id, now, reason=data["reason"])
        repo.save_demand(uow, demand)
        escalations.close_escalation(uow, demand.id, "reviewed", now)
        if adjusted is not None:
            uow.emit(DEMAND_ADJUSTED, adjusted, demand.region_code)
        if data["decision"] == "approve":
            uow.emit(DEMAND_PUBLISHED, payloads.published(demand), demand.region_code)
        else:
            uow.emit(DEMAND_REJECTED, payloads.rejected(demand), demand.region_code)
        uow.commit()
        return with_history(uow, demand)
