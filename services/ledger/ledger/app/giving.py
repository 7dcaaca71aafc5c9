"""Gifts to a direct relative and donations to the pool (``give``; rules: ``domain/giving.py``).

The giver is the caller, or an elder the caller acts for (``from_person_id``; identity's
``may_act_for``). A gift needs identity to confirm a verified direct-relative link
(``are_direct_relatives``) unless the key was used already (a retry answers ``exists``
without asking identity again), and identity's ``person_standing`` says where the relative
lives: their account is opened (or moved) there, not in the giver's region. identity is asked
before the transaction opens: its answers are not the ledger's data. A frozen account (its
owner died, ``app/standing.py``) gives nothing.
"""
from __future__ import annotations

import datetime as dt

from timebank_common.caller import Caller
from timebank_common.db import UnitOfWorkFactory
from timebank_common.errors import Forbidden, NotFound, RuleViolation
from timebank_common.regions import city_unit_of

from ..adapters import accounts as repo
from ..adapters import moves as moves_repo
from ..adapters import transfers as stored
from ..adapters.identity import IdentityClient
from ..contracts.events import HOURS_GIVEN
from ..contracts.kinds import DONATION_POOL, GIFT_TO_RELATIVE, GRANT, PERSONAL, POST, POSTED
from ..domain.batch import Outcome
from ..domain.giving import check_funds, check_gift, giving_id
from ..domain.transfers import TransferRequest
from . import posting


def give(db: UnitOfWorkFactory, caller: Caller, data: dict, idempotency_key: str, *,
         identity: IdentityClient, now: dt.datetime) -> Outcome:
    """``gift_to_relative`` (to a verified direct relative, earned hours only) or
    ``donation`` (to the pool of the giver's city-level unit); the outcome is ``posted``, or
    ``exists`` for a repeated key. Refusals raise."""
    giver = data["from_person_id"] or caller.person_id
    if not giver:
        raise Forbidden("person_required", "只有个人用户可以赠送或捐赠时长",
                        "Only a person can give or donate hours")
    if giver != caller.person_id and not identity.may_act_for(caller.person_id, giver):
        raise Forbidden("not_your_account", "只能动用本人（或您代办的老人）的时间账户",
                        "You can only give from your own account (or an elder's you act for)",
                        {"from_person_id": giver})
    transfer_id = giving_id(data["kind"], giver, idempotency_key)
    receiver_region = None
    if data["kind"] == GIFT_TO_RELATIVE:
        with db() as uow:
            repeated = already_given(uow, transfer_id)
        if not repeated:
            related = bool(data["to_person_id"]) and data["to_person_id"] != giver and \
                identity.are_direct_relatives(giver, data["to_person_id"])
            check_gift(giver, data["to_person_id"], related)
            receiver_region = receiver_region_of(identity, data["to_person_id"])
    with db() as uow:
        outcome = post_gift(uow, transfer_id, data["kind"], giver, data["minutes"],
                            data["to_person_id"], data["note"], caller.person_id, now,
                            receiver_region)
        uow.commit()
    return outcome


def receiver_region_of(identity: IdentityClient, person_id: str) -> str:
    """The relative's region now (identity): their account belongs there, not the giver's."""
    standing = identity.standing([person_id]).get(person_id)
    if standing is None:  # linked as a relative, yet unknown: identity's answer is the rule
        raise NotFound("person_not_found", "找不到该人员", "No such person",
                       {"person_id": person_id})
    return standing["region_code"]


def follow_owner(uow, person_id: str, region_code: str, now: dt.datetime) -> None:
    """An account of the receiver somewhere else than identity places them now (opened in the
    giver's region before accounts followed their owners, or a move not yet told) moves to
    them first, recorded like any move: the gift lands where the receiver lives."""
    for account in moves_repo.lock_person_accounts(uow, person_id):
        if account.region_code != region_code:
            moves_repo.move_account(uow, account, person_id, region_code, now, None)


def already_given(uow, transfer_id: str) -> bool:
    return bool(stored.stored_transfers(uow, [transfer_id]))


def post_gift(uow, transfer_id: str, kind: str, giver_id: str, minutes: int,
              to_person_id: str | None, note: str | None, given_by: str | None,
              now: dt.datetime, receiver_region: str | None = None) -> Outcome:
    """Post the gift or donation (or answer ``exists`` for a repeated key); raise a refusal.
    A gift opens the receiver's account in ``receiver_region`` (their region now) when they
    have none yet; a repeat finds the account it opened."""
    held = repo.find_accounts(uow, [(PERSONAL, giver_id), (GRANT, giver_id)])
    personal, grant = held.get((PERSONAL, giver_id)), held.get((GRANT, giver_id))
    if personal is not None and personal.frozen and not already_given(uow, transfer_id):
        raise RuleViolation("account_frozen", "该时间账户已冻结，不能赠送或捐赠",
                            "This time account is frozen: nothing can be given from it",
                            {"from_person_id": giver_id})
    if not already_given(uow, transfer_id):
        check_funds(0 if personal is None else personal.balance_minutes - personal.debits_pending,
                    0 if grant is None else grant.balance_minutes - grant.debits_pending, minutes)
    assert personal is not None  # no earned hours is refused above; a repeat had them
    if kind == GIFT_TO_RELATIVE:
        assert to_person_id  # check_gift: named
        if receiver_region:
            follow_owner(uow, to_person_id, receiver_region, now)
        target = repo.open_accounts(
            uow, [(PERSONAL, receiver_region or personal.region_code, to_person_id)])[
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
    [outcome] = posting.create_transfers(uow, [request], now)
    outcome.raise_failure()
    if outcome.status == POSTED:  # a repeated key ("exists") announces nothing again
        uow.emit(HOURS_GIVEN, {
            "transfer_id": transfer_id, "kind": kind, "from_person_id": giver_id,
            "to_person_id": to_person_id if kind == GIFT_TO_RELATIVE else None,
            "pool_region_code": None if kind == GIFT_TO_RELATIVE else target.region_code,
            "minutes": minutes, "given_by": given_by}, personal.region_code)
    return outcome
