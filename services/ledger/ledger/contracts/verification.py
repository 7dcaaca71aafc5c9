"""The ledger's self-checks (internal RPCs ``verify_journal`` and ``verify_balances``; also
``python -m ledger.commands.verify_journal``)."""
from __future__ import annotations

from marshmallow import Schema, fields


class BrokenLinkOut(Schema):
    seq = fields.Integer()
    transfer_id = fields.String(allow_none=True)
    problem = fields.String(metadata={"description": "hash_mismatch, seq_gap, prev_hash_mismatch, "
                                                     "transfer_missing or head_mismatch"})
    expected = fields.String(allow_none=True)
    found = fields.String(allow_none=True)


class JournalLinkOut(Schema):
    seq = fields.Integer()
    transfer_id = fields.String()
    prev_hash = fields.String()
    hash = fields.String()


class JournalReportOut(Schema):
    ok = fields.Boolean()
    checked = fields.Integer(metadata={"description": "links verified"})
    first_broken = fields.Nested(BrokenLinkOut, allow_none=True)
    unchained_transfers = fields.List(fields.String())
    last = fields.Nested(JournalLinkOut, allow_none=True,
                         metadata={"description": "the last link verified"})


class PostedMismatchOut(Schema):
    account_id = fields.String()
    kind = fields.String()
    owner_person_id = fields.String(allow_none=True)
    region_code = fields.String()
    debits_posted = fields.Integer()
    credits_posted = fields.Integer()
    entry_debits = fields.Integer()
    entry_credits = fields.Integer()


class PendingMismatchOut(Schema):
    account_id = fields.String()
    kind = fields.String()
    debits_pending = fields.Integer()
    credits_pending = fields.Integer()
    open_debits = fields.Integer()
    open_credits = fields.Integer()


class BelowZeroOut(Schema):
    account_id = fields.String()
    kind = fields.String()
    owner_person_id = fields.String(allow_none=True)
    region_code = fields.String()
    balance_minutes = fields.Integer()
    debits_pending = fields.Integer()


class UnbalancedTransferOut(Schema):
    transfer_id = fields.String()
    phase = fields.String()
    entry_count = fields.Integer()
    sum_minutes = fields.Integer()


class RunningBalanceMismatchOut(Schema):
    entry_id = fields.Integer()
    account_id = fields.String()
    transfer_id = fields.String()
    balance_after = fields.Integer()
    running_sum = fields.Integer()


class YearlySumMismatchOut(Schema):
    account_id = fields.String()
    year = fields.Integer()
    kept_minutes = fields.Integer()
    credited_minutes = fields.Integer()


class BalancesReportOut(Schema):
    """Every invariant from one snapshot; ``ok`` when all hold (at most 1,000 problems of
    each kind are listed)."""

    ok = fields.Boolean()
    accounts_checked = fields.Integer()
    total_sum = fields.Integer(metadata={"description": "of all entries: must be 0"})
    mismatches = fields.List(fields.Nested(PostedMismatchOut))
    pending_mismatches = fields.List(fields.Nested(PendingMismatchOut))
    below_zero = fields.List(fields.Nested(BelowZeroOut))
    unbalanced_transfers = fields.List(fields.Nested(UnbalancedTransferOut))
    running_balance_mismatches = fields.List(fields.Nested(RunningBalanceMismatchOut))
    yearly_sum_mismatches = fields.List(fields.Nested(YearlySumMismatchOut))
    journal = fields.Nested(JournalReportOut)
