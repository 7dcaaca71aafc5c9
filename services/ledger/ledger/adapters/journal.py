"""The hash-chained journal's table (rules: ``ledger/domain/journal.py``): appending the links
of a batch under one lock of ``journal_head``, the last step of a transaction."""
from __future__ import annotations

from sqlalchemy import select, update

from timebank_common.db import insert_rows

from ..domain.batch import Outcome
from ..domain.journal import JournalLink, link
from .tables import journal, journal_head


def append_to_journal(uow, created: list[Outcome]) -> None:
    """Chain the batch's new transfers under one lock of ``journal_head`` (the last step)."""
    head = uow.execute(select(journal_head).where(journal_head.c.id == 1)
                       .with_for_update()).one()
    last = JournalLink(head.seq, "", "", head.hash) if head.seq else None
    rows = []
    for outcome in created:
        last = link(last, outcome.stored,
                    [(e.account_id, e.amount_minutes) for e in outcome.entries])
        rows.append({"seq": last.seq, "transfer_id": last.transfer_id,
                     "prev_hash": last.prev_hash, "hash": last.hash})
    if last is None:  # nothing created: nothing to chain
        return
    insert_rows(uow, journal, rows)
    uow.execute(update(journal_head).where(journal_head.c.id == 1)
                .values(seq=last.seq, hash=last.hash))
