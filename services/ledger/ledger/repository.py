"""SQL of the ledger: opening accounts, posting transfers, statements, verification.

Everything runs in the caller's unit of work. Entries and transfers are only ever
inserted (the database also refuses UPDATE and DELETE on them); the one row that
changes is an account's cached balance, under a row lock, next to its new entry.
"""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from timebank_common.errors import NotFound

from .domain.kinds import PERSON_ACCOUNT_KINDS, REGION_ACCOUNT_KINDS
from .domain.transfers import (
    EXISTS,
    POSTED,
    EntryLine,
    Transfer,
    apply_transfer,
    check_repeat,
    validate_transfer,
)
from .tables import accounts, entries, transfers

MAX_REPORTED = 1000  # verification lists at most this many problems of each kind


@dataclass(frozen=True)
class Account:
    id: str
    kind: str
    owner_person_id: str | None
    region_code: str
    balance_minutes: int


@dataclass(frozen=True)
class PostResult:
    status: str  # "posted" or "exists"
    transfer: Transfer
    debit: EntryLine
    credit: EntryLine
    occurred_at: dt.datetime


def _account(row) -> Account:
    return Account(str(row.id), row.kind, row.owner_person_id, row.region_code,
                   int(row.balance_minutes))


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


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
        return _account(row)
    query = select(accounts).where(accounts.c.kind == kind)
    if kind in PERSON_ACCOUNT_KINDS:
        query = query.where(accounts.c.owner_person_id == owner_person_id)
    elif kind in REGION_ACCOUNT_KINDS:
        query = query.where(accounts.c.region_code == region_code)
    return _account(uow.execute(query).one())


def person_accounts(uow, person_id: str) -> list[Account]:
    rows = uow.execute(
        select(accounts)
        .where(accounts.c.owner_person_id == person_id,
               accounts.c.kind.in_(PERSON_ACCOUNT_KINDS))
        .order_by(accounts.c.kind)
    ).all()
    return [_account(r) for r in rows]


def _lock_account(uow, account_id: str) -> Account:
    row = uow.execute(  # key_share=True renders FOR NO KEY UPDATE (see post_transfer)
        select(accounts).where(accounts.c.id == account_id).with_for_update(key_share=True)
    ).first()
    if row is None:
        raise NotFound("account_not_found", "账户不存在", "No such account",
                       {"account_id": account_id})
    return _account(row)


# --- posting -------------------------------------------------------------------------------
def post_transfer(uow, transfer: Transfer) -> PostResult:
    """Post ``transfer`` in the caller's unit of work, or return the first result of its id.

    1. insert the transfer row (ON CONFLICT DO NOTHING on its id): a repeat stops here;
    2. lock both accounts in account-id order, so concurrent postings never deadlock. The
       lock is FOR NO KEY UPDATE: the foreign keys of step 1 hold FOR KEY SHARE on the
       same rows, which a plain FOR UPDATE would wait for (and deadlock with a twin);
    3. apply the double-entry rule, write two entries, update both cached balances.
    """
    validate_transfer(transfer)
    created = uow.execute(
        insert(transfers)
        .values(id=transfer.transfer_id, kind=transfer.kind,
                debit_account_id=transfer.debit_account_id,
                credit_account_id=transfer.credit_account_id,
                amount_minutes=transfer.amount_minutes, memo=transfer.memo,
                reference=transfer.reference)
        .on_conflict_do_nothing(index_elements=[transfers.c.id])
        .returning(transfers.c.created_at)
    ).first()
    if created is None:
        return _first_result(uow, transfer)

    locked = {aid: _lock_account(uow, aid)
              for aid in sorted((transfer.debit_account_id, transfer.credit_account_id))}
    debit, credit = locked[transfer.debit_account_id], locked[transfer.credit_account_id]
    posting = apply_transfer(debit.balance_minutes, credit.balance_minutes,
                             transfer.amount_minutes, debit.kind, credit.kind)
    uow.execute(insert(entries), [
        {"transfer_id": transfer.transfer_id, "account_id": debit.id,
         "amount_minutes": posting.debit.amount_minutes,
         "balance_after": posting.debit.balance_after},
        {"transfer_id": transfer.transfer_id, "account_id": credit.id,
         "amount_minutes": posting.credit.amount_minutes,
         "balance_after": posting.credit.balance_after},
    ])
    for account, line in ((debit, posting.debit), (credit, posting.credit)):
        uow.execute(update(accounts).where(accounts.c.id == account.id)
                    .values(balance_minutes=line.balance_after))
    return PostResult(POSTED, transfer, posting.debit, posting.credit, _utc(created.created_at))


def _first_result(uow, requested: Transfer) -> PostResult:
    row = uow.execute(select(transfers).where(transfers.c.id == requested.transfer_id)).one()
    stored = Transfer(row.id, row.kind, str(row.debit_account_id), str(row.credit_account_id),
                      int(row.amount_minutes), row.memo, row.reference or {})
    check_repeat(stored, requested)
    lines = {
        str(e.account_id): EntryLine(int(e.amount_minutes), int(e.balance_after))
        for e in uow.execute(select(entries).where(entries.c.transfer_id == stored.transfer_id))
    }
    return PostResult(EXISTS, stored, lines[stored.debit_account_id],
                      lines[stored.credit_account_id], _utc(row.created_at))


# --- reading -------------------------------------------------------------------------------
def statement(uow, account_ids: list[str], since: dt.datetime | None, until: dt.datetime | None,
              page: int, page_size: int) -> tuple[list[dict], int]:
    """Entries on these accounts, newest first (posting order), and how many there are."""
    conditions = [entries.c.account_id.in_(account_ids)]
    if since is not None:
        conditions.append(entries.c.created_at >= since)
    if until is not None:
        conditions.append(entries.c.created_at < until)
    total = uow.execute(select(func.count()).select_from(entries).where(*conditions)).scalar()
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
         "memo": r.memo, "reference": r.reference or {}, "occurred_at": _utc(r.created_at)}
        for r in rows
    ]
    return items, int(total)


# --- verification --------------------------------------------------------------------------
_MISMATCHED_ACCOUNTS = text("""
    SELECT a.id, a.kind, a.owner_person_id, a.region_code, a.balance_minutes AS cached,
           COALESCE(s.total, 0) AS from_entries
    FROM accounts a
    LEFT JOIN (SELECT account_id, SUM(amount_minutes) AS total
               FROM entries GROUP BY account_id) s ON s.account_id = a.id
    WHERE a.balance_minutes <> COALESCE(s.total, 0)
    ORDER BY a.id
    LIMIT :limit
""")

_UNBALANCED_TRANSFERS = text("""
    SELECT t.id, COUNT(e.id) AS entry_count, COALESCE(SUM(e.amount_minutes), 0) AS total
    FROM transfers t LEFT JOIN entries e ON e.transfer_id = t.id
    GROUP BY t.id
    HAVING COUNT(e.id) <> 2 OR COALESCE(SUM(e.amount_minutes), 0) <> 0
    ORDER BY t.id
    LIMIT :limit
""")


def verify_balances(uow) -> dict:
    """Check every cached balance against its entries, and the journal against zero.

    Runs in one REPEATABLE READ snapshot, so postings made meanwhile cannot show
    up as false mismatches.
    """
    uow.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
    checked = uow.execute(select(func.count()).select_from(accounts)).scalar()
    total = uow.execute(select(func.coalesce(func.sum(entries.c.amount_minutes), 0))).scalar()
    mismatches = [
        {"account_id": str(r.id), "kind": r.kind, "owner_person_id": r.owner_person_id,
         "region_code": r.region_code, "cached_minutes": int(r.cached),
         "entries_minutes": int(r.from_entries)}
        for r in uow.execute(_MISMATCHED_ACCOUNTS, {"limit": MAX_REPORTED})
    ]
    unbalanced = [
        {"transfer_id": r.id, "entry_count": int(r.entry_count), "sum_minutes": int(r.total)}
        for r in uow.execute(_UNBALANCED_TRANSFERS, {"limit": MAX_REPORTED})
    ]
    return {"accounts_checked": int(checked), "mismatches": mismatches,
            "unbalanced_transfers": unbalanced, "total_sum": int(total)}
