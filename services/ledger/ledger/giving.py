"""Gifts to a direct relative and donations to the pool: the service layer of
``LedgerService.give`` (rules: ``domain/giving.py``). Runs in the caller's unit of work;
the identity checks are made by the service before (they are not the ledger's data)."""
from __future__ import annotations

from timebank_common.regions import city_unit_of

from . import posting
from . import repository as repo
from .domain.giving import check_funds
from .domain.kinds import DONATION_POOL, GIFT_TO_RELATIVE, GRANT, PERSONAL
from .domain.transfers import FAILED, POST, POSTED, TransferRequest
from .schemas import HoursGivenEvent


def already_given(uow, transfer_id: str) -> bool:
    return bool(repo.stored_transfers(uow, [transfer_id]))


def give(uow, transfer_id: str, kind: str, giver_id: str, minutes: int,
         to_person_id: str | None, note: str | None, given_by: str):
    """Post the gift or donation (or answer ``exists`` for a repeated key); raise a refusal."""
    held = repo.find_accounts(uow, [(PERSONAL, giver_id), (GRANT, giver_id)])
    personal, grant = held.get((PERSONAL, giver_id)), held.get((GRANT, giver_id))
    if not already_given(uow, transfer_id):
        check_funds(0 if personal is None else personal.balance_minutes - personal.debits_pending,
                    0 if grant is None else grant.balance_minutes - grant.debits_pending, minutes)
    if kind == GIFT_TO_RELATIVE:
        target = repo.open_accounts(uow, [(PERSONAL, personal.region_code, to_person_id)])[
            (PERSONAL, to_person_id)]
    else:
        unit = city_unit_of(personal.region_code)
        target = repo.open_accounts(uow, [(DONATION_POOL, unit, None)])[(DONATION_POOL, unit)]
    request = TransferRequest(
        transfer_id=transfer_id, action=POST, kind=kind, debit_account_id=personal.id,
        credit_account_id=target.id, amount_minutes=minutes, memo=note,
        reference={"given_by": given_by,
                   **({"to_person_id": to_person_id} if kind == GIFT_TO_RELATIVE else
                      {"pool_region_code": target.region_code})})
    [outcome] = posting.create_transfers(uow, [request])
    if outcome.status == FAILED:
        raise outcome.error
    if outcome.status == POSTED:  # a repeated key ("exists") announces nothing again
        uow.emit("hours_given", HoursGivenEvent().dump({
            "transfer_id": transfer_id, "kind": kind, "from_person_id": giver_id,
            "to_person_id": to_person_id if kind == GIFT_TO_RELATIVE else None,
            "pool_region_code": None if kind == GIFT_TO_RELATIVE else target.region_code,
            "minutes": minutes, "given_by": given_by}), personal.region_code)
    return outcome

