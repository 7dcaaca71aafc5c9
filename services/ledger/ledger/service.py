"""The ledger service's nameko entrypoints: validate, one unit of work, domain, events.

Owns accounts, transfers, entries and the hash-chained journal (DESIGN.md §6).
Credits volunteers when ``demand`` records a service, answers balance and statement
questions for the person themself or staff in scope, and offers the internal
transfer API (``create_transfers``, ``reverse``) that policies, gifts, donations
and grants build on. Service-record certificates (issue, PDF, public verification)
come from ``CertificateEntrypoints``.
"""
from __future__ import annotations

import logging

from nameko.dependency_providers import Config
from nameko.rpc import RpcProxy

from timebank_common.auth import Caller
from timebank_common.batch_events import batch_event_handler, batch_once
from timebank_common.outbox import OutboxRelay
from timebank_common.schemas import load
from timebank_common.service import Database, ServiceBase, rpc, scheduled

from . import (
    invariant_metrics,
    posting,
    reconcile,
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
from .domain.stars import thresholds_from_config
from .domain.transfers import FAILED, REVERSE, TransferRequest, derived_id

log = logging.getLogger("timebank.ledger")
SWEEP_BATCH = 500  # reservations expired per transaction


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
    config = Config()
    demand = RpcProxy("demand")

    def _star_thresholds(self) -> tuple[int, ...]:
        return thresholds_from_config(self.config.get("STAR_THRESHOLDS_HOURS"))

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

    @scheduled("INVARIANTS_REFRESH_SECONDS", 60)
    def refresh_invariants(self):
        with self.db() as uow:
            report = verification.verify_balances(uow)
        invariant_metrics.publish(report)
        if not report["ok"]:
            log.error("ledger invariants broken: %s", {k: v for k, v in report.items()
                                                       if v and k not in ("ok",)})

    # --- events ------------------------------------------------------------------------------
    @batch_event_handler("demand", "service_recorded", batch_size=service_credits.BATCH,
                         max_wait=0.02)
    @batch_once(service_credits.CONSUMER)
    def on_service_recorded(self, uow, events):
        """Credit each volunteer with the recorded minutes, once per service record; up to
        ``service_credits.BATCH`` events in one transaction (``timebank_common.batch_events``)."""
        service_credits.credit_services(uow, events, self._star_thresholds())
