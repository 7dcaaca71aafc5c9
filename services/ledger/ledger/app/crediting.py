"""Crediting volunteers for recorded services (demand's ``service_recorded``), many per
transaction, in the transaction of the batch handler (``entrypoints/crediting.py``).

For each record, after the policy in effect (``domain/policy.py``) in the volunteer's
region: the recorded minutes are rounded, the yearly cap splits off the excess (routed to
the donation pool of the demand's city-level unit in the same linked chain, or refused);
the payer is the named funding source or, when it cannot pay, the issuance account
(``domain/funding.py``). Transfer ids ``service_record:<record_id>`` and
``service_record_excess:<record_id>``, so a record is credited at most once whatever the
events.

A record that names the reservation made at assignment (``reservation_id``: the saga with
demand, ``reservations.py``) posts it when the credit fits in it (the rest of it lapses),
else closes it (void, or expire when it timed out) in the same batch and pays as above;
its minutes count as available to the payer rule either way.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import replace

from timebank_common.clock import china_date
from timebank_common.errors import BadInput
from timebank_common.regions import city_unit_of, is_code

from ..adapters import accounts as repo
from ..adapters import policies
from ..contracts.events import HOURS_CREDITED
from ..contracts.kinds import (
    DONATION_POOL,
    GRANT,
    GRANT_SOURCE,
    ISSUANCE,
    ISSUANCE_SOURCE,
    OWN_HOURS,
    PERSONAL,
    POOL,
    POSTED,
)
from ..domain import crediting, funding
from ..domain import reservations as reservation_rules
from . import milestones, posting, reservations

log = logging.getLogger("timebank.ledger")
_SOURCE_KIND = {OWN_HOURS: PERSONAL, GRANT_SOURCE: GRANT}


def _service_record(event: dict) -> dict:
    """The ``service_recorded`` payload (loaded by the entrypoint), with the accounts'
    regions."""
    record = event["payload"]
    demand_region = event.get("region_code")
    if demand_region is None or not is_code(demand_region):
        raise BadInput("region_code_invalid", "事件缺少有效的区划代码",
                       "The event carries no valid region code", {"region_code": demand_region})
    return {**record, "city_unit": city_unit_of(demand_region), "demand_region": demand_region,
            "account_region": record["volunteer_region_code"] or demand_region,
            "funding_source": funding.normalised(record["funding_source"])}


class _Batch:
    """The accounts, policies and yearly sums of one batch, and what it has planned so far
    (a volunteer or a payer appearing twice sees the earlier records)."""

    def __init__(self, uow, records: list[dict], now: dt.datetime, reserved: dict):
        self.accounts = repo.open_accounts(uow, [
            *[(ISSUANCE, r["city_unit"], None) for r in records],
            *[(DONATION_POOL, r["city_unit"], None) for r in records],
            *[(PERSONAL, r["account_region"], r["volunteer_id"]) for r in records]])
        elders = [(_SOURCE_KIND[r["funding_source"]], r["elder_id"]) for r in records
                  if r["funding_source"] in _SOURCE_KIND and r["elder_id"]]
        self.accounts.update(repo.find_accounts(uow, elders))
        self.policies = policies.policies_for(
            uow, [r["account_region"] for r in records], china_date(now))
        self.earned = policies.earned_in_year(
            uow, [self.personal(r).id for r in records], china_date(now).year)
        self.available = {a.id: a.balance_minutes - a.debits_pending
                          for a in self.accounts.values()}
        for pending in reserved.values():  # closed or posted in this batch: free to pay with
            if pending.debit_account_id in self.available:
                self.available[pending.debit_account_id] += pending.amount_minutes

    def personal(self, record):
        return self.accounts[(PERSONAL, record["volunteer_id"])]

    def source_account(self, record):
        source = record["funding_source"]
        if source == POOL:
            return self.accounts[(DONATION_POOL, record["city_unit"])]
        if source in _SOURCE_KIND:
            return self.accounts.get((_SOURCE_KIND[source], record["elder_id"]))
        return None

    def plan(self, record) -> tuple[crediting.CreditPlan, object, str, str | None]:
        """(plan, payer account, paid_from, fallback reason), updating the running sums."""
        personal = self.personal(record)
        plan = crediting.plan_credit(record["minutes"], self.earned.get(personal.id, 0),
                                     self.policies[record["account_region"]])
        self.earned[personal.id] = self.earned.get(personal.id, 0) + plan.credited
        source = self.source_account(record)
        paid_from, fallback = funding.choose_payer(
            record["funding_source"], plan.paid,
            None if source is None else self.available[source.id],
            elder_named=bool(record["elder_id"]), frozen=source is not None and source.frozen)
        payer = source if paid_from != ISSUANCE_SOURCE else \
            self.accounts[(ISSUANCE, record["city_unit"])]
        self.available[payer.id] -= plan.paid
        return plan, payer, paid_from, fallback


def _requests(record, plan, payer, pool, personal, paid_from, fallback) -> list:
    reference = {"funding_source": record["funding_source"], "paid_from": paid_from}
    if fallback:  # the ledger's reason, and the station's agreement at review if it gave one
        reference["fallback"] = fallback
        if record.get("fallback_reason"):
            reference["fallback_reason"] = record["fallback_reason"]
    if plan.credited != plan.recorded:  # rounding or the yearly cap: reconciliation reads it
        reference["recorded_minutes"] = plan.recorded
    requests = []
    to_pool = plan.excess if plan.excess_to == "pool" else 0
    if plan.credited:
        requests.append(crediting.service_credit(
            record["record_id"], record["demand_id"], plan.credited, record["category"],
            payer.id, personal.id, reference, linked=bool(to_pool)))
    if to_pool:
        requests.append(crediting.excess_to_pool(
            record["record_id"], record["demand_id"], to_pool, payer.id, pool.id, reference))
    # where the service happened: the demand's region, whichever accounts pay and receive
    return [replace(r, region_code=record["demand_region"]) for r in requests]


def _settle(record, plan, payer, personal, pending, requests: list, now) -> list:
    """``requests`` adjusted for the record's open reservation (``pending``, or None)."""
    if pending is None:
        return requests
    how = reservation_rules.settlement(plan.credited, plan.paid, pending.amount_minutes,
                                       timed_out=now >= pending.expires_at)
    if (how == reservation_rules.POST_IT and pending.debit_account_id == payer.id
            and pending.credit_account_id == personal.id):
        [credit] = requests
        return [replace(reservation_rules.post(
            pending.transfer_id, credit.transfer_id, plan.credited, credit.memo,
            {**credit.reference, "reservation_id": pending.transfer_id}),
            region_code=credit.region_code)]
    close = (reservation_rules.expire if how == reservation_rules.EXPIRE_IT
             else reservation_rules.release)(pending.transfer_id)
    return [close, *requests]


def credit_services(uow, events: list[dict], now: dt.datetime,
                    star_thresholds: Sequence[int]) -> None:
    """Credit every event's volunteer in ``uow``'s transaction; ``hours_credited`` for each
    record newly credited (none when the volunteer got nothing: rounded to 0, or all of it
    beyond the cap — the excess transfer and the log say so), ``milestone_reached`` for each
    star level reached (milestones.py). A refused credit raises (the batch is then retried
    event by event, each with fresh balances, so a source spent meanwhile falls back to
    issuance). ``events``: envelopes whose payload the entrypoint loaded."""
    records = [_service_record(event) for event in events]
    reserved = reservations.settle_before_credit(uow, [r["reservation_id"] for r in records])
    batch = _Batch(uow, records, now, reserved)
    planned = []
    for record in records:
        plan, payer, paid_from, fallback = batch.plan(record)
        requests = _requests(record, plan, payer,
                             batch.accounts[(DONATION_POOL, record["city_unit"])],
                             batch.personal(record), paid_from, fallback)
        requests = _settle(record, plan, payer, batch.personal(record),
                           reserved.get(record["reservation_id"]), requests, now)
        planned.append((record, plan, paid_from, requests))
    credited = []
    prepared = posting.prepare_transfers(uow, [q for *_, qs in planned for q in qs], now)
    outcomes = iter(prepared.outcomes)
    for record, plan, paid_from, requests in planned:
        results = [next(outcomes) for _ in requests]
        for outcome in results:
            outcome.raise_failure()
        if requests and not any(o.status == POSTED for o in results):
            continue  # credited before (by another event): nothing new to tell
        credit = next((o for o, q in zip(results, requests, strict=True)
                       if q.transfer_id == crediting.service_credit_id(record["record_id"])),
                      None)
        if credit is None:  # rounded to nothing, or all beyond the cap: the volunteer got 0
            log.info("service record %s: nothing credited to the volunteer (%s)",
                     record["record_id"], plan)
            continue
        personal = batch.personal(record)
        uow.emit(HOURS_CREDITED, {
            "transfer_id": credit.transfer_id,
            "person_id": record["volunteer_id"],
            "minutes": plan.credited,
            "balance_minutes": credit.entries[1].balance_after,
            "kind": credit.stored.kind,
            "record_id": record["record_id"],
            "demand_id": record["demand_id"],
            "recorded_minutes": plan.recorded,
            "rounded_minutes": plan.rounded,
            "excess_minutes": plan.excess,
            "excess_to": plan.excess_to,
            "funding_source": record["funding_source"],
            "paid_from": paid_from,
            "fallback": credit.stored.reference.get("fallback"),
        }, personal.region_code)
        credited.append(milestones.NewCredit(record["volunteer_id"], personal.id,
                                             personal.region_code, credit.transfer_id,
                                             plan.credited))
    milestones.note_credits(uow, credited, star_thresholds)
    uow.write_events()  # before the city's issuance account and the journal are locked
    prepared.finish(uow)
