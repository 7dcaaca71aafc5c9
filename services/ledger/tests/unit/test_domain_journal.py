"""The hash chain's canonical form and the checker that names the first broken link."""
import dataclasses
import datetime as dt
import hashlib
import json

from ledger.domain.journal import GENESIS_HASH, ChainChecker, canonical, chain_hash, link
from ledger.domain.transfers import Transfer

AT = dt.datetime(2026, 11, 29, 8, 0, 0, 123456, tzinfo=dt.UTC)
A, B = "00000000-0000-0000-0000-00000000000a", "00000000-0000-0000-0000-00000000000b"


def transfer(tid="t-1", amount=90, **more) -> Transfer:
    return Transfer(tid, "service_credit", A, B, amount, "陪伴聊天", {"record_id": "r-1"},
                    created_at=AT, **more)


def entries(amount=90):
    return [(B, amount), (A, -amount)]


def test_the_canonical_form_is_what_the_docstring_says_an_auditor_recomputes():
    body = canonical(1, transfer(), entries())
    assert body == json.dumps({
        "amount_minutes": 90, "approver": None, "created_at": "2026-11-29T08:00:00.123456Z",
        "credit_account_id": B, "debit_account_id": A, "entries": [[A, -90], [B, 90]],
        "expires_at": None, "kind": "service_credit", "memo": "陪伴聊天", "pending_id": None,
        "phase": "posted", "reason": None, "reference": {"record_id": "r-1"},
        "reverses_id": None, "seq": 1, "timeout_seconds": None, "transfer_id": "t-1",
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert "陪伴聊天".encode() in body
    expected = hashlib.sha256(GENESIS_HASH.encode() + b"\n" + body).hexdigest()
    assert chain_hash(GENESIS_HASH, 1, transfer(), entries()) == expected
    # the same instant in another time zone hashes the same
    shanghai = dt.timezone(dt.timedelta(hours=8))
    moved = dataclasses.replace(transfer(), created_at=AT.astimezone(shanghai))
    assert chain_hash(GENESIS_HASH, 1, moved, entries()) == expected


def chain(n=5):
    rows, last = [], None
    for i in range(1, n + 1):
        t = transfer(f"t-{i}", amount=i)
        last = link(last, t, entries(i))
        rows.append((last, t, entries(i)))
    return rows


def check(rows):
    checker = ChainChecker()
    for row, t, e in rows:
        if not checker.check(row, t, e):
            break
    return checker


def test_a_clean_chain_verifies_and_each_kind_of_tampering_is_named_at_its_seq():
    assert check(chain()).broken is None and check(chain()).checked == 5

    rows = chain()
    row, t, e = rows[2]
    rows[2] = (row, dataclasses.replace(t, amount_minutes=999), e)  # transfer edited
    broken = check(rows).broken
    assert (broken.seq, broken.transfer_id, broken.problem) == (3, "t-3", "hash_mismatch")

    rows = chain()
    row, t, _ = rows[1]
    rows[1] = (row, t, [(B, 2)])  # an entry deleted
    assert check(rows).broken.seq == 2

    rows = chain()
    del rows[3]  # a journal row deleted
    broken = check(rows).broken
    assert (broken.seq, broken.problem) == (4, "seq_gap")

    rows = chain()
    row, t, e = rows[1]
    forged = dataclasses.replace(t, amount_minutes=999)
    rows[1] = (dataclasses.replace(row, hash=chain_hash(row.prev_hash, 2, forged, e)), forged, e)
    broken = check(rows).broken  # re-hashing one row breaks the next link
    assert (broken.seq, broken.problem) == (3, "prev_hash_mismatch")

    rows = chain()
    rows[0] = (rows[0][0], None, [])
    assert check(rows).broken.problem == "transfer_missing"


def test_the_head_names_the_last_link_so_a_deleted_tail_shows():
    rows = chain()
    checker = check(rows[:-1])
    last = rows[-1][0]
    checker.check_head(last.seq, last.hash)
    assert (checker.broken.seq, checker.broken.problem) == (5, "head_mismatch")
    clean = check(rows)
    clean.check_head(last.seq, last.hash)
    assert clean.broken is None


def test_checking_goes_on_from_a_link_verified_before():
    rows = chain(6)
    whole = ChainChecker()
    for row, t, lines in rows:
        assert whole.check(row, t, lines)
    first_part = ChainChecker()
    for row, t, lines in rows[:4]:
        first_part.check(row, t, lines)
    rest = ChainChecker(start=first_part.last)
    assert all(rest.check(row, t, lines) for row, t, lines in rows[4:])
    assert rest.checked == 2 and rest.last == whole.last
    # a link that does not follow the one verified before is named
    wrong = ChainChecker(start=rows[1][0])
    assert not wrong.check(*rows[4]) and wrong.broken.seq == 3


def test_the_periodic_check_walks_it_all_at_first_daily_and_after_a_failure():
    from ledger.adapters.invariant_metrics import ChainTracker

    tracker = ChainTracker()
    ok = {"journal": {"ok": True, "last": {"seq": 7, "transfer_id": "t-7", "prev_hash": "a",
                                           "hash": "b"}}}
    assert tracker.resume_point(86400, now=0) is None  # first run: everything
    tracker.remember(ok, None, now=0)
    assert tracker.resume_point(86400, now=60).seq == 7  # then only what came since
    tracker.remember(ok, tracker.last, now=60)
    assert tracker.resume_point(86400, now=86401) is None  # a day later: everything again
    tracker.remember({"journal": {"ok": False, "last": None}}, tracker.last, now=86460)
    assert tracker.resume_point(86400, now=86520) is None  # after a failure: everything


def test_publishing_a_check_sets_every_gauge_and_when_it_ran():
    from ledger.adapters import invariant_metrics as m

    report = {"ok": False, "total_sum": 0, "below_zero": [], "mismatches": [],
              "pending_mismatches": [], "unbalanced_transfers": ["t-1"],
              "running_balance_mismatches": [], "yearly_sum_mismatches": [],
              "journal": {"ok": True, "last": {"seq": 9}}}
    m.publish(report, full_walk=False, now=1_000.0)
    assert (m.ALL_OK.value(), m.UNBALANCED.value(), m.CHAIN_INTACT.value(),
            m.CHAIN_LENGTH.value(), m.LAST_CHECK.value()) == (0, 1, 1, 9, 1_000.0)
    m.publish(report, full_walk=True, now=2_000.0)
    assert m.LAST_FULL_JOURNAL_CHECK.value() == 2_000.0 and m.LAST_CHECK.value() == 2_000.0
