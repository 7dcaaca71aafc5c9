"""The accounts repository: open and find accounts, a person's accounts, statements.
Everything runs in the caller's unit of work (transfers: ``transfers.py``; checks:
``invariants.py``)."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.sql.elements import ColumnElement

from timebank_common.db import insert_rows, one_of
from timebank_common.errors import NotFound

from ..domain.accounts import PERSON_ACCOUNT_KINDS, REGION_ACCOUNT_KINDS, AccountState
from .tables import accounts, entries, transfers


@dataclass(frozen=True)
class Account:
    id: str
    kind: str
    owner_person_id: str | None
    region_code: str
    debits_posted: int = 0
    credits_posted: int = 0
    debits_pending: int = 0
    credits_pending: int = 0
    frozen: bool = False  # the owner died: nothing leaves it (app/standing.py)

    @property
    def balance_minutes(self) -> int:
        return self.credits_posted - self.debits_posted

    def state(self) -> AccountState:
        return AccountState(self.id, self.kind, self.debits_posted, self.credits_posted,
                            self.debits_pending, self.credits_pending)

    def view(self) -> dict:
        return {"account_id": self.id, "kind": self.kind, "owner_person_id": self.owner_person_id,
                "region_code": self.region_code, "debits_posted": self.debits_posted,
                "credits_posted": self.credits_posted, "debits_pending": self.debits_pending,
                "credits_pending": self.credits_pending, "balance_minutes": self.balance_minutes,
                "available_minutes": self.balance_minutes - self.debits_pending}


def account_from_row(row) -> Account:
    return Account(str(row.id), row.kind, row.owner_person_id, row.region_code,
                   int(row.debits_posted), int(row.credits_posted), int(row.debits_pending),
                   int(row.credits_pending), getattr(row, "frozen_at", None) is not None)


def utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.UTC) if value is not None else None


# --- accounts ------------------------------------------------------------------------------
def open_account(uow, kind: str, region_code: str, owner_person_id: str | None = None) -> Account:
    """The account of this kind for this person (or region), created if missing.

    Safe under concurrency: a second opener waits for the first insert and then
    finds its row. An existing account keeps its region (accounts are kept for life).
    """
    row = uow.execute(
        insert(accounts)
        .values(id=str(uuid.uuid4()), kind=kind, owner_person_id=owner_person_id,
                region_code=region_code)
        .on_conflict_do_nothing()
        .returning(*accounts.c)
    ).first()
    if row is not None:
        return account_from_row(row)
    query = select(accounts).where(accounts.c.kind == kind)
    if kind in PERSON_ACCOUNT_KINDS:
        query = query.where(accounts.c.owner_person_id == owner_person_id)
    elif kind in REGION_ACCOUNT_KINDS:
        query = query.where(accounts.c.region_code == region_code)
    return account_from_row(uow.execute(query).one())


def account_key(kind: str, region_code: str, owner_person_id: str | None = None) -> tuple:
    """What makes an account unique: its kind and owner (person kinds) or region."""
    return (kind, owner_person_id if kind in PERSON_ACCOUNT_KINDS else region_code)


def open_accounts(uow, wanted: list[tuple[str, str, str | None]]) -> dict[tuple, Account]:
    """``open_account`` for many ``(kind, region_code, owner_person_id)`` at once, keyed by
    ``account_key``: one query finds those that exist, one insert (in key order, so two
    transactions never wait on each other's new accounts in a cycle) adds the others."""
    specs = {account_key(*w): w for w in wanted}
    found = _accounts_by_key(uow, list(specs))
    missing = sorted(k for k in specs if k not in found)
    if missing:
        rows = insert_rows(uow, accounts, [
            {"id": str(uuid.uuid4()), "kind": specs[k][0], "region_code": specs[k][1],
             "owner_person_id": specs[k][2] if specs[k][0] in PERSON_ACCOUNT_KINDS else None}
            for k in missing], "ON CONFLICT DO NOTHING RETURNING *").all()
        for row in rows:
            account = account_from_row(row)
            found[account_key(account.kind, account.region_code, account.owner_person_id)] = account
        raced = [k for k in missing if k not in found]  # opened by another transaction meanwhile
        found.update(_accounts_by_key(uow, raced))
    return found


def find_accounts(uow, keys: list[tuple[str, str]]) -> dict[tuple, Account]:
    """The existing accounts among ``account_key``s (none is opened)."""
    return _accounts_by_key(uow, list(set(keys)))


def _accounts_by_key(uow, keys: list[tuple]) -> dict[tuple, Account]:
    owners = [owner for kind, owner in keys if kind in PERSON_ACCOUNT_KINDS]
    regions = [region for kind, region in keys if kind in REGION_ACCOUNT_KINDS]
    if not keys:
        return {}
    query = select(accounts).where(
        ((accounts.c.kind.in_(PERSON_ACCOUNT_KINDS)) & one_of(accounts.c.owner_person_id, owners))
        | ((accounts.c.kind.in_(REGION_ACCOUNT_KINDS)) & one_of(accounts.c.region_code, regions)))
    wanted, out = set(keys), {}
    for row in uow.execute(query):
        account = account_from_row(row)
        key = account_key(account.kind, account.region_code, account.owner_person_id)
        if key in wanted:
            out[key] = account
    return out


def get_account(uow, account_id: str) -> Account:
    row = uow.execute(select(accounts).where(accounts.c.id == account_id)).first()
    if row is None:
        raise NotFound("account_not_found", "账户不存在", "No such account",
                       {"account_id": account_id})
    return account_from_row(row)


# built once: the balance read (the gateway's hottest GET) spent ~5% of the ledger's CPU
# building this statement and expanding its IN list at every call; ``one_of`` sends the kinds
# as one array parameter, so the text never changes (the owner's index still selects)
_PERSON_ACCOUNTS = (
    select(accounts)
    .where(accounts.c.owner_person_id == bindparam("person_id"),
           one_of(accounts.c.kind, PERSON_ACCOUNT_KINDS))
    .order_by(accounts.c.kind)
)


def person_accounts(uow, person_id: str) -> list[Account]:
    rows = uow.execute(_PERSON_ACCOUNTS, {"person_id": person_id}).all()
    return [account_from_row(r) for r in rows]


# --- reading -------------------------------------------------------------------------------
def statement(uow, account_ids: list[str], since: dt.datetime | None, until: dt.datetime | None,
              page: int, page_size: int, kind: str | None = None) -> tuple[list[dict], int]:
    """Entries on these accounts, newest first (posting order), and how many there are;
    ``kind``: only transfers of that kind."""
    conditions: list[ColumnElement[bool]] = [entries.c.account_id.in_(account_ids)]
    if kind is not None:
        conditions.append(transfers.c.kind == kind)
    if since is not None:
        conditions.append(entries.c.created_at >= since)
    if until is not None:
        conditions.append(entries.c.created_at < until)
    total = uow.execute(select(func.count()).select_from(
        entries.join(transfers, transfers.c.id == entries.c.transfer_id)).where(*conditions)
    ).scalar()
    rows = uow.execute(
        select(entries.c.transfer_id, transfers.c.kind, entries.c.amount_minutes,
               entries.c.balance_after, transfers.c.memo, transfers.c.reference,
               entries.c.created_at, accounts.c.kind.label("account_kind"))
        .join(transfers, transfers.c.id == entries.c.transfer_id)
        .join(accounts, accounts.c.id == entries.c.account_id)
        .where(*conditions)
        .order_by(entries.c.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    items = [
        {"transfer_id": r.transfer_id, "kind": r.kind, "account_kind": r.account_kind,
         "amount_minutes": int(r.amount_minutes), "balance_after": int(r.balance_after),
         "memo": r.memo, "reference": r.reference or {}, "occurred_at": utc(r.created_at)}
        for r in rows
    ]
    return items, int(total)
