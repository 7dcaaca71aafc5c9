"""The batch path: apply a list of transfer requests in the caller's unit of work.

``create_transfers(uow, requests)``, with few round trips whatever the batch size:

1. read the reservations and originals the batch refers to (immutable rows);
2. lock every account the batch touches at once, in account-id order, ``FOR NO KEY
   UPDATE`` (one statement: the rows are locked in the sorted order, so two batches
   never deadlock; NO KEY because the new rows' foreign keys take KEY SHARE on them);
3. under those locks, read the transfers that already carry the batch's ids, how the
   reservations were closed and how much of the originals was reversed (every change
   to these takes the same account locks, so what is read here stays true);
4. run the pure rules (``domain/batch.py``) in memory;
5. bulk-insert the new transfers and entries, update each changed account once, add
   posted service credits to the yearly cap's running sums, and
   as the last step lock ``journal_head`` and append the batch's hash-chain links, so
   the chain's lock is held only for the commit.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from timebank_common.db import insert_rows
from timebank_common.errors import Conflict

from . import policy_repository
from .domain.batch import LedgerState, Outcome, process_batch
from .domain.journal import JournalLink, link
from .domain.policy import yearly_service_minutes
from .domain.transfers import (
    EXPIRE,
    PHASE_PENDING,
    Transfer,
    TransferRequest,
    derived_id,
)
from .repository import account_from_row, transfer_from_row
from .tables import accounts, entries, journal, journal_head, transfers


def create_transfers(uow, requests: list[TransferRequest],
                     now: dt.datetime | None = None) -> list[Outcome]:
    now = now or dt.datetime.now(dt.UTC)
    batch_ids = {r.transfer_id for r in requests if r.transfer_id}
    referred = {i for r in requests for i in (r.pending_id, r.reverses_id) if i}
    known = _transfers(uow, referred)
    account_ids = {a for r in requests for a in (r.debit_account_id, r.credit_account_id) if a}
    account_ids |= {a for t in known.values() for a in (t.debit_account_id, t.credit_account_id)}
    locked = lock_accounts(uow, account_ids)
    known.update(_transfers(uow, batch_ids))
    state = LedgerState(
        accounts={a.id: a.state() for a in locked}, now=now, transfers=known,
        resolved=_resolutions(uow, referred), reversed_minutes=_reversed(uow, referred))
    result = process_batch(requests, state)
    created = result.created
    if created:
        _insert_transfers(uow, [o.transfer for o in created])
        _insert_entries(uow, created)
        _update_accounts(uow, result.changed_accounts())
        policy_repository.add_yearly_service_minutes(
            uow, yearly_service_minutes(o.transfer for o in created))
        append_to_journal(uow, created)
    return result.outcomes


def lock_accounts(uow, account_ids) -> list:
    if not account_ids:
        return []
    rows = uow.execute(
        select(accounts).where(accounts.c.id.in_(sorted(account_ids)))
        .order_by(accounts.c.id)
        .with_for_update(key_share=True)  # renders FOR NO KEY UPDATE
    ).all()
    return [account_from_row(r) for r in rows]


def _transfers(uow, ids) -> dict[str, Transfer]:
    if not ids:
        return {}
    rows = uow.execute(select(transfers).where(transfers.c.id.in_(sorted(ids)))).all()
    return {r.id: transfer_from_row(r) for r in rows}


def _resolutions(uow, pending_ids) -> dict[str, str]:
    if not pending_ids:
        return {}
    rows = uow.execute(select(transfers.c.pending_id, transfers.c.phase)
                       .where(transfers.c.pending_id.in_(sorted(pending_ids)))).all()
    return {r.pending_id: r.phase for r in rows}


def _reversed(uow, original_ids) -> dict[str, int]:
    if not original_ids:
        return {}
    rows = uow.execute(select(transfers.c.reverses_id, func.sum(transfers.c.amount_minutes))
                       .where(transfers.c.reverses_id.in_(sorted(original_ids)))
                       .group_by(transfers.c.reverses_id)).all()
    return {r[0]: int(r[1]) for r in rows}


def _insert_transfers(uow, created: list[Transfer]) -> None:
    """Insert the new transfers. An id taken meanwhile by a concurrent batch with other
    accounts (so not serialised by our locks) refuses the whole batch: a retry then
    sees the stored transfer and answers ``exists`` or ``transfer_id_reused``."""
    try:
        insert_rows(uow, transfers, [
            {"id": t.transfer_id, "kind": t.kind, "phase": t.phase,
             "debit_account_id": t.debit_account_id, "credit_account_id": t.credit_account_id,
             "amount_minutes": t.amount_minutes, "pending_id": t.pending_id,
             "reverses_id": t.reverses_id, "timeout_seconds": t.timeout_seconds,
             "expires_at": t.expires_at, "memo": t.memo, "reference": t.reference or {},
             "reason": t.reason, "approver": t.approver, "created_at": t.created_at}
            for t in created])
    except IntegrityError as exc:
        if getattr(getattr(exc.orig, "diag", None), "constraint_name", None) != "transfers_pkey":
            raise
        raise Conflict("transfer_id_race", "转账编号刚被另一笔并发转账占用，请重试",
                       "A concurrent transfer just took one of these ids; retry the batch",
                       {"detail": getattr(exc.orig.diag, "message_detail", None)}) from None


def _insert_entries(uow, created: list[Outcome]) -> None:
    rows = [{"transfer_id": o.transfer_id, "account_id": e.account_id,
             "amount_minutes": e.amount_minutes, "balance_after": e.balance_after}
            for o in created for e in o.entries]
    if rows:
        insert_rows(uow, entries, rows)


_UPDATE_TOTALS = text("""
    UPDATE accounts SET debits_posted = v.dp, credits_posted = v.cp,
                        debits_pending = v.dq, credits_pending = v.cq
    FROM unnest(CAST(:ids AS uuid[]), CAST(:dp AS bigint[]), CAST(:cp AS bigint[]),
                CAST(:dq AS bigint[]), CAST(:cq AS bigint[])) AS v(id, dp, cp, dq, cq)
    WHERE accounts.id = v.id
""")


def _update_accounts(uow, changed) -> None:
    """Every changed account's totals in one statement (the rows are locked already)."""
    changed = list(changed)
    uow.execute(_UPDATE_TOTALS, {
        "ids": [str(a.id) for a in changed], "dp": [a.debits_posted for a in changed],
        "cp": [a.credits_posted for a in changed], "dq": [a.debits_pending for a in changed],
        "cq": [a.credits_pending for a in changed]})


def append_to_journal(uow, created: list[Outcome]) -> None:
    """Chain the batch's new transfers under one lock of ``journal_head`` (the last step)."""
    head = uow.execute(select(journal_head).where(journal_head.c.id == 1)
                       .with_for_update()).one()
    last = JournalLink(head.seq, "", "", head.hash) if head.seq else None
    rows = []
    for outcome in created:
        last = link(last, outcome.transfer,
                    [(e.account_id, e.amount_minutes) for e in outcome.entries])
        rows.append({"seq": last.seq, "transfer_id": last.transfer_id,
                     "prev_hash": last.prev_hash, "hash": last.hash})
    insert_rows(uow, journal, rows)
    uow.execute(update(journal_head).where(journal_head.c.id == 1)
                .values(seq=last.seq, hash=last.hash))


# --- expiry --------------------------------------------------------------------------------
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


def expire_reservations(uow, limit: int, now: dt.datetime | None = None) -> list[Outcome]:
    now = now or dt.datetime.now(dt.UTC)
    due = timed_out_reservations(uow, now, limit)
    if not due:
        return []
    return create_transfers(uow, [TransferRequest(derived_id(EXPIRE, p), EXPIRE, pending_id=p)
                                  for p in due], now)
