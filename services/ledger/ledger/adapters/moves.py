"""Accounts that follow their owner to another region (``account_moves``, migration 0009)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update

from ..domain.accounts import PERSON_ACCOUNT_KINDS
from .accounts import Account, account_from_row
from .tables import account_moves, accounts, grant_entitlements


@dataclass(frozen=True)
class AccountMove:
    account_id: str
    kind: str
    from_region_code: str
    to_region_code: str
    balance_minutes: int
    moved_at: dt.datetime


def lock_person_accounts(uow, person_id: str) -> list[Account]:
    """The person's accounts, locked as posting locks them (so a move and a transfer on the
    same account are serialised, and each transfer records the region it was written in)."""
    rows = uow.execute(
        select(accounts).where(accounts.c.owner_person_id == person_id,
                               accounts.c.kind.in_(PERSON_ACCOUNT_KINDS))
        .order_by(accounts.c.id).with_for_update(key_share=True)).all()
    return [account_from_row(r) for r in rows]


def move_account(uow, account: Account, person_id: str, to_region: str, moved_at: dt.datetime,
                 event_id: str | None) -> None:
    uow.execute(account_moves.insert().values(
        account_id=account.id, person_id=person_id, from_region_code=account.region_code,
        to_region_code=to_region, balance_minutes=account.balance_minutes, moved_at=moved_at,
        event_id=event_id))
    uow.execute(update(accounts).where(accounts.c.id == account.id)
                .values(region_code=to_region))


def move_entitlements(uow, person_id: str, to_region: str) -> None:
    """The elder's grants are paid by the unit they live in from now on."""
    uow.execute(update(grant_entitlements).where(grant_entitlements.c.person_id == person_id)
                .values(region_code=to_region))


def moves(uow, end: dt.datetime | None = None) -> list[AccountMove]:
    """Every move up to ``end`` (all when None), in the order they were made."""
    query = select(account_moves, accounts.c.kind).join(
        accounts, accounts.c.id == account_moves.c.account_id).order_by(account_moves.c.id)
    if end is not None:
        query = query.where(account_moves.c.moved_at < end)
    return [AccountMove(str(r.account_id), r.kind, r.from_region_code, r.to_region_code,
                        int(r.balance_minutes), r.moved_at) for r in uow.execute(query)]
