"""Processing a batch of transfer requests in memory (TigerBeetle semantics, no I/O).

``process_batch(requests, state)`` takes each request in order and gives each its
own ``Outcome``: ``posted``, ``pending``, ``voided``, ``expired``, ``exists``, or
``failed`` with an error code. A run of requests flagged ``linked`` (the chain
ends at the first request without the flag) succeeds or fails as one: when a
member fails, the state goes back to where the chain began, the failing request
keeps its code and every other member gets ``linked_event_failed``. A chain still
open at the end of the batch fails with ``linked_event_chain_open``.

The repository loads a ``LedgerState`` with everything the batch touches (accounts
locked, transfers with the batch's ids, the reservations and originals it refers
to), runs this, and writes what ``BatchResult`` lists. Nothing is written for a
failed request, so no savepoint is needed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from timebank_common.errors import Conflict, DomainError, NotFound, RuleViolation

from ..contracts.kinds import (
    EXISTS,
    EXPIRE,
    FAILED,
    PENDING,
    PHASE_EXPIRED,
    PHASE_PENDING,
    PHASE_POST_PENDING,
    PHASE_VOID_PENDING,
    POST,
    POST_PENDING,
    REVERSAL,
    REVERSE,
)
from .accounts import AccountState, require_can_credit, require_can_debit
from .display import minutes_en, minutes_zh
from .transfers import (
    PHASE_OF_ACTION,
    STATUS_OF_PHASE,
    Transfer,
    TransferRequest,
    check_repeat,
    validate_request,
)

LINKED_EVENT_FAILED = "linked_event_failed"
LINKED_EVENT_CHAIN_OPEN = "linked_event_chain_open"


@dataclass(frozen=True)
class EntryLine:
    """One side of a posted movement: signed amount, the account's balance after it."""

    account_id: str
    amount_minutes: int
    balance_after: int


@dataclass(frozen=True)
class Outcome:
    transfer_id: str
    status: str
    transfer: Transfer | None = None  # the new transfer, or the stored one for ``exists``
    entries: tuple[EntryLine, ...] = ()
    error: DomainError | None = None

    @property
    def code(self) -> str | None:
        return self.error.code if self.error else None

    def raise_failure(self) -> None:
        """Raise the refusal of a failed outcome (nothing for any other)."""
        if self.error is not None:
            raise self.error

    @property
    def stored(self) -> Transfer:
        """The transfer of an outcome that did not fail: the new one, or the stored one for
        ``exists``."""
        if self.transfer is None:
            raise ValueError(f"{self.transfer_id}: a failed outcome has no transfer")
        return self.transfer


@dataclass
class LedgerState:
    """What a batch may read and change. ``transfers`` holds stored transfers with the
    batch's ids and those it refers to; ``resolved`` maps a reservation's id to the phase
    that closed it; ``reversed_minutes`` maps an original's id to minutes reversed so far."""

    accounts: dict[str, AccountState]
    now: dt.datetime
    transfers: dict[str, Transfer] = field(default_factory=dict)
    resolved: dict[str, str] = field(default_factory=dict)
    reversed_minutes: dict[str, int] = field(default_factory=dict)

    def snapshot(self) -> LedgerState:
        return LedgerState({k: a.copy() for k, a in self.accounts.items()}, self.now,
                           dict(self.transfers), dict(self.resolved),
                           dict(self.reversed_minutes))


@dataclass
class BatchResult:
    outcomes: list[Outcome]
    state: LedgerState

    @property
    def created(self) -> list[Outcome]:
        """Outcomes that wrote a new transfer, in batch order."""
        return [o for o in self.outcomes if o.status not in (EXISTS, FAILED)]

    def changed_accounts(self) -> list[AccountState]:
        ids = sorted({aid for o in self.created if o.transfer is not None
                      for aid in (o.transfer.debit_account_id, o.transfer.credit_account_id)})
        return [self.state.accounts[i] for i in ids]


def process_batch(requests: list[TransferRequest], state: LedgerState) -> BatchResult:
    outcomes: list[Outcome] = []
    first = 0
    while first < len(requests):
        last = _chain_end(requests, first)
        if last == first and not requests[first].linked:
            outcomes.append(_try(requests[first], state))
            first += 1
            continue
        saved = state.snapshot()
        chain, failed_at = [], None
        for index in range(first, last + 1):
            chain.append(_try(requests[index], state))
            if chain[-1].status == FAILED:
                failed_at = index
                break
        if failed_at is None and requests[last].linked:
            failed_at = last
            chain[-1] = Outcome(requests[last].transfer_id, FAILED, error=Conflict(
                LINKED_EVENT_CHAIN_OPEN, "关联转账链在批次末尾仍未结束",
                "The linked chain is still open at the end of the batch"))
        if failed_at is not None:
            state = saved
            chain = [chain[failed_at - first] if index == failed_at
                     else _linked_failure(requests[index], requests[failed_at])
                     for index in range(first, last + 1)]
        outcomes.extend(chain)
        first = last + 1
    return BatchResult(outcomes, state)


def _chain_end(requests: list[TransferRequest], first: int) -> int:
    """Index of the last member of the chain that starts at ``first`` (itself if unlinked)."""
    last = first
    while last < len(requests) - 1 and requests[last].linked:
        last += 1
    return last


def _linked_failure(request: TransferRequest, failed: TransferRequest) -> Outcome:
    return Outcome(request.transfer_id, FAILED, error=Conflict(
        LINKED_EVENT_FAILED, "同一关联链中的另一笔转账失败，本笔未执行",
        "Another transfer of the same linked chain failed, so this one was not applied",
        {"failed_transfer_id": failed.transfer_id}))


def _try(request: TransferRequest, state: LedgerState) -> Outcome:
    try:
        return _apply(request, state)
    except DomainError as err:
        return Outcome(request.transfer_id, FAILED, error=err)


def _apply(request: TransferRequest, state: LedgerState) -> Outcome:
    validate_request(request)
    stored = state.transfers.get(request.transfer_id)
    if stored is not None:
        check_repeat(stored, request)
        return Outcome(request.transfer_id, EXISTS, stored)
    if request.action in (POST, PENDING):
        kind, debit_id, credit_id = request.kind, request.debit_account_id, request.credit_account_id
        amount = request.amount_minutes
        assert kind and debit_id and credit_id and amount  # validate_request: all given
        transfer = _new(request, kind, debit_id, credit_id, amount, state)
        if request.action == POST:
            return _post(transfer, state)
        return _reserve(transfer, state)
    if request.action == REVERSE:
        return _reverse(request, state)
    return _resolve(request, state)


def _new(request: TransferRequest, kind: str, debit_id: str, credit_id: str, amount: int,
         state: LedgerState, **extra: Any) -> Transfer:
    expires_at = None
    if request.action == PENDING and request.timeout_seconds is not None:  # validated: set
        expires_at = state.now + dt.timedelta(seconds=request.timeout_seconds)
    return Transfer(
        transfer_id=request.transfer_id, kind=kind, debit_account_id=debit_id,
        credit_account_id=credit_id, amount_minutes=amount, memo=request.memo,
        reference=dict(request.reference or {}), phase=PHASE_OF_ACTION[request.action],
        timeout_seconds=request.timeout_seconds if request.action == PENDING else None,
        expires_at=expires_at, created_at=state.now,
        region_code=extra.pop("region_code", None) or request.region_code, **extra)


def _account(state: LedgerState, account_id: str) -> AccountState:
    account = state.accounts.get(account_id)
    if account is None:
        raise NotFound("account_not_found", "账户不存在", "No such account",
                       {"account_id": account_id})
    return account


def _post(transfer: Transfer, state: LedgerState) -> Outcome:
    debit = _account(state, transfer.debit_account_id)
    credit = _account(state, transfer.credit_account_id)
    require_can_credit(credit, transfer.kind)
    require_can_debit(debit, transfer.amount_minutes)
    debit.debits_posted += transfer.amount_minutes
    credit.credits_posted += transfer.amount_minutes
    state.transfers[transfer.transfer_id] = transfer
    return Outcome(transfer.transfer_id, STATUS_OF_PHASE[transfer.phase], transfer,
                   _entries(transfer, debit, credit))


def _entries(transfer: Transfer, debit: AccountState, credit: AccountState
             ) -> tuple[EntryLine, EntryLine]:
    return (EntryLine(debit.id, -transfer.amount_minutes, debit.balance),
            EntryLine(credit.id, transfer.amount_minutes, credit.balance))


def _reserve(transfer: Transfer, state: LedgerState) -> Outcome:
    debit = _account(state, transfer.debit_account_id)
    credit = _account(state, transfer.credit_account_id)
    require_can_credit(credit, transfer.kind)
    require_can_debit(debit, transfer.amount_minutes)
    debit.debits_pending += transfer.amount_minutes
    credit.credits_pending += transfer.amount_minutes
    state.transfers[transfer.transfer_id] = transfer
    return Outcome(transfer.transfer_id, STATUS_OF_PHASE[transfer.phase], transfer)


_CLOSED = {
    PHASE_POST_PENDING: ("pending_already_posted", "该预留已入账", "This reservation was already posted"),
    PHASE_VOID_PENDING: ("pending_already_voided", "该预留已取消", "This reservation was already voided"),
    PHASE_EXPIRED: ("pending_expired", "该预留已过期", "This reservation has expired"),
}


def _open_reservation(request: TransferRequest, state: LedgerState) -> Transfer:
    assert request.pending_id  # validate_request: given for post, void and expire
    pending = state.transfers.get(request.pending_id)
    if pending is None or pending.phase != PHASE_PENDING:
        raise NotFound("pending_not_found", "找不到该预留", "No such reservation",
                       {"pending_id": request.pending_id})
    assert pending.expires_at is not None  # a reservation always has its timeout
    closed_by = state.resolved.get(pending.transfer_id)
    if closed_by is not None:
        code, zh, en = _CLOSED[closed_by]
        raise Conflict(code, zh, en, {"pending_id": pending.transfer_id})
    timed_out = state.now >= pending.expires_at
    if request.action == EXPIRE and not timed_out:
        raise Conflict("pending_not_expired", "该预留尚未到期", "This reservation has not timed out yet",
                       {"pending_id": pending.transfer_id,
                        "expires_at": pending.expires_at.isoformat()})
    if request.action != EXPIRE and timed_out:
        code, zh, en = _CLOSED[PHASE_EXPIRED]
        raise Conflict(code, zh, en, {"pending_id": pending.transfer_id,
                                      "expires_at": pending.expires_at.isoformat()})
    if request.kind is not None and request.kind != pending.kind:
        raise BadPendingMatch("kind", request.kind, pending.kind)
    for side in ("debit_account_id", "credit_account_id"):
        if getattr(request, side) is not None and getattr(request, side) != getattr(pending, side):
            raise BadPendingMatch(side, getattr(request, side), getattr(pending, side))
    return pending


class BadPendingMatch(RuleViolation):
    def __init__(self, name: str, given: object, reserved: object):
        super().__init__("pending_mismatch", "与预留的内容不一致",
                         "This does not match the reservation",
                         {"field": name, "given": given, "reserved": reserved})


def _resolve(request: TransferRequest, state: LedgerState) -> Outcome:
    pending = _open_reservation(request, state)
    reserved = pending.amount_minutes
    amount = reserved
    if request.action == POST_PENDING and request.amount_minutes is not None:
        amount = request.amount_minutes
        if amount > reserved:
            raise RuleViolation(
                "amount_exceeds_pending",
                f"入账时长 {minutes_zh(amount)} 超过预留的 {minutes_zh(reserved)}",
                f"{minutes_en(amount)} is more than the {minutes_en(reserved)} reserved",
                {"amount_minutes": amount, "reserved_minutes": reserved})
    transfer = _new(request, pending.kind, pending.debit_account_id, pending.credit_account_id,
                    amount, state, pending_id=pending.transfer_id,
                    region_code=request.region_code or pending.region_code)
    debit = _account(state, pending.debit_account_id)
    credit = _account(state, pending.credit_account_id)
    debit.debits_pending -= reserved
    credit.credits_pending -= reserved
    state.resolved[pending.transfer_id] = transfer.phase
    state.transfers[transfer.transfer_id] = transfer
    if transfer.phase != PHASE_POST_PENDING:
        return Outcome(transfer.transfer_id, STATUS_OF_PHASE[transfer.phase], transfer)
    debit.debits_posted += amount  # within what was reserved: the rules held at reserve time
    credit.credits_posted += amount
    return Outcome(transfer.transfer_id, STATUS_OF_PHASE[transfer.phase], transfer,
                   _entries(transfer, debit, credit))


def _reverse(request: TransferRequest, state: LedgerState) -> Outcome:
    assert request.reverses_id and request.reason and request.approver  # validate_request
    original = state.transfers.get(request.reverses_id)
    if original is None or not original.has_entries:
        raise NotFound("transfer_not_found", "找不到可冲正的已入账转账",
                       "No posted transfer with this id to reverse",
                       {"reverses_id": request.reverses_id})
    if original.kind == REVERSAL:
        raise RuleViolation("reversal_of_reversal", "冲正记录不能再冲正",
                            "A reversal cannot itself be reversed; post a new transfer",
                            {"reverses_id": original.transfer_id})
    remaining = original.amount_minutes - state.reversed_minutes.get(original.transfer_id, 0)
    amount = remaining if request.amount_minutes is None else request.amount_minutes
    if remaining <= 0 or amount > remaining:
        raise RuleViolation(
            "reversal_exceeds_remaining",
            f"冲正时长超过尚未冲正的 {minutes_zh(remaining)}",
            f"The reversal is more than the {minutes_en(remaining)} not yet reversed",
            {"reverses_id": original.transfer_id, "remaining_minutes": remaining,
             "amount_minutes": amount})
    transfer = replace(
        _new(request, REVERSAL, original.credit_account_id, original.debit_account_id, amount,
             state, reverses_id=original.transfer_id, region_code=original.region_code),
        reason=request.reason.strip(), approver=request.approver.strip())
    outcome = _post(transfer, state)
    state.reversed_minutes[original.transfer_id] = \
        state.reversed_minutes.get(original.transfer_id, 0) + amount
    return outcome

