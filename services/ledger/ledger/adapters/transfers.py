"""The transfers repository: stored transfers and entries, and the reads and writes of the
batch path (``ledger/app/posting.py``), in the caller's unit of work.

Locks: ``lock_accounts`` takes every account with a balance rule (all kinds but issuance)
``FOR NO KEY UPDATE`` in account-id order, in one statement (NO KEY because the new rows'
foreign keys take KEY SHARE on them); ``lock_and_add_to_late_accounts`` takes the issuance
accounts the same way, as the last step before the journal (see ``posting.py`` for why).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable

from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from timebank_common.db import insert_rows, one_of
from timebank_common.errors import Conflict

from ..contracts.kinds import PHASE_PENDING
from ..domain.accounts import MAY_GO_NEGATIVE, AccountState
from ..domain.batch import Outcome
from ..domain.transfers import Transfer, happened_in
from .accounts import Account, account_from_row, utc
from .tables import accounts, entries, transfers


def transfer_from_row(row) -> Transfer:
    return Transfer(
        transfer_id=row.id, kind=row.kind, debit_account_id=str(row.debit_account_id),
        credit_account_id=str(row.credit_account_id), amount_minutes=int(row.amount_minutes),
        memo=row.memo, reference=row.reference or {}, phase=row.phase,
        pending_id=row.pending_id, reverses_id=row.reverses_id,
        timeout_seconds=row.timeout_seconds, expires_at=utc(row.expires_at),
        reason=row.reason, approver=row.approver, created_at=utc(row.created_at),
        region_code=row.region_code)


def stored_transfers(uow, ids: list[str]) -> dict[str, Transfer]:
    rows = uow.execute(select(transfers).where(transfers.c.id.in_(ids))).all() if ids else []
    return {row.id: transfer_from_row(row) for row in rows}


def transfers_of_reference(uow, key: str, value: str, kind: str) -> list[Transfer]:
    """Transfers of a kind whose reference has ``key = value`` (e.g. an allocation id)."""
    rows = uow.execute(select(transfers).where(
        transfers.c.kind == kind, transfers.c.reference[key].astext == value)
        .order_by(transfers.c.created_at, transfers.c.id)).all()
    return [transfer_from_row(r) for r in rows]


# --- the batch path: reads ---------------------------------------------------------------
def lock_accounts(uow, account_ids: Collection[str]) -> list[Account]:
    """Lock the accounts that have a balance rule (every kind but issuance), in id order."""
    if not account_ids:
        return []
    rows = uow.execute(
        select(accounts).where(one_of(accounts.c.id, sorted(account_ids)),
                               accounts.c.kind.not_in(MAY_GO_NEGATIVE))
        .order_by(accounts.c.id)
        .with_for_update(key_share=True)  # renders FOR NO KEY UPDATE
    ).all()
    return [account_from_row(r) for r in rows]


def late_accounts(uow, account_ids: Collection[str]) -> list[Account]:
    """The issuance accounts among these, read without a lock (locked at the end)."""
    if not account_ids:
        return []
    rows = uow.execute(select(accounts).where(one_of(accounts.c.id, sorted(account_ids)),
                                              accounts.c.kind.in_(MAY_GO_NEGATIVE))).all()
    return [account_from_row(r) for r in rows]


def transfers_by_id(uow, ids: Collection[str]) -> dict[str, Transfer]:
    if not ids:
        return {}
    rows = uow.execute(select(transfers).where(one_of(transfers.c.id, sorted(ids)))).all()
    return {r.id: transfer_from_row(r) for r in rows}


def resolutions(uow, pending_ids: Collection[str]) -> dict[str, str]:
    """How each of these reservations was closed (the closing phase), if it was."""
    if not pending_ids:
        return {}
    rows = uow.execute(select(transfers.c.pending_id, transfers.c.phase)
                       .where(one_of(transfers.c.pending_id, sorted(pending_ids)))).all()
    return {r.pending_id: r.phase for r in rows}


def reversed_minutes(uow, original_ids: Collection[str]) -> dict[str, int]:
    """Minutes reversed so far of each of these transfers."""
    if not original_ids:
        return {}
    rows = uow.execute(select(transfers.c.reverses_id, func.sum(transfers.c.amount_minutes))
                       .where(one_of(transfers.c.reverses_id, sorted(original_ids)))
                       .group_by(transfers.c.reverses_id)).all()
    return {r[0]: int(r[1]) for r in rows}


def timed_out_reservations(uow, now: dt.datetime, limit: int) -> list[str]:
    closing = transfers.alias("closing")
    rows = uow.execute(
        select(transfers.c.id)
        .where(transfers.c.phase == PHASE_PENDING, transfers.c.expires_at <= now,
               ~select(closing.c.id).where(closing.c.pending_id == transfers.c.id).exists())
        .order_by(transfers.c.expires_at)
        .limit(limit)
    ).all()
    return [r.id for r in rows]


# --- the batch path: writes --------------------------------------------------------------
def insert_transfers(uow, created: list[Transfer], regions: dict[str, str]) -> None:
    """Insert the new transfers, each with its accounts' regions now (``regions``: account id
    -> region code) and where it happened (the transfer's ``region_code``, else the debit
    account's region). An id taken meanwhile by a concurrent batch with other
    accounts (so not serialised by our locks) refuses the whole batch: a retry then
    sees the stored transfer and answers ``exists`` or ``transfer_id_reused``."""
    try:
        insert_rows(uow, transfers, [
            {"id": t.transfer_id, "kind": t.kind, "phase": t.phase,
             "debit_account_id": t.debit_account_id, "credit_account_id": t.credit_account_id,
             "amount_minutes": t.amount_minutes, "pending_id": t.pending_id,
             "reverses_id": t.reverses_id, "timeout_seconds": t.timeout_seconds,
             "expires_at": t.expires_at, "memo": t.memo, "reference": t.reference or {},
             "reason": t.reason, "approver": t.approver, "created_at": t.created_at,
             "region_code": happened_in(t, regions[t.debit_account_id],
                                        regions[t.credit_account_id]),
             "debit_region_code": regions[t.debit_account_id],
             "credit_region_code": regions[t.credit_account_id]}
            for t in created])
    except IntegrityError as exc:
        diag = getattr(exc.orig, "diag", None)
        if getattr(diag, "constraint_name", None) != "transfers_pkey":
            raise
        raise Conflict("transfer_id_race", "转账编号刚被另一笔并发转账占用，请重试",
                       "A concurrent transfer just took one of these ids; retry the batch",
                       {"detail": getattr(diag, "message_detail", None)}) from None


def insert_entries(uow, created: list[Outcome], skip: Collection[str] = (),
                   only: Collection[str] | None = None) -> None:
    """The entries of these outcomes, except those of accounts in ``skip`` (or only those
    of accounts in ``only``)."""
    rows = [{"transfer_id": o.transfer_id, "account_id": e.account_id,
             "amount_minutes": e.amount_minutes, "balance_after": e.balance_after}
            for o in created for e in o.entries
            if e.account_id not in skip and (only is None or e.account_id in only)]
    if rows:
        insert_rows(uow, entries, rows)


_UPDATE_TOTALS = text("""
    UPDATE accounts SET debits_posted = v.dp, credits_posted = v.cp,
                        debits_pending = v.dq, credits_pending = v.cq
    FROM unnest(CAST(:ids AS uuid[]), CAST(:dp AS bigint[]), CAST(:cp AS bigint[]),
                CAST(:dq AS bigint[]), CAST(:cq AS bigint[])) AS v(id, dp, cp, dq, cq)
    WHERE accounts.id = v.id
""")


def update_accounts(uow, changed: Iterable[AccountState]) -> None:
    """Every changed account's totals in one statement (the rows are locked already)."""
    changed = list(changed)
    if not changed:
        return
    uow.execute(_UPDATE_TOTALS, {
        "ids": [str(a.id) for a in changed], "dp": [a.debits_posted for a in changed],
        "cp": [a.credits_posted for a in changed], "dq": [a.debits_pending for a in changed],
        "cq": [a.credits_pending for a in changed]})


_ADD_TOTALS = text("""
    UPDATE accounts SET debits_posted = debits_posted + v.dp,
                        credits_posted = credits_posted + v.cp,
                        debits_pending = debits_pending + v.dq,
                        credits_pending = credits_pending + v.cq
    FROM unnest(CAST(:ids AS uuid[]), CAST(:dp AS bigint[]), CAST(:cp AS bigint[]),
                CAST(:dq AS bigint[]), CAST(:cq AS bigint[])) AS v(id, dp, cp, dq, cq)
    WHERE accounts.id = v.id
    RETURNING accounts.id, accounts.credits_posted - accounts.debits_posted AS balance
""")


def lock_and_add_to_late_accounts(uow, deltas: dict[str, list[int]]) -> dict[str, int]:
    """Lock these issuance accounts (id order), add the batch's movements to their totals
    (``deltas``: id -> [debits_posted, credits_posted, debits_pending, credits_pending]) and
    return each one's posted balance now."""
    changed = sorted(deltas)
    uow.execute(select(accounts.c.id).where(accounts.c.id.in_(changed))
                .order_by(accounts.c.id).with_for_update(key_share=True))
    rows = uow.execute(_ADD_TOTALS, {
        "ids": changed, "dp": [deltas[i][0] for i in changed],
        "cp": [deltas[i][1] for i in changed], "dq": [deltas[i][2] for i in changed],
        "cq": [deltas[i][3] for i in changed]}).all()
    return {str(r.id): int(r.balance) for r in rows}
