"""The ledger's invariants, checked from the database in one consistent snapshot.

* all entries sum to zero;
* no account but an issuance account is below zero, counting pending debits;
* each account's posted totals equal the sums of its entries (debits, credits);
* each account's pending totals equal the reservations still open on it;
* a transfer with entries has exactly its two (−amount, +amount), any other none;
* each entry's ``balance_after`` is its account's running sum up to it (entry order);
* the yearly cap's running sums (``service_minutes_by_year``) equal the posted service
  credits they count;
* the hash chain of the journal is intact (``verify_journal``).
"""
from __future__ import annotations

from sqlalchemy import select, text

from ..domain.journal import ChainChecker, JournalLink
from .tables import entries, journal, journal_head, transfers
from .transfers import transfer_from_row

MAX_REPORTED = 1000  # at most this many problems of each kind are listed
JOURNAL_PAGE = 2000

_POSTED_MISMATCHES = text("""
    SELECT a.id, a.kind, a.owner_person_id, a.region_code, a.debits_posted, a.credits_posted,
           COALESCE(s.debits, 0) AS entry_debits, COALESCE(s.credits, 0) AS entry_credits
    FROM accounts a
    LEFT JOIN (SELECT account_id,
                      SUM(CASE WHEN amount_minutes < 0 THEN -amount_minutes ELSE 0 END) AS debits,
                      SUM(CASE WHEN amount_minutes > 0 THEN amount_minutes ELSE 0 END) AS credits
               FROM entries GROUP BY account_id) s ON s.account_id = a.id
    WHERE a.debits_posted <> COALESCE(s.debits, 0) OR a.credits_posted <> COALESCE(s.credits, 0)
    ORDER BY a.id LIMIT :limit
""")

_OPEN_RESERVATIONS = """
    SELECT p.debit_account_id, p.credit_account_id, p.amount_minutes FROM transfers p
    WHERE p.phase = 'pending'
      AND NOT EXISTS (SELECT 1 FROM transfers r WHERE r.pending_id = p.id)
"""

_PENDING_MISMATCHES = text(f"""
    WITH open AS ({_OPEN_RESERVATIONS}),
         debits AS (SELECT debit_account_id AS id, SUM(amount_minutes) AS total
                    FROM open GROUP BY debit_account_id),
         credits AS (SELECT credit_account_id AS id, SUM(amount_minutes) AS total
                     FROM open GROUP BY credit_account_id)
    SELECT a.id, a.kind, a.debits_pending, a.credits_pending,
           COALESCE(d.total, 0) AS open_debits, COALESCE(c.total, 0) AS open_credits
    FROM accounts a LEFT JOIN debits d ON d.id = a.id LEFT JOIN credits c ON c.id = a.id
    WHERE a.debits_pending <> COALESCE(d.total, 0) OR a.credits_pending <> COALESCE(c.total, 0)
    ORDER BY a.id LIMIT :limit
""")

_BELOW_ZERO = text("""
    SELECT id, kind, owner_person_id, region_code,
           credits_posted - debits_posted AS balance, debits_pending
    FROM accounts
    WHERE kind <> 'issuance' AND debits_posted + debits_pending > credits_posted
    ORDER BY id LIMIT :limit
""")

_UNBALANCED_TRANSFERS = text("""
    SELECT t.id, t.phase, COUNT(e.id) AS entry_count,
           COALESCE(SUM(e.amount_minutes), 0) AS total
    FROM transfers t LEFT JOIN entries e ON e.transfer_id = t.id
    GROUP BY t.id, t.phase, t.amount_minutes, t.debit_account_id, t.credit_account_id
    HAVING CASE WHEN t.phase IN ('posted', 'post_pending') THEN
               COUNT(e.id) <> 2 OR COALESCE(SUM(e.amount_minutes), 0) <> 0
               OR COUNT(*) FILTER (WHERE e.account_id = t.credit_account_id
                                   AND e.amount_minutes = t.amount_minutes) <> 1
               OR COUNT(*) FILTER (WHERE e.account_id = t.debit_account_id
                                   AND e.amount_minutes = -t.amount_minutes) <> 1
           ELSE COUNT(e.id) <> 0 END
    ORDER BY t.id LIMIT :limit
""")


_RUNNING_BALANCE_MISMATCHES = text("""
    SELECT id, account_id, transfer_id, balance_after, running FROM (
        SELECT id, account_id, transfer_id, balance_after,
               SUM(amount_minutes) OVER (PARTITION BY account_id ORDER BY id) AS running
        FROM entries) e
    WHERE balance_after <> running
    ORDER BY id LIMIT :limit
""")

_YEARLY_SUM_MISMATCHES = text("""
    WITH credited AS (
        SELECT t.credit_account_id AS account_id,
               extract(year FROM t.created_at AT TIME ZONE 'Asia/Shanghai')::int AS year,
               SUM(t.amount_minutes) AS minutes
        FROM transfers t
        WHERE t.kind = 'service_credit' AND t.phase IN ('posted', 'post_pending')
        GROUP BY 1, 2)
    SELECT COALESCE(c.account_id, y.account_id) AS account_id, COALESCE(c.year, y.year) AS year,
           COALESCE(y.minutes, 0) AS kept, COALESCE(c.minutes, 0) AS credited
    FROM credited c FULL JOIN service_minutes_by_year y
         ON y.account_id = c.account_id AND y.year = c.year
    WHERE COALESCE(y.minutes, 0) <> COALESCE(c.minutes, 0)
    ORDER BY 1, 2 LIMIT :limit
""")


def _snapshot(uow) -> None:
    uow.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))


INVARIANTS_LOCK = 7_301_2026  # advisory lock: one periodic invariant check at a time


def verify_balances(uow, journal_resume: JournalLink | None = None,
                    unless_running_elsewhere: bool = False, snapshot: bool = True
                    ) -> dict | None:
    """Every invariant, from one REPEATABLE READ snapshot (postings made meanwhile
    cannot show up as false mismatches); the chain on from ``journal_resume`` when given.
    ``unless_running_elsewhere``: None when another process is checking right now (the
    sums read every entry: one check at a time is enough). ``snapshot=False``: in a
    transaction that is already consistent for the caller (a test's rolled-back one)."""
    if snapshot:
        _snapshot(uow)
    if unless_running_elsewhere and not uow.execute(
            text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": INVARIANTS_LOCK}).scalar():
        return None
    checked = uow.execute(text("SELECT count(*) FROM accounts")).scalar()
    total = uow.execute(text("SELECT COALESCE(SUM(amount_minutes), 0) FROM entries")).scalar()
    limit = {"limit": MAX_REPORTED}
    mismatches = [
        {"account_id": str(r.id), "kind": r.kind, "owner_person_id": r.owner_person_id,
         "region_code": r.region_code, "debits_posted": int(r.debits_posted),
         "credits_posted": int(r.credits_posted), "entry_debits": int(r.entry_debits),
         "entry_credits": int(r.entry_credits)}
        for r in uow.execute(_POSTED_MISMATCHES, limit)]
    pending = [
        {"account_id": str(r.id), "kind": r.kind, "debits_pending": int(r.debits_pending),
         "credits_pending": int(r.credits_pending), "open_debits": int(r.open_debits),
         "open_credits": int(r.open_credits)}
        for r in uow.execute(_PENDING_MISMATCHES, limit)]
    below_zero = [
        {"account_id": str(r.id), "kind": r.kind, "owner_person_id": r.owner_person_id,
         "region_code": r.region_code, "balance_minutes": int(r.balance),
         "debits_pending": int(r.debits_pending)}
        for r in uow.execute(_BELOW_ZERO, limit)]
    unbalanced = [
        {"transfer_id": r.id, "phase": r.phase, "entry_count": int(r.entry_count),
         "sum_minutes": int(r.total)}
        for r in uow.execute(_UNBALANCED_TRANSFERS, limit)]
    running = [
        {"entry_id": int(r.id), "account_id": str(r.account_id), "transfer_id": r.transfer_id,
         "balance_after": int(r.balance_after), "running_sum": int(r.running)}
        for r in uow.execute(_RUNNING_BALANCE_MISMATCHES, limit)]
    yearly = [
        {"account_id": str(r.account_id), "year": int(r.year), "kept_minutes": int(r.kept),
         "credited_minutes": int(r.credited)}
        for r in uow.execute(_YEARLY_SUM_MISMATCHES, limit)]
    chain = verify_journal(uow, snapshot=False, resume=journal_resume)  # the same snapshot
    ok = (total == 0 and not mismatches and not pending and not below_zero and not unbalanced
          and not running and not yearly and chain["ok"])
    return {"ok": ok, "accounts_checked": int(checked), "total_sum": int(total),
            "mismatches": mismatches, "pending_mismatches": pending,
            "below_zero": below_zero, "unbalanced_transfers": unbalanced,
            "running_balance_mismatches": running, "yearly_sum_mismatches": yearly,
            "journal": chain}


def verify_journal(uow, snapshot: bool = True, resume: JournalLink | None = None) -> dict:
    """Walk the chain from seq 1 (or on from ``resume``, a link verified before), recomputing
    every hash from the transfer and its entries; name the first broken link. Transfers
    outside the chain are reported too; ``last`` is the last link verified."""
    if snapshot:
        _snapshot(uow)
    checker = ChainChecker(resume)
    after = resume.seq if resume else 0
    while checker.broken is None:
        rows = uow.execute(select(journal).where(journal.c.seq > after)
                           .order_by(journal.c.seq).limit(JOURNAL_PAGE)).all()
        if not rows:
            break
        ids = [r.transfer_id for r in rows]
        stored = {r.id: transfer_from_row(r)
                  for r in uow.execute(select(transfers).where(transfers.c.id.in_(ids)))}
        lines: dict[str, list] = {}
        for e in uow.execute(select(entries.c.transfer_id, entries.c.account_id,
                                    entries.c.amount_minutes)
                             .where(entries.c.transfer_id.in_(ids))):
            lines.setdefault(e.transfer_id, []).append((str(e.account_id), int(e.amount_minutes)))
        for r in rows:
            if not checker.check(JournalLink(int(r.seq), r.transfer_id, r.prev_hash, r.hash),
                                 stored.get(r.transfer_id), lines.get(r.transfer_id, [])):
                break
        after = int(rows[-1].seq)
    head = uow.execute(select(journal_head).where(journal_head.c.id == 1)).first()
    checker.check_head(int(head.seq) if head else 0, head.hash if head else "")
    unchained = uow.execute(text(
        "SELECT t.id FROM transfers t LEFT JOIN journal j ON j.transfer_id = t.id "
        "WHERE j.seq IS NULL ORDER BY t.created_at, t.id LIMIT :limit"),
        {"limit": MAX_REPORTED}).scalars().all()
    broken = checker.broken.as_dict() if checker.broken else None
    last = checker.last
    return {"ok": broken is None and not unchained, "checked": checker.checked,
            "first_broken": broken, "unchained_transfers": list(unchained),
            "last": None if last is None else {"seq": last.seq, "transfer_id": last.transfer_id,
                                               "prev_hash": last.prev_hash, "hash": last.hash}}
