"""Grants for priority elders: the service layer of ``LedgerService.on_elder_priority_granted``
and of the periodic top-up (``grant_top_ups``). Runs in the caller's unit of work.

The event records an entitlement (``grant_entitlements``: person, category, region, since)
and grants the current period at once; the scheduled top-up grants every entitlement for
the period in effect (ids fix "once per period"). There is no ``elder_priority_revoked``
event yet: when identity adds one, delete the entitlement here.
"""
from __future__ import annotations

import datetime as dt
import logging

from timebank_common.regions import city_unit_of
from timebank_common.schemas import load

from . import policy_repository, posting, schemas
from . import repository as repo
from .domain.granting import grant_request
from .domain.kinds import GRANT, ISSUANCE
from .domain.policy import local_date
from .domain.transfers import FAILED, POSTED

log = logging.getLogger("timebank.ledger")
CONSUMER = "ledger.grant_priority"
PAGE = 500


def record_entitlement(uow, event: dict, now: dt.datetime) -> dict:
    data = load(schemas.PriorityGrantedPayload(), event.get("payload"))
    policy_repository.add_entitlement(uow, data["person_id"], data["category"],
                                      data["region_code"], data["verified_by"], now)
    return {"person_id": data["person_id"], "category": data["category"],
            "region_code": data["region_code"]}


def grant_period(uow, entitled: list[dict], now: dt.datetime, strict: bool = False) -> int:
    """Grant each entitlement its current period (those granted already answer ``exists``);
    how many were newly posted. ``strict``: raise a refusal (event path) instead of logging."""
    if not entitled:
        return 0
    today = local_date(now)
    accounts = repo.open_accounts(uow, [
        *[(ISSUANCE, city_unit_of(e["region_code"]), None) for e in entitled],
        *[(GRANT, e["region_code"], e["person_id"]) for e in entitled]])
    policies = policy_repository.policies_for(uow, [e["region_code"] for e in entitled], today)
    requests = [r for r in (grant_request(
        e["person_id"], e["category"], policies[e["region_code"]], today,
        accounts[(ISSUANCE, city_unit_of(e["region_code"]))].id,
        accounts[(GRANT, e["person_id"])].id) for e in entitled) if r is not None]
    posted = 0
    for outcome in posting.create_transfers(uow, requests) if requests else []:
        if outcome.status == POSTED:
            posted += 1
        elif outcome.status == FAILED:
            if outcome.error.code == "transfer_id_reused":
                continue  # granted this period already, under an earlier policy
            if strict:
                raise outcome.error
            log.error("grant %s refused: %s", outcome.transfer_id, outcome.error.code)
    return posted


def top_up(db, now: dt.datetime) -> int:
    """Every entitlement's grant for the current period, a page per transaction."""
    after, posted = None, 0
    while True:
        with db() as uow:
            page = policy_repository.entitlements(uow, after, PAGE)
            posted += grant_period(uow, page, now)
            uow.commit()
        if len(page) < PAGE:
            return posted
        after = (page[-1]["person_id"], page[-1]["category"])
