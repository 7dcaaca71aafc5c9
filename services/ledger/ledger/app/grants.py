"""Grants for priority elders: identity's ``elder_priority_granted`` (in the event handler's
transaction) and the periodic top-up (``top_up``, a page per transaction).

The event records an entitlement (``grant_entitlements``: person, category, region, since)
and grants the current period at once; the scheduled top-up grants every entitlement for
the period in effect (ids fix "once per period"). ``elder_priority_revoked`` marks the
entitlement withdrawn: no period after the current one is granted (``domain/granting.py``).
"""
from __future__ import annotations

import datetime as dt
import logging

from timebank_common.clock import china_date
from timebank_common.db import UnitOfWorkFactory
from timebank_common.regions import city_unit_of

from ..adapters import accounts as repo
from ..adapters import policies
from ..contracts.events import HOURS_GRANTED
from ..contracts.kinds import FAILED, GRANT, ISSUANCE, POSTED
from ..domain.granting import grant_request, still_granted
from . import posting

log = logging.getLogger("timebank.ledger")
PAGE = 500


def on_priority_granted(uow, granted: dict, now: dt.datetime) -> None:
    """Record the entitlement (``granted``: the loaded payload) and grant the current
    period (once per period); a refusal raises."""
    entitled = record_entitlement(uow, granted, now)
    grant_period(uow, [entitled], now, strict=True)


def record_entitlement(uow, granted: dict, now: dt.datetime) -> dict:
    return policies.add_entitlement(uow, granted["person_id"], granted["category"],
                                    granted["region_code"], granted["verified_by"], now)


def on_priority_revoked(uow, revoked: dict, now: dt.datetime) -> None:
    """The category's grants stop after the current period (``revoked``: the loaded payload);
    nothing granted is taken back. An unknown entitlement changes nothing."""
    if not policies.revoke_entitlement(uow, revoked["person_id"], revoked["category"],
                                       revoked["reason"], now):
        log.info("revoked %s of %s: no entitlement here", revoked["category"],
                 revoked["person_id"])


def grant_period(uow, entitled: list[dict], now: dt.datetime, strict: bool = False) -> int:
    """Grant each entitlement its current period (those granted already answer ``exists``);
    how many were newly posted. ``strict``: raise a refusal (event path) instead of logging."""
    if not entitled:
        return 0
    today = china_date(now)
    accounts = repo.open_accounts(uow, [
        *[(ISSUANCE, city_unit_of(e["region_code"]), None) for e in entitled],
        *[(GRANT, e["region_code"], e["person_id"]) for e in entitled]])
    in_effect = policies.policies_for(uow, [e["region_code"] for e in entitled], today)
    planned = [(e, r) for e, r in ((e, grant_request(
        e["person_id"], e["category"], in_effect[e["region_code"]], today,
        accounts[(ISSUANCE, city_unit_of(e["region_code"]))].id,
        accounts[(GRANT, e["person_id"])].id)) for e in entitled
        if still_granted(e, in_effect[e["region_code"]], today)) if r is not None]
    requests = [r for _, r in planned]
    posted = 0
    outcomes = posting.create_transfers(uow, requests, now) if requests else []
    for (entitlement, request), outcome in zip(planned, outcomes, strict=True):
        if outcome.status == POSTED:
            posted += 1
            uow.emit(HOURS_GRANTED, {
                "transfer_id": request.transfer_id, "person_id": entitlement["person_id"],
                "minutes": outcome.stored.amount_minutes, "category": entitlement["category"],
                "period": request.reference.get("period")}, entitlement["region_code"])
        elif outcome.status == FAILED:
            if outcome.code == "transfer_id_reused":
                continue  # granted this period already, under an earlier policy
            if strict:
                outcome.raise_failure()
            log.error("grant %s refused: %s", outcome.transfer_id, outcome.code)
    return posted


def top_up(db: UnitOfWorkFactory, now: dt.datetime) -> int:
    """Every entitlement's grant for the current period, a page per transaction; how many
    were newly posted."""
    after, posted = None, 0
    while True:
        with db() as uow:
            page = policies.entitlements(uow, after, PAGE)
            posted += grant_period(uow, page, now)
            uow.commit()
        if len(page) < PAGE:
            return posted
        after = (page[-1]["person_id"], page[-1]["category"])
