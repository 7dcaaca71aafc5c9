"""Crediting volunteers for recorded services (demand's ``service_recorded``), many per
transaction: the service layer of ``LedgerService.on_service_recorded``.

Paid from the issuance account of the demand's city-level unit whatever the funding source
(own hours, grant, pool: reservations from demand, later issue). Transfer id
``service_record:<record_id>``, so a record is credited at most once whatever the events.
"""
from __future__ import annotations

from timebank_common.errors import BadInput
from timebank_common.regions import city_unit_of, is_code
from timebank_common.schemas import load

from . import milestones, posting, schemas
from . import repository as repo
from .domain import crediting
from .domain.kinds import ISSUANCE, PERSONAL
from .domain.stars import DEFAULT_THRESHOLDS_HOURS
from .domain.transfers import FAILED, POSTED

CONSUMER = "ledger.credit_service"  # inbox consumer name
BATCH = 200  # service_recorded events credited per transaction
_RECORDED, _CREDITED = schemas.ServiceRecordedPayload(), schemas.HoursCreditedEvent()


def _service_record(event: dict) -> dict:
    """The validated ``service_recorded`` payload, with the accounts' regions."""
    record = load(_RECORDED, event.get("payload"))
    demand_region = event.get("region_code")
    if not is_code(demand_region or ""):
        raise BadInput("region_code_invalid", "事件缺少有效的区划代码",
                       "The event carries no valid region code", {"region_code": demand_region})
    return {**record, "city_unit": city_unit_of(demand_region),
            "account_region": record["volunteer_region_code"] or demand_region}


def credit_services(uow, events: list[dict],
                    star_thresholds: tuple[int, ...] = DEFAULT_THRESHOLDS_HOURS) -> None:
    """Credit every event's volunteer in ``uow``'s transaction; ``hours_credited`` for each
    newly posted credit, ``milestone_reached`` for each star level they reach (milestones.py).
    A refused credit raises (the batch is then retried event by event)."""
    records = [_service_record(event) for event in events]
    accounts = repo.open_accounts(uow, [
        *[(ISSUANCE, r["city_unit"], None) for r in records],
        *[(PERSONAL, r["account_region"], r["volunteer_id"]) for r in records]])
    requests = [crediting.service_credit(
        r["record_id"], r["demand_id"], r["minutes"], r["category"],
        issuance_account_id=accounts[(ISSUANCE, r["city_unit"])].id,
        personal_account_id=accounts[(PERSONAL, r["volunteer_id"])].id)
        for r in records]
    credited = []
    for record, outcome in zip(records, posting.create_transfers(uow, requests), strict=True):
        if outcome.status == FAILED:
            raise outcome.error
        if outcome.status != POSTED:
            continue  # credited before (by another event): nothing new to tell
        credit = outcome.entries[1]
        personal = accounts[(PERSONAL, record["volunteer_id"])]
        uow.emit("hours_credited", _CREDITED.dump({
            "transfer_id": outcome.transfer_id,
            "person_id": record["volunteer_id"],
            "minutes": credit.amount_minutes,
            "balance_minutes": credit.balance_after,
            "kind": outcome.transfer.kind,
            "record_id": record["record_id"],
            "demand_id": record["demand_id"],
        }), personal.region_code)
        credited.append(milestones.NewCredit(record["volunteer_id"], personal.id,
                                             personal.region_code, outcome.transfer_id,
                                             credit.amount_minutes))
    milestones.note_credits(uow, credited, star_thresholds)
