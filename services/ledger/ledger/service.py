"""The ledger service's nameko entrypoints: validate, one unit of work, domain, events.

Owns accounts, transfers, entries and the hash-chained journal (DESIGN.md §6).
Credits volunteers when ``demand`` records a service, answers balance and statement
questions for the person themself or staff in scope, and offers the internal
transfer API (``create_transfers``, ``reverse``) that policies, gifts, donations
and grants build on. Service-record certificates (issue, PDF, public verification)
come from ``CertificateEntrypoints``.
"""
from __future__ import annotations

import datetime as dt
import logging

from nameko.dependency_providers import Config

from timebank_common import remote
from timebank_common.batch_events import batch_event_handler, batch_once
from timebank_common.caller import Caller
from timebank_common.errors import Forbidden
from timebank_common.events import event_handler, once
from timebank_common.outbox import OutboxRelay
from timebank_common.regions import city_unit_of
from timebank_common.schemas import load
from timebank_common.service import Database, ServiceBase, rpc, scheduled

from . import (
    allocation,
    disputes,
    giving,
    grants,
    invariant_metrics,
    policy_repository,
    posting,
    reconcile,
    reservations,
    schemas,
    service_credits,
    statistics,
    summary,
    verification,
)
from . import repository as repo
from .certificate_service import CertificateEntrypoints
from .domain import access
from .domain.balances import balance_summary
from .domain.batch import Outcome
from .domain.giving import check_gift, giving_id
from .domain.kinds import GIFT_TO_RELATIVE
from .domain.policy import check_new_row, check_values, local_date, policy_for
from .domain.stars import thresholds_from_config
from .domain.transfers import FAILED, REVERSE, TransferRequest, derived_id

log = logging.getLogger("timebank.ledger")
SWEEP_BATCH = 500  # reservations expired per transaction
POLICY_ADMINS = ("province_admin", "city_admin", "county_admin")
POOL_ADMINS = ("province_admin", "city_admin")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _person_id(value) -> str:
    return load(schemas.PersonIdSchema(), {"person_id": value})["person_id"]


def _result(outcome: Outcome) -> dict:
    error = outcome.error
    return schemas.TransferResultOut().dump({
        "transfer_id": outcome.transfer_id, "status": outcome.status,
        "transfer": outcome.transfer,
        "error": None if error is None else {"code": error.code, "zh": error.zh, "en": error.en,
                                             "details": error.details}})


class LedgerService(CertificateEntrypoints, ServiceBase):
    name = "ledger"
    db = Database()
    relay = OutboxRelay()
    config = Config()  # identity and demand RPC proxies come with CertificateEntrypoints

    def _star_thresholds(self) -> tuple[int, ...]:
        return thresholds_from_config(self.config.get("STAR_THRESHOLDS_HOURS"))

    def _ask_identity(self, method: str, *args):
        """An identity RPC within ``IDENTITY_RPC_TIMEOUT_SECONDS`` (default 5), else 503
        ``identity_unavailable``: the ledger never hangs on identity (giving, allocation and
        certificates all ask through here)."""
        return remote.ask(self.config, self.identity, "identity", method, *args)

    # --- reads for people ------------------------------------------------------------------
    @rpc
    def balance(self, caller, person_id):
        caller = Caller.from_dict(caller)
        person_id = _person_id(person_id)
        with self.db() as uow:
            held = repo.person_accounts(uow, person_id)
        access.authorize_account_read(caller, person_id, [a.region_code for a in held])
        summary = balance_summary(person_id, [a.state() for a in held])
        return schemas.BalanceOut().dump(summary)

    @rpc
    def statement(self, caller, person_id, query=None):
        caller = Caller.from_dict(caller)
        person_id = _person_id(person_id)
        query = load(schemas.StatementQuery(), query)
        with self.db() as uow:
            held = repo.person_accounts(uow, person_id)
            access.authorize_account_read(caller, person_id, [a.region_code for a in held])
            items, total = ([], 0) if not held else repo.statement(
                uow, [a.id for a in held], query["since"], query["until"],
                query["page"], query["page_size"], query["kind"])
        return schemas.StatementOut().dump(
            {"items": items, "total": total, "page": query["page"],
             "page_size": query["page_size"]})

    @rpc
    def volunteer_summary(self, caller, person_id):
        """The balance plus cumulative service time, star level, next star, milestones."""
        caller = Caller.from_dict(caller)
        person_id = _person_id(person_id)
        with self.db() as uow:
            found = summary.volunteer_summary(uow, caller, person_id, self._star_thresholds())
        return schemas.VolunteerSummaryOut().dump(found)

    # --- supervisors ------------------------------------------------------------------------
    @rpc
    def ledger_stats(self, caller, region_code=None, period_from=None, period_to=None):
        """Minutes deposited/spent/gifted/donated/granted/allocated/reversed in the period for
        the region (and per child region), and the issuance liability per city-level unit."""
        caller = Caller.from_dict(caller)
        query = load(schemas.PeriodIn(), {"region_code": region_code,
                                          "period_from": period_from, "period_to": period_to})
        with self.db() as uow:
            figures = statistics.ledger_stats(uow, caller, query["region_code"],
                                              query["period_from"], query["period_to"])
        return schemas.LedgerStatsOut().dump(figures)

    @rpc
    def reconcile(self, region_code, period_from, period_to):
        """Internal: ledger service credits against demand's service records, by record id."""
        query = load(schemas.ReconcileIn(), {"region_code": region_code,
                                             "period_from": period_from, "period_to": period_to})
        with self.db() as uow:
            report = reconcile.reconcile(uow, self.demand.service_records, query["region_code"],
                                         query["period_from"], query["period_to"])
        return schemas.ReconcileOut().dump(report)

    # --- internal: accounts and transfers ---------------------------------------------------
    @rpc
    def open_account(self, kind, region_code, owner_person_id=None):
        """Internal: the account of this kind for this person/region, opened if missing."""
        data = load(schemas.OpenAccountIn(), {"kind": kind, "region_code": region_code,
                                               "owner_person_id": owner_person_id})
        with self.db() as uow:
            account = repo.open_account(uow, data["kind"], data["region_code"],
                                        data["owner_person_id"])
            uow.commit()
        return schemas.AccountOut().dump(account.view())

    @rpc
    def account(self, account_id):
        """Internal: one account's four totals, balance and available minutes."""
        account_id = load(schemas.AccountIdIn(), {"account_id": account_id})["account_id"]
        with self.db() as uow:
            found = repo.get_account(uow, str(account_id))
        return schemas.AccountOut().dump(found.view())

    @rpc
    def create_transfers(self, transfers):
        """Internal: a batch in one transaction; one result per transfer, in order."""
        requests = load(schemas.CreateTransfersIn(), {"transfers": transfers})["transfers"]
        with self.db() as uow:
            outcomes = posting.create_transfers(uow, requests)
            uow.commit()
        return [_result(o) for o in outcomes]

    @rpc
    def reverse(self, transfer_id, reason, approver, amount_minutes=None, reversal_id=None):
        """Internal: a ``reversal`` mirroring a posted transfer (partial allowed); raises the
        refusal. Without ``reversal_id`` the id is ``reversal:<transfer_id>`` (one full or
        partial reversal; give distinct ids for several partial ones)."""
        data = load(schemas.ReverseIn(), {
            "transfer_id": transfer_id, "reason": reason, "approver": approver,
            "amount_minutes": amount_minutes, "reversal_id": reversal_id})
        request = TransferRequest(
            data["reversal_id"] or derived_id("reversal", data["transfer_id"]), REVERSE,
            amount_minutes=data["amount_minutes"], reverses_id=data["transfer_id"],
            reason=data["reason"], approver=data["approver"])
        with self.db() as uow:
            [outcome] = posting.create_transfers(uow, [request])
            if outcome.status == FAILED:
                raise outcome.error
            uow.commit()
        return _result(outcome)

    @rpc
    def expire_pending(self, limit=500):
        """Internal: void the reservations whose timeout passed (also run on a timer)."""
        limit = load(schemas.ExpireIn(), {"limit": limit})["limit"]
        with self.db() as uow:
            outcomes = posting.expire_reservations(uow, limit)
            uow.commit()
        return {"expired": sum(1 for o in outcomes if o.status == "expired")}

    @scheduled("PENDING_SWEEP_SECONDS", 30)
    def sweep_expired_pending(self):
        """Every process runs it; two sweepers expiring the same reservation agree on the
        expiry's transfer id, so the second gets ``exists``."""
        while self.expire_pending(SWEEP_BATCH)["expired"] >= SWEEP_BATCH:
            pass

    # --- internal: verification -------------------------------------------------------------
    @rpc
    def verify_balances(self):
        """Every invariant (see ledger/verification.py), the hash chain included."""
        with self.db() as uow:
            return verification.verify_balances(uow)

    @rpc
    def verify_journal(self):
        """Walk the hash chain; ``first_broken`` names the first bad link."""
        with self.db() as uow:
            return verification.verify_journal(uow)

    @scheduled("INVARIANTS_REFRESH_SECONDS", 300)
    def refresh_invariants(self):
        full_every = float(self.config.get("JOURNAL_FULL_CHECK_SECONDS", 86400))
        resume = invariant_metrics.CHAIN.resume_point(full_every)
        with self.db() as uow:
            report = verification.verify_balances(uow, journal_resume=resume,
                                                  unless_running_elsewhere=True)
        if report is None:
            return  # another ledger process is checking now
        invariant_metrics.CHAIN.remember(report, resume)
        invariant_metrics.publish(report)
        if not report["ok"]:
            log.error("ledger invariants broken: %s", {k: v for k, v in report.items()
                                                       if v and k not in ("ok",)})

    # --- events ------------------------------------------------------------------------------
    @batch_event_handler("demand", "service_recorded", batch_size=service_credits.BATCH,
                         max_wait=0.1)
    @batch_once(service_credits.CONSUMER)
    def on_service_recorded(self, uow, events):
        """Credit each volunteer with the recorded minutes, once per service record; up to
        ``service_credits.BATCH`` events in one transaction (``timebank_common.batch_events``)."""
        service_credits.credit_services(uow, events, star_thresholds=self._star_thresholds())

    # --- policies (ledger/domain/policy.py) ---------------------------------------------------
    @rpc
    def policy(self, region_code, on_date=None):
        """The policy in effect in a region on a date (default today, China time), which row
        set each value, and every row that applies (with who added it and when)."""
        query = load(schemas.PolicyQuery(), {"region_code": region_code, "on_date": on_date})
        on = query["on_date"] or local_date(_now())
        with self.db() as uow:
            rows = policy_repository.rows_for(uow, [query["region_code"]])
            history = policy_repository.history(uow, query["region_code"])
        found = policy_for(rows, query["region_code"], on)
        return schemas.PolicyOut().dump({"region_code": query["region_code"], "on_date": on,
                                         "values": found.values, "sources": found.sources,
                                         "rows": history})

    @rpc
    def add_policy(self, caller, data):
        """A province, city or county admin (scope covering the region) adds a row taking
        effect after today; rows are never changed (the table is the audit: who, when, why)."""
        caller = Caller.from_dict(caller)
        caller.require(*POLICY_ADMINS)
        data = load(schemas.AddPolicyIn(), data)
        caller.require_scope(data["region_code"])
        check_new_row(data["region_code"], data["effective_from"], local_date(_now()))
        values = check_values(data["values"])
        with self.db() as uow:
            row_id = policy_repository.add_row(uow, data["region_code"], data["effective_from"],
                                               values, data["reason"], caller.person_id)
            uow.commit()
        log.info("policy row %s added for %s by %s", row_id, data["region_code"],
                 caller.person_id)
        return self.policy(data["region_code"], data["effective_from"].isoformat())

    # --- grants for priority elders (ledger/grants.py) --------------------------------------
    @event_handler("demand", "reservation_requested")
    @once(reservations.REQUESTED_CONSUMER)
    def on_reservation_requested(self, uow, event):
        """Reserve the expected minutes from the elder's own hours or grant (the saga)."""
        reservations.on_requested(uow, event, _now())

    @event_handler("demand", "reservation_released")
    @once(reservations.RELEASED_CONSUMER)
    def on_reservation_released(self, uow, event):
        """Void the reservation of a withdrawn, no-show or cancelled assignment."""
        reservations.on_released(uow, event, _now())

    @event_handler("identity", "elder_priority_granted")
    @once(grants.CONSUMER)
    def on_elder_priority_granted(self, uow, event):
        """Record the entitlement and grant the current period (once per period)."""
        now = _now()
        entitled = grants.record_entitlement(uow, event, now)
        grants.grant_period(uow, [entitled], now, strict=True)

    @rpc
    def grant_top_up(self):
        """Internal: grant every entitlement its current period (also run on a timer)."""
        return {"granted": grants.top_up(self.db, _now())}

    @scheduled("GRANT_TOPUP_SECONDS", 3600)
    def scheduled_grant_top_up(self):
        granted = self.grant_top_up()["granted"]
        if granted:
            log.info("granted %s periodic grants", granted)

    # --- gifts and donations (ledger/giving.py) ---------------------------------------------
    @rpc
    def give(self, caller, data, idempotency_key):
        """``gift_to_relative`` (to a verified direct relative, earned hours only) or
        ``donation`` (to the pool of the giver's city-level unit). The giver is the caller,
        or an elder the caller acts for (``from_person_id``; identity's ``may_act_for``).
        The transfer id follows from giver + key: a retry answers ``exists``."""
        caller = Caller.from_dict(caller)
        data = load(schemas.TransferBody(), data)
        giver = data["from_person_id"] or caller.person_id
        if not giver:
            raise Forbidden("person_required", "只有个人用户可以赠送或捐赠时长",
                            "Only a person can give or donate hours")
        if giver != caller.person_id and not self._ask_identity(
                "may_act_for", caller.person_id, giver):
            raise Forbidden("not_your_account", "只能动用本人（或您代办的老人）的时间账户",
                            "You can only give from your own account (or an elder's you act for)",
                            {"from_person_id": giver})
        transfer_id = giving_id(data["kind"], giver, idempotency_key)
        if data["kind"] == GIFT_TO_RELATIVE:
            with self.db() as uow:
                repeated = giving.already_given(uow, transfer_id)
            if not repeated:
                related = bool(data["to_person_id"]) and data["to_person_id"] != giver and \
                    self._ask_identity("are_direct_relatives", giver,
                                       data["to_person_id"]).get("related")
                check_gift(giver, data["to_person_id"], related)
        with self.db() as uow:
            outcome = giving.give(uow, transfer_id, data["kind"], giver, data["minutes"],
                                  data["to_person_id"], data["note"], caller.person_id)
            uow.commit()
        return schemas.GiveOut().dump({"status": outcome.status, "transfer": outcome.transfer})

    # --- pool allocation (ledger/allocation.py) ---------------------------------------------
    @rpc
    def allocate_pool(self, caller, data):
        """A province or city admin allocates a city-level unit's donation pool to its
        priority elders' grant accounts: living alone first, then oldest first,
        ``minutes_each`` while the pool lasts; one linked batch; repeat-safe by
        ``allocation_id``."""
        caller = Caller.from_dict(caller)
        caller.require(*POOL_ADMINS)
        data = load(schemas.AllocateIn(), data)
        unit = city_unit_of(data["region_code"])
        caller.require_scope(unit)
        elders = self._ask_identity("priority_elders", unit)
        with self.db() as uow:
            result = allocation.allocate(uow, unit, data, elders, caller.person_id)
            uow.commit()
        return schemas.AllocationOut().dump(result)

    # --- dispute outcomes (ledger/disputes.py) ----------------------------------------------
    @event_handler("demand", "dispute_resolved")
    @once(disputes.CONSUMER)
    def on_dispute_resolved(self, uow, event):
        """Apply a resolved dispute about a credited service record (reversal entries);
        once per event (inbox) and once per dispute (the reversal id)."""
        disputes.apply_resolved_event(uow, event["payload"])

    @rpc
    def apply_dispute_outcome(self, dispute_id, record_id, outcome, minutes=None,
                              approver=None, reason=None):
        """Internal (demand's disputes): reverse a service credit fully (``voided``) or in
        part (``minutes_adjusted``: ``minutes`` = the corrected credit); ``upheld`` moves
        nothing. Idempotent by dispute id."""
        data = load(schemas.DisputeOutcomeIn(), {
            "dispute_id": dispute_id, "record_id": record_id, "outcome": outcome,
            "minutes": minutes, "approver": approver, "reason": reason})
        with self.db() as uow:
            result = disputes.apply_outcome(uow, data)
            uow.commit()
        return schemas.DisputeOutcomeOut().dump({"repeated": False, **result})
