"""Transfers and the double-entry rule that posts them (DESIGN.md §6).

A transfer moves ``amount_minutes`` from a debit account to a credit account and
becomes exactly two entries: ``-amount`` on the debit side, ``+amount`` on the
credit side, so every transfer (and therefore the whole journal) sums to zero.
Transfer ids are chosen by the caller; repeating an id with the same content is
answered with the first result (``exists``), with other content it is refused.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from timebank_common.errors import BadInput, Conflict, RuleViolation

from .display import minutes_en, minutes_zh
from .kinds import MAY_GO_NEGATIVE, TRANSFER_KINDS

POSTED = "posted"
EXISTS = "exists"

MAX_TRANSFER_ID_LENGTH = 200
_CONTENT_FIELDS = ("kind", "debit_account_id", "credit_account_id", "amount_minutes", "memo",
                   "reference")


@dataclass(frozen=True)
class Transfer:
    transfer_id: str
    kind: str
    debit_account_id: str
    credit_account_id: str
    amount_minutes: int
    memo: str | None = None
    reference: dict = field(default_factory=dict)

    def differences(self, other: Transfer) -> list[str]:
        """Names of the content fields in which ``other`` differs from this transfer."""
        return [name for name in _CONTENT_FIELDS if getattr(self, name) != getattr(other, name)]


@dataclass(frozen=True)
class EntryLine:
    """One side of a posting: the signed amount and the account's balance after it."""

    amount_minutes: int
    balance_after: int


@dataclass(frozen=True)
class Posting:
    debit: EntryLine
    credit: EntryLine


def validate_transfer(transfer: Transfer) -> None:
    """Refuse a transfer that could never be posted, whatever the balances."""
    if not transfer.transfer_id or len(transfer.transfer_id) > MAX_TRANSFER_ID_LENGTH:
        raise BadInput("transfer_id_invalid", "转账编号不能为空且不超过 200 个字符",
                       "The transfer id must be 1 to 200 characters")
    if transfer.kind not in TRANSFER_KINDS:
        raise BadInput("transfer_kind_unknown", "不支持的转账类型", "Unknown transfer kind",
                       {"kind": transfer.kind, "allowed": list(TRANSFER_KINDS)})
    if transfer.debit_account_id == transfer.credit_account_id:
        raise BadInput("same_account", "转出和转入账户不能相同",
                       "Debit and credit account must differ")
    _require_positive(transfer.amount_minutes)


def _require_positive(amount) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise BadInput("amount_not_positive", "时长必须是正整数分钟",
                       "The amount must be a positive whole number of minutes",
                       {"amount_minutes": amount})


def apply_transfer(debit_balance: int, credit_balance: int, amount: int,
                   debit_kind: str, credit_kind: str) -> Posting:
    """The two entries of a transfer and the balances they leave.

    Only an ``issuance`` account may go below zero; any other debit that would is
    refused with ``insufficient_balance``. ``credit_kind`` takes part so later rules
    (e.g. grant accounts that only a grant may credit) have their place here.
    """
    _require_positive(amount)
    debit_after = debit_balance - amount
    if debit_after < 0 and debit_kind not in MAY_GO_NEGATIVE:
        available = max(debit_balance, 0)
        raise RuleViolation(
            "insufficient_balance",
            f"余额不足：可用 {minutes_zh(available)}，需要 {minutes_zh(amount)}",
            f"Insufficient balance: {minutes_en(available)} available, {minutes_en(amount)} needed",
            {"available_minutes": available, "amount_minutes": amount,
             "account_kind": debit_kind, "credit_account_kind": credit_kind},
        )
    return Posting(debit=EntryLine(-amount, debit_after),
                   credit=EntryLine(amount, credit_balance + amount))


def check_repeat(stored: Transfer, requested: Transfer) -> str:
    """A transfer id seen before: ``exists`` if the content matches, else ``transfer_id_reused``."""
    differences = stored.differences(requested)
    if differences:
        raise Conflict(
            "transfer_id_reused",
            "该转账编号已用于另一笔内容不同的转账",
            "This transfer id was already used for a transfer with different content",
            {"transfer_id": requested.transfer_id, "different_fields": differences},
        )
    return EXISTS
