"""The hash-chained journal: its canonical form and how to check a chain (no I/O).

Every transfer row (a posted transfer, a reservation, its post, void or expiry, a
reversal) gets one journal row: ``seq`` (1, 2, 3, … without gaps, in commit order),
``prev_hash`` (the ``hash`` of row ``seq - 1``; 64 zeros for row 1) and

    hash = SHA-256( prev_hash + "\\n" + canonical ) as 64 lowercase hex digits

where ``prev_hash`` is taken as its 64 ASCII hex digits and ``canonical`` is the UTF-8
JSON of this object, keys sorted, no whitespace (``separators=(",", ":")``), non-ASCII
characters written as themselves (``ensure_ascii=False``)::

    {"amount_minutes": int, "approver": str|null, "created_at": TS,
     "credit_account_id": uuid, "debit_account_id": uuid,
     "entries": [[account_id, signed minutes], …]   (sorted by account id; [] if none),
     "expires_at": TS|null, "kind": str, "memo": str|null, "pending_id": str|null,
     "phase": str, "reason": str|null, "reference": {…}, "reverses_id": str|null,
     "seq": int, "timeout_seconds": int|null, "transfer_id": str}

TS is the UTC time with microseconds, ``YYYY-MM-DDTHH:MM:SS.ffffffZ``. An auditor can
recompute every hash from the ``transfers`` and ``entries`` tables alone, so an edit
of a transfer, of an entry, or of the journal itself, and a deleted row, all show.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .transfers import Transfer

GENESIS_HASH = "0" * 64


def timestamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(seq: int, transfer: Transfer, entries: Iterable[tuple[str, int]]) -> bytes:
    body = {
        "seq": seq,
        "transfer_id": transfer.transfer_id,
        "kind": transfer.kind,
        "phase": transfer.phase,
        "debit_account_id": transfer.debit_account_id,
        "credit_account_id": transfer.credit_account_id,
        "amount_minutes": transfer.amount_minutes,
        "pending_id": transfer.pending_id,
        "reverses_id": transfer.reverses_id,
        "timeout_seconds": transfer.timeout_seconds,
        "expires_at": timestamp(transfer.expires_at),
        "memo": transfer.memo,
        "reference": transfer.reference or {},
        "reason": transfer.reason,
        "approver": transfer.approver,
        "created_at": timestamp(transfer.created_at),
        "entries": sorted([str(a), int(m)] for a, m in entries),
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def chain_hash(prev_hash: str, seq: int, transfer: Transfer,
               entries: Iterable[tuple[str, int]]) -> str:
    digest = hashlib.sha256(prev_hash.encode("ascii") + b"\n")
    digest.update(canonical(seq, transfer, entries))
    return digest.hexdigest()


@dataclass(frozen=True)
class JournalLink:
    seq: int
    transfer_id: str
    prev_hash: str
    hash: str


def link(prev: JournalLink | None, transfer: Transfer,
         entries: Iterable[tuple[str, int]]) -> JournalLink:
    """The journal row that follows ``prev`` (``None``: the first row) for this transfer."""
    seq = 1 if prev is None else prev.seq + 1
    prev_hash = GENESIS_HASH if prev is None else prev.hash
    return JournalLink(seq, transfer.transfer_id, prev_hash,
                       chain_hash(prev_hash, seq, transfer, entries))


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    seq: int
    transfer_id: str | None
    problem: str  # seq_gap | prev_hash_mismatch | transfer_missing | hash_mismatch | ...
    expected: str | None = None
    found: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "transfer_id": self.transfer_id, "problem": self.problem,
                "expected": self.expected, "found": self.found}


class ChainChecker:
    """Feed journal rows in ``seq`` order; the first problem is kept in ``broken``.
    ``start``: a link verified before, to go on from (the rows after it are fed)."""

    def __init__(self, start: JournalLink | None = None):
        self.last: JournalLink | None = start
        self.checked = 0
        self.broken: Break | None = None

    def check(self, row: JournalLink, transfer: Transfer | None,
              entries: Iterable[tuple[str, int]]) -> bool:
        if self.broken is not None:
            return False
        expected_seq = 1 if self.last is None else self.last.seq + 1
        expected_prev = GENESIS_HASH if self.last is None else self.last.hash
        if row.seq != expected_seq:
            self.broken = Break(expected_seq, row.transfer_id, "seq_gap",
                                str(expected_seq), str(row.seq))
        elif row.prev_hash != expected_prev:
            self.broken = Break(row.seq, row.transfer_id, "prev_hash_mismatch",
                                expected_prev, row.prev_hash)
        elif transfer is None:
            self.broken = Break(row.seq, row.transfer_id, "transfer_missing")
        else:
            recomputed = chain_hash(row.prev_hash, row.seq, transfer, entries)
            if recomputed != row.hash:
                self.broken = Break(row.seq, row.transfer_id, "hash_mismatch",
                                    recomputed, row.hash)
        if self.broken is None:
            self.last = row
            self.checked += 1
        return self.broken is None

    def check_head(self, head_seq: int, head_hash: str) -> None:
        """The head row names the last link; a deleted tail shows here."""
        if self.broken is not None:
            return
        last_seq = self.last.seq if self.last else 0
        last_hash = self.last.hash if self.last else GENESIS_HASH
        if (head_seq, head_hash) != (last_seq, last_hash):
            self.broken = Break(last_seq + 1, None, "head_mismatch",
                                f"{head_seq}:{head_hash}", f"{last_seq}:{last_hash}")
