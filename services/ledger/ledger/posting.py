"""The batch path: apply a list of transfer requests in the caller's unit of work.

``create_transfers(uow, requests)``, with few round trips whatever the batch size:

1. read the reservations and originals the batch refers to (immutable rows);
2. lock every account the batch touches that has a balance rule (all kinds but issuance),
   in account-id order, ``FOR NO KEY UPDATE`` (one statement: the rows are locked in the
   sorted order, so two batches never deadlock; NO KEY because the new rows' foreign keys
   take KEY SHARE on them); read the issuance accounts without a lock;
3. under those locks, read the transfers that already carry the batch's ids, how the
   reservations were closed and how much of the originals was reversed (every change
   to these takes the same account locks, so what is read here stays true);
4. run the pure rules (``domain/batch.py``) in memory;
5. bulk-insert the new transfers and the locked accounts' entries, update those accounts
   once each, add posted service credits to the yearly cap's running sums;
6. ``finish``: lock the issuance accounts (id order), add the batch's movements to their
   totals, insert their entries with the true running balances, and as the last step lock
   ``journal_head`` and append the batch's hash-chain links.

Why issuance accounts come last: every service credit of a city debits the same issuance
account, so whoever locks it serialises every other batch of that city until commit. No
rule reads its balance (it is the one kind allowed below zero), so the batch is decided
without it and the lock is taken only for the short tail before commit. The order is the
same in every transaction (rule accounts, then issuance accounts, then the journal), so
no two batches wait on each other in a cycle. ``prepare_transfers`` stops before step 6,
so a caller can do its own work (events, milestones) before the hot locks are taken.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from timebank_common.db import insert_rows, one_of
from timebank_common.errors import Conflict

from . import policy_repository
from .domain.accounts import AccountState
from .domain.batch import LedgerState, Outcome, process_batch
from .domain.journal import JournalLink, link
from .domain.kinds import MAY_GO_NEGATIVE
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
    return prepare_transfers(uow, requests, now).finish(uow)


@dataclass
class PreparedBatch:
    """A batch decided and written except for its issuance accounts and the journal."""

    outcomes: list[Outcome]
    created: list[Outcome]
    late: dict[str, AccountState]  # issuance accounts as read (unlocked), by id
    state: LedgerState  # after the batch

    def finish(self, uow) -> list[Outcome]:
        """Step 6: the issuance accounts and the journal. Returns every outcome, with the
        issuance entries' true balances."""
        if not self.created:
            return self.outcomes
        offsets = _post_late_accounts(uow, self.late, self.state)
        if offsets:
            self.outcomes = [_with_offsets(o, offsets) for o in self.outcomes]
            self.created = [_with_offsets(o, offsets) for o in self.created]
            _insert_entries(uow, self.created, only=offsets.keys())
        append_to_journal(uow, self.created)
        return self.outcomes


def prepare_transfers(uow, requests: list[TransferRequest],
                      now: dt.datetime | None = None) -> PreparedBatch:
    now = now or dt.datetime.now(dt.UTC)
    batch_ids = {r.transfer_id for r in requests if r.transfer_id}
    referred = {i for r in requests for i in (r.pending_id, r.reverses_id) if i}
    known = _transfers(uow, referred)
    account_ids = {a for r in requests for a in (r.debit_account_id, r.credit_account_id) if a}
    account_ids |= {a for t in known.values() for a in (t.debit_account_id, t.credit_account_id)}
    locked = lock_accounts(uow, account_ids)
    late = {a.id: a.state() for a in _late_accounts(uow, account_ids)}
    known.update(_transfers(uow, batch_ids))
    state = LedgerState(
        accounts={**{a.id: a.state() for a in locked}, **{i: a.copy() for i, a in late.items()}},
        now=now, transfers=known,
        resolved=_resolutions(uow, referred), reversed_minutes=_reversed(uow, referred))
    result = process_batch(requests, state)
    created = result.created
    if created:
        _insert_transfers(uow, [o.transfer for o in created])
        _insert_entries(uow, created, skip=late.keys())
        _update_accounts(uow, [a for a in result.changed_accounts() if a.id not in late])
        policy_repository.add_yearly_service_minutes(
            uow, yearly_service_minutes(o.transfer for o in created))
    return PreparedBatch(result.outcomes, created, late, result.state)


def lock_accounts(uow, account_ids) -> list:
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


def _late_accounts(uow, account_ids) -> list:
    """The issuance accounts among these, read without a lock (``finish`` locks them)."""
    if not account_ids:
        return []
    rows = uow.execute(select(accounts).where(one_of(accounts.c.id, sorted(account_ids)),
                                              accounts.c.kind.in_(MAY_GO_NEGATIVE))).all()
    return [account_from_row(r) for r in rows]


def _transfers(uow, ids) -> dict[str, Transfer]:
    if not ids:
        return {}
    rows = uow.execute(select(transfers).where(one_of(transfers.c.id, sorted(ids)))).all()
    return {r.id: transfer_from_row(r) for r in rows}


def _resolutions(uow, pending_ids) -> dict[str, str]:
    if not pending_ids:
        return {}
    rows = uow.execute(select(transfers.c.pending_id, transfers.c.phase)
                       .where(one_of(transfers.c.pending_id, sorted(pending_ids)))).all()
    return {r.pending_id: r.phase for r in rows}


def _reversed(uow, original_ids) -> dict[str, int]:
    if not original_ids:
        return {}
    rows = uow.execute(select(transfers.c.reverses_id, func.sum(transfers.c.amount_minutes))
                       .where(one_of(transfers.c.reverses_id, sorted(original_ids)))
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


def _insert_entries(uow, created: list[Outcome], skip=(), only=None) -> None:
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


def _update_accounts(uow, changed) -> None:
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


def _post_late_accounts(uow, late: dict[str, AccountState], state: LedgerState) -> dict:
    """Lock the issuance accounts the batch changed (id order), add its movements to their
    totals, and return, per account, what to add to the running balances computed from the
    unlocked read to make them true (what other batches posted meanwhile)."""
    changed = sorted(i for i, before in late.items()
                     if state.accounts[i].totals() != before.totals())
    if not changed:
        return {}
    uow.execute(select(accounts.c.id).where(accounts.c.id.in_(changed))
                .order_by(accounts.c.id).with_for_update(key_share=True))
    deltas = {i: [after - before for after, before
                  in zip(state.accounts[i].totals(), late[i].totals(), strict=True)]
              for i in changed}
    rows = uow.execute(_ADD_TOTALS, {
        "ids": changed, "dp": [deltas[i][0] for i in changed],
        "cp": [deltas[i][1] for i in changed], "dq": [deltas[i][2] for i in changed],
        "cq": [deltas[i][3] for i in changed]}).all()
    return {str(r.id): int(r.balance) - state.accounts[str(r.id)].balance for r in rows}


def _with_offsets(outcome: Outcome, offsets: dict[str, int]) -> Outcome:
    if not any(e.account_id in offsets for e in outcome.entries):
        return outcome
    return replace(outcome, entries=tuple(
        replace(e, balance_after=e.balance_after + offsets[e.account_id])
        if e.account_id in offsets else e for e in outcome.entries))


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
