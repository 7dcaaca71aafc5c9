"""The ledger service's nameko entrypoints: validate, one unit of work, domain, events.

Owns accounts, transfers and the journal of entries (DESIGN.md §6). Credits
volunteers when ``demand`` records a service, and answers balance and statement
questions for the person themself or staff in scope. Service-record certificates
(issue, PDF, public verification) come from ``CertificateEntrypoints``.
"""
from __future__ import annotations

from timebank_common.auth import Caller
from timebank_common.errors import BadInput
from timebank_common.events import event_handler, once
from timebank_common.outbox import OutboxRelay
from timebank_common.regions import city_unit_of, is_code
from timebank_common.schemas import load
from timebank_common.service import Database, ServiceBase, rpc

from . import repository as repo
from . import schemas
from .certificate_service import CertificateEntrypoints
from .domain import access, crediting
from .domain.balances import balance_summary
from .domain.kinds import ISSUANCE, PERSONAL
from .domain.transfers import POSTED


def _person_id(value) -> str:
    return load(schemas.PersonIdSchema(), {"person_id": value})["person_id"]


class LedgerService(CertificateEntrypoints, ServiceBase):
    name = "ledger"
    db = Database()
    relay = OutboxRelay()

    # --- reads for people ------------------------------------------------------------------
    @rpc
    def balance(self, caller, person_id):
        caller = Caller.from_dict(caller)
        person_id = _person_id(person_id)
        with self.db() as uow:
            held = repo.person_accounts(uow, person_id)
        access.authorize_account_read(caller, person_id, [a.region_code for a in held])
        summary = balance_summary(person_id, {a.kind: a.balance_minutes for a in held})
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
                query["page"], query["page_size"])
        return schemas.StatementOut().dump(
            {"items": items, "total": total, "page": query["page"],
             "page_size": query["page_size"]})

    # --- internal ----------------------------------------------------------------------------
    @rpc
    def verify_balances(self):
        """Every cached balance equals the sum of its entries; all entries sum to zero."""
        with self.db() as uow:
            return repo.verify_balances(uow)

    # --- events ------------------------------------------------------------------------------
    @event_handler("demand", "service_recorded")
    @once("ledger.credit_service")
    def on_service_recorded(self, uow, event):
        """Credit the volunteer with the recorded minutes, once per service record.

        Paid from the issuance account of the demand's city-level unit whatever the
        funding source (own hours, grant, pool need two-phase transfers: later issue).
        """
        record = load(schemas.ServiceRecordedPayload(), event.get("payload"))
        demand_region = event.get("region_code")
        if not is_code(demand_region or ""):
            raise BadInput("region_code_invalid", "事件缺少有效的区划代码",
                           "The event carries no valid region code",
                           {"region_code": demand_region})
        personal = repo.open_account(uow, PERSONAL, record["volunteer_region_code"] or demand_region,
                                     owner_person_id=record["volunteer_id"])
        issuance = repo.open_account(uow, ISSUANCE, city_unit_of(demand_region))
        result = repo.post_transfer(uow, crediting.service_credit(
            record["record_id"], record["demand_id"], record["minutes"], record["category"],
            issuance_account_id=issuance.id, personal_account_id=personal.id))
        if result.status != POSTED:
            return  # this record was credited before (by another event): nothing new to tell
        uow.emit("hours_credited", schemas.HoursCreditedEvent().dump({
            "transfer_id": result.transfer.transfer_id,
            "person_id": record["volunteer_id"],
            "minutes": result.credit.amount_minutes,
            "balance_minutes": result.credit.balance_after,
            "kind": result.transfer.kind,
            "record_id": record["record_id"],
            "demand_id": record["demand_id"],
        }), personal.region_code)
