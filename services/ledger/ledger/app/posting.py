"""The batch path: apply a list of transfer requests in the caller's unit of work. Every use
case that moves hours goes through here (``create_transfers``), with few round trips
whatever the batch size:

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

The SQL is the repositories' (``adapters/transfers.py``, ``adapters/journal.py``,
``adapters/policies.py``); ``now`` is the instant every new transfer is created at.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from ..adapters import journal, policies
from ..adapters import transfers as repo
from ..contracts.kinds import EXPIRE
from ..domain.accounts import AccountState
from ..domain.batch import LedgerState, Outcome, process_batch
from ..domain.policy import yearly_service_minutes
from ..domain.transfers import TransferRequest, derived_id


def create_transfers(uow, requests: list[TransferRequest], now: dt.datetime) -> list[Outcome]:
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
            repo.insert_entries(uow, self.created, only=offsets.keys())
        journal.append_to_journal(uow, self.created)
        return self.outcomes


def prepare_transfers(uow, requests: list[TransferRequest], now: dt.datetime) -> PreparedBatch:
    batch_ids = {r.transfer_id for r in requests if r.transfer_id}
    referred = {i for r in requests for i in (r.pending_id, r.reverses_id) if i}
    known = repo.transfers_by_id(uow, referred)
    account_ids = {a for r in requests for a in (r.debit_account_id, r.credit_account_id) if a}
    account_ids |= {a for t in known.values() for a in (t.debit_account_id, t.credit_account_id)}
    locked = repo.lock_accounts(uow, account_ids)
    late_rows = repo.late_accounts(uow, account_ids)
    late = {a.id: a.state() for a in late_rows}
    regions = {a.id: a.region_code for a in [*locked, *late_rows]}
    known.update(repo.transfers_by_id(uow, batch_ids))
    state = LedgerState(
        accounts={**{a.id: a.state() for a in locked}, **{i: a.copy() for i, a in late.items()}},
        now=now, transfers=known,
        resolved=repo.resolutions(uow, referred),
        reversed_minutes=repo.reversed_minutes(uow, referred))
    result = process_batch(requests, state)
    created = result.created
    if created:
        repo.insert_transfers(uow, [o.stored for o in created], regions)
        repo.insert_entries(uow, created, skip=late.keys())
        repo.update_accounts(uow, [a for a in result.changed_accounts() if a.id not in late])
        policies.add_yearly_service_minutes(
            uow, yearly_service_minutes(o.stored for o in created))
    return PreparedBatch(result.outcomes, created, late, result.state)


def _post_late_accounts(uow, late: dict[str, AccountState], state: LedgerState
                        ) -> dict[str, int]:
    """Lock the issuance accounts the batch changed (id order), add its movements to their
    totals, and return, per account, what to add to the running balances computed from the
    unlocked read to make them true (what other batches posted meanwhile)."""
    changed = sorted(i for i, before in late.items()
                     if state.accounts[i].totals() != before.totals())
    if not changed:
        return {}
    deltas = {i: [after - before for after, before
                  in zip(state.accounts[i].totals(), late[i].totals(), strict=True)]
              for i in changed}
    balances = repo.lock_and_add_to_late_accounts(uow, deltas)
    return {i: balance - state.accounts[i].balance for i, balance in balances.items()}


def _with_offsets(outcome: Outcome, offsets: dict[str, int]) -> Outcome:
    if not any(e.account_id in offsets for e in outcome.entries):
        return outcome
    return replace(outcome, entries=tuple(
        replace(e, balance_after=e.balance_after + offsets[e.account_id])
        if e.account_id in offsets else e for e in outcome.entries))


# --- expiry --------------------------------------------------------------------------------
def expire_reservations(uow, limit: int, now: dt.datetime) -> list[Outcome]:
    """Close up to ``limit`` reservations whose timeout passed at ``now`` (transfer
    ``expire:<pending_id>``, so several sweepers agree on it)."""
    due = repo.timed_out_reservations(uow, now, limit)
    if not due:
        return []
    return create_transfers(uow, [TransferRequest(derived_id(EXPIRE, p), EXPIRE, pending_id=p)
                                  for p in due], now)
