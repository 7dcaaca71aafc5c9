"""Allocation from a city-level unit's donation pool to priority elders' grant accounts (rule:
``domain/allocation.py``): ``allocate_pool``. The elders come from identity
(``priority_elders``), asked before the transaction opens. Idempotent by allocation id
(per pool): a repeat answers the first allocation."""
from __future__ import annotations

import datetime as dt

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import RuleViolation
from timebank_common.regions import city_unit_of

from ..adapters import accounts as repo
from ..adapters import transfers as stored
from ..adapters.identity import IdentityClient
from ..contracts.events import POOL_ALLOCATED
from ..contracts.kinds import DONATION_POOL, GRANT, POOL_ALLOCATION, POSTED
from ..contracts.roles import POOL_ADMINS
from ..domain.allocation import allocation_requests, require_not_a_recipient, shares
from . import posting

RULE = "empty_nest_then_oldest"


def allocation_key(pool_unit: str, allocation_id: str) -> str:
    return f"{pool_unit}:{allocation_id}"


def _view(key, unit, transfers, pool, repeated) -> dict:
    return {"allocation_id": key.split(":", 1)[1], "pool_region_code": unit, "rule": RULE,
            "repeated": repeated, "pool_left_minutes": pool.balance_minutes - pool.debits_pending,
            "allocated": [{"person_id": t.reference.get("person_id"), "minutes": t.amount_minutes,
                           "transfer_id": t.transfer_id}
                          for t in sorted(transfers, key=lambda t: t.reference.get("rank", 0))]}


def allocate_pool(db: UnitOfWorkFactory, caller: Caller, data: dict, *,
                  identity: IdentityClient, now: dt.datetime) -> dict:
    """A province or city admin allocates a city-level unit's donation pool to its priority
    elders' grant accounts: living alone first, then oldest first, ``minutes_each`` while
    the pool lasts; one linked batch; repeat-safe by ``allocation_id``."""
    caller.require(*POOL_ADMINS)
    unit = city_unit_of(data["region_code"])
    caller.require_scope(unit)
    elders = identity.priority_elders(unit)
    with db() as uow:
        result = allocate(uow, unit, data, elders, caller.person_id, now)
        uow.commit()
    return result


def allocate(uow, unit: str, data: dict, elders: list[dict], approver: str | None,
             now: dt.datetime) -> dict:
    key = allocation_key(unit, data["allocation_id"])
    pool = repo.open_accounts(uow, [(DONATION_POOL, unit, None)])[(DONATION_POOL, unit)]
    done = stored.transfers_of_reference(uow, "allocation_id", key, POOL_ALLOCATION)
    if done:
        return _view(key, unit, done, pool, repeated=True)
    require_not_a_recipient(approver, elders)
    planned = shares(elders, pool.balance_minutes - pool.debits_pending, data["minutes_each"])
    if not planned:
        raise RuleViolation("nothing_to_allocate", "资金池不足一份或没有符合条件的优先老人",
                            "The pool holds less than one share, or no priority elder qualifies",
                            {"pool_minutes": pool.balance_minutes - pool.debits_pending,
                             "elders": len(elders), "minutes_each": data["minutes_each"]})
    region_of = {e["person_id"]: e.get("region_code") or unit for e in elders}
    grants = repo.open_accounts(uow, [(GRANT, region_of[p], p) for p, _ in planned])
    requests = allocation_requests(key, pool.id, {p: grants[(GRANT, p)].id for p, _ in planned},
                                   planned, data["memo"], approver)
    outcomes = posting.create_transfers(uow, requests, now)
    for outcome in outcomes:
        if outcome.code != "linked_event_failed":
            outcome.raise_failure()
    for outcome in outcomes:
        if outcome.status == POSTED:
            person_id = outcome.stored.reference["person_id"]
            uow.emit(POOL_ALLOCATED, {
                "transfer_id": outcome.transfer_id, "allocation_id": data["allocation_id"],
                "person_id": person_id, "minutes": outcome.stored.amount_minutes,
                "pool_region_code": unit}, region_of[person_id])
    pool = repo.get_account(uow, pool.id)
    return _view(key, unit, [o.transfer for o in outcomes], pool, repeated=False)
