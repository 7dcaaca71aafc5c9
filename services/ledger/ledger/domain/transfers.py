"""Transfers: what a caller asks for (``TransferRequest``) and what is stored (``Transfer``).

A caller chooses each transfer's id. ``action`` says what the request does
(TigerBeetle's flags, spelled out):

* ``post`` — move ``amount_minutes`` from the debit to the credit account now
  (two entries);
* ``pending`` — reserve it for ``timeout_seconds`` (the amount goes into the
  accounts' pending totals, no entries yet);
* ``post_pending`` — post a reservation (``pending_id``) with ``amount_minutes`` up
  to the reserved amount (the whole of it when omitted); the rest is released;
* ``void_pending`` — release a reservation; ``expire`` — the same, done by the
  sweep once the reservation timed out (internal);
* ``reverse`` — a ``reversal`` transfer mirroring a posted one (``reverses_id``),
  for at most what remains unreversed, with ``reason`` and ``approver``.

Every request that succeeds becomes one immutable ``transfers`` row (``phase`` =
``posted``, ``pending``, ``post_pending``, ``void_pending`` or ``expired``).
Repeating an id with the same content is answered ``exists`` with the first
result; with other content it is refused (``transfer_id_reused``).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from timebank_common.errors import BadInput, Conflict

from ..contracts.kinds import (
    ACTIONS,
    CALLER_ACTIONS,
    EXISTS,
    EXPIRE,
    EXPIRED,
    GRANT_TRANSFER,
    MAX_TIMEOUT_SECONDS,
    MAX_TRANSFER_ID_LENGTH,
    PENDING,
    PHASE_EXPIRED,
    PHASE_PENDING,
    PHASE_POST_PENDING,
    PHASE_POSTED,
    PHASE_VOID_PENDING,
    POOL_ALLOCATION,
    POST,
    POST_PENDING,
    POSTED,
    RESERVED,
    REVERSAL,
    REVERSE,
    TRANSFER_KINDS,
    VOID_PENDING,
    VOIDED,
)

# the names of actions, phases and statuses are the contract's (``ledger.contracts.kinds``);
# what they mean for the stored rows is decided here
PHASES_WITH_ENTRIES = (PHASE_POSTED, PHASE_POST_PENDING)
RESOLVING_PHASES = (PHASE_POST_PENDING, PHASE_VOID_PENDING, PHASE_EXPIRED)
PHASE_OF_ACTION = {POST: PHASE_POSTED, REVERSE: PHASE_POSTED, PENDING: PHASE_PENDING,
                   POST_PENDING: PHASE_POST_PENDING, VOID_PENDING: PHASE_VOID_PENDING,
                   EXPIRE: PHASE_EXPIRED}
STATUS_OF_PHASE = {PHASE_POSTED: POSTED, PHASE_PENDING: RESERVED, PHASE_POST_PENDING: POSTED,
                   PHASE_VOID_PENDING: VOIDED, PHASE_EXPIRED: EXPIRED}


@dataclass(frozen=True)
class Transfer:
    """A stored transfer row (never changed once written)."""

    transfer_id: str
    kind: str
    debit_account_id: str
    credit_account_id: str
    amount_minutes: int
    memo: str | None = None
    reference: dict[str, Any] = field(default_factory=dict)
    phase: str = PHASE_POSTED
    pending_id: str | None = None
    reverses_id: str | None = None
    timeout_seconds: int | None = None
    expires_at: dt.datetime | None = None
    reason: str | None = None
    approver: str | None = None
    created_at: dt.datetime | None = None
    region_code: str | None = None  # where it happened (None: the debit account's region)

    @property
    def has_entries(self) -> bool:
        return self.phase in PHASES_WITH_ENTRIES


@dataclass(frozen=True)
class TransferRequest:
    transfer_id: str
    action: str = POST
    kind: str | None = None
    debit_account_id: str | None = None
    credit_account_id: str | None = None
    amount_minutes: int | None = None
    memo: str | None = None
    reference: dict[str, Any] = field(default_factory=dict)
    pending_id: str | None = None
    reverses_id: str | None = None
    timeout_seconds: int | None = None
    reason: str | None = None
    approver: str | None = None
    linked: bool = False
    region_code: str | None = None  # where it happened; not part of the content compared


def happened_in(transfer: Transfer, debit_region: str, credit_region: str) -> str:
    """Where a movement happened: the region its writer named (a service: the demand's
    region; a reversal or a closed reservation: its original's), else the elder's account for
    a grant or pool allocation, else the debit account's (a gift or donation: the giver's)."""
    if transfer.region_code:
        return transfer.region_code
    return credit_region if transfer.kind in (GRANT_TRANSFER, POOL_ALLOCATION) else debit_region


def derived_id(prefix: str, transfer_id: str) -> str:
    """The id of a transfer that follows from another (``expire:<pending id>``,
    ``reversal:<original id>``): fixed, so retries and parallel sweepers agree; hashed
    when it would be longer than an id may be."""
    candidate = f"{prefix}:{transfer_id}"
    if len(candidate) <= MAX_TRANSFER_ID_LENGTH:
        return candidate
    return f"{prefix}:{hashlib.sha256(transfer_id.encode()).hexdigest()}"


def _bad(code: str, zh: str, en: str, details: Any = None) -> BadInput:
    return BadInput(code, zh, en, details)


def _require_positive(amount: object) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise _bad("amount_not_positive", "时长必须是正整数分钟",
                   "The amount must be a positive whole number of minutes",
                   {"amount_minutes": amount})


def validate_request(request: TransferRequest) -> None:
    """Refuse a request that could never succeed, whatever the accounts hold."""
    if not request.transfer_id or len(request.transfer_id) > MAX_TRANSFER_ID_LENGTH:
        raise _bad("transfer_id_invalid", "转账编号不能为空且不超过 200 个字符",
                   "The transfer id must be 1 to 200 characters")
    if request.action not in ACTIONS:
        raise _bad("transfer_action_unknown", "不支持的转账操作", "Unknown transfer action",
                   {"action": request.action, "allowed": list(CALLER_ACTIONS)})
    if request.action in (POST, PENDING):
        if request.kind not in TRANSFER_KINDS or request.kind == REVERSAL:
            raise _bad("transfer_kind_unknown", "不支持的转账类型", "Unknown transfer kind",
                       {"kind": request.kind,
                        "allowed": [k for k in TRANSFER_KINDS if k != REVERSAL]})
        if not request.debit_account_id or not request.credit_account_id:
            raise _bad("account_missing", "须指明转出和转入账户",
                       "Both the debit and the credit account are needed")
        if request.debit_account_id == request.credit_account_id:
            raise _bad("same_account", "转出和转入账户不能相同",
                       "Debit and credit account must differ")
        _require_positive(request.amount_minutes)
    if request.action == PENDING:
        timeout = request.timeout_seconds
        if (isinstance(timeout, bool) or not isinstance(timeout, int)
                or not 1 <= timeout <= MAX_TIMEOUT_SECONDS):
            raise _bad("timeout_invalid", "预留须有 1 秒到 366 天的有效期",
                       "A reservation needs a timeout of 1 second to 366 days",
                       {"timeout_seconds": timeout})
    if request.action in (POST_PENDING, VOID_PENDING, EXPIRE) and not request.pending_id:
        raise _bad("pending_id_missing", "须指明要处理的预留", "Which reservation? pending_id is missing")
    if request.action in (POST_PENDING, REVERSE) and request.amount_minutes is not None:
        _require_positive(request.amount_minutes)
    if request.action == REVERSE:
        if not request.reverses_id:
            raise _bad("reverses_id_missing", "须指明要冲正的转账",
                       "Which transfer? reverses_id is missing")
        if not (request.reason or "").strip() or not (request.approver or "").strip():
            raise _bad("reversal_needs_reason_and_approver", "冲正须写明原因和审批人",
                       "A reversal needs a reason and an approver")


def differences(stored: Transfer, request: TransferRequest) -> list[str]:
    """Fields in which a repeated request differs from the stored transfer of its id.

    Fields the request leaves open (accounts and kind of a post/void, the amount of
    a post or reversal taken whole) match whatever was resolved the first time.
    """
    found = []
    if PHASE_OF_ACTION.get(request.action) != stored.phase or (
            (request.action == REVERSE) != (stored.kind == REVERSAL)):
        found.append("action")
    given = {"kind": request.kind, "debit_account_id": request.debit_account_id,
             "credit_account_id": request.credit_account_id,
             "amount_minutes": request.amount_minutes, "pending_id": request.pending_id,
             "reverses_id": request.reverses_id, "timeout_seconds": request.timeout_seconds,
             "reason": request.reason, "approver": request.approver}
    found += [name for name, value in given.items()
              if value is not None and value != getattr(stored, name)]
    if request.memo != stored.memo:
        found.append("memo")
    if (request.reference or {}) != (stored.reference or {}):
        found.append("reference")
    return found


def check_repeat(stored: Transfer, request: TransferRequest) -> str:
    """A transfer id seen before: ``exists`` if the content matches, else ``transfer_id_reused``."""
    different = differences(stored, request)
    if different:
        raise Conflict(
            "transfer_id_reused",
            "该转账编号已用于另一笔内容不同的转账",
            "This transfer id was already used for a transfer with different content",
            {"transfer_id": request.transfer_id, "different_fields": different},
        )
    return EXISTS
