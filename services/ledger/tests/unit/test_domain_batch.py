"""The ledger's rules on batches, in memory: balances, two-phase, linked chains, reversals."""
import datetime as dt
import random

import pytest

from ledger.contracts.kinds import PENDING, POST, POST_PENDING, REVERSE, VOID_PENDING
from ledger.domain.accounts import AccountState
from ledger.domain.balances import balance_summary
from ledger.domain.batch import LedgerState, process_batch
from ledger.domain.transfers import TransferRequest

NOW = dt.datetime(2026, 11, 29, 8, 0, tzinfo=dt.UTC)


def ledger(now=NOW, **balances) -> LedgerState:
    """``ledger(alice=90)``: issuance ``city``, pool ``pool``, grant ``grant``, personal others."""
    kinds = {"city": "issuance", "pool": "donation_pool", "grant": "grant"}
    names = {"city", "pool", "grant", "alice", "bob", "carol"} | set(balances)
    accounts = {n: AccountState(n, kinds.get(n, "personal")) for n in names}
    for name, minutes in balances.items():
        accounts[name].credits_posted = minutes
        accounts["city"].debits_posted += minutes
    return LedgerState(accounts, now)


def post(tid, debit, credit, amount, kind="gift_to_relative", **more) -> TransferRequest:
    return TransferRequest(tid, POST, kind, debit, credit, amount, **more)


def reserve(tid, debit, credit, amount, timeout=60, kind="service_credit", **more):
    return TransferRequest(tid, PENDING, kind, debit, credit, amount, timeout_seconds=timeout,
                           **more)


def run(state, *requests):
    result = process_batch(list(requests), state)
    return result, [(o.status, o.code) for o in result.outcomes]


def totals(result, name):
    return result.state.accounts[name].totals()


def test_a_posted_transfer_makes_two_entries_that_sum_to_zero():
    result, statuses = run(ledger(alice=90), post("g1", "alice", "bob", 30))
    assert statuses == [("posted", None)]
    [outcome] = result.outcomes
    assert [(e.account_id, e.amount_minutes, e.balance_after) for e in outcome.entries] == [
        ("alice", -30, 60), ("bob", 30, 30)]
    assert result.state.accounts["alice"].balance == 60


@pytest.mark.parametrize("debit", ["alice", "pool", "grant"])
def test_no_account_but_issuance_goes_below_zero(debit):
    state = ledger(alice=60)
    state.accounts["pool"].credits_posted = state.accounts["grant"].credits_posted = 60
    result, statuses = run(state, post("x", debit, "bob", 61, kind="pool_allocation"))
    assert statuses == [("failed", "insufficient_balance")]
    assert result.outcomes[0].error.details["available_minutes"] == 60
    assert "1小时" in result.outcomes[0].error.zh and "1 h 1 min" in result.outcomes[0].error.en
    _, statuses = run(ledger(), post("y", "city", "bob", 10_000, kind="service_credit"))
    assert statuses == [("posted", None)]


def test_reservations_count_against_what_may_be_spent():
    result, statuses = run(ledger(alice=90), reserve("r1", "alice", "bob", 60),
                           post("g1", "alice", "carol", 31), post("g2", "alice", "carol", 30))
    assert statuses == [("pending", None), ("failed", "insufficient_balance"), ("posted", None)]
    assert totals(result, "alice") == (30, 90, 60, 0)
    assert totals(result, "bob") == (0, 0, 0, 60)
    assert balance_summary("alice", [result.state.accounts["alice"]]) == {
        "person_id": "alice", "earned_minutes": 60, "grant_minutes": 0,
        "reserved_minutes": 60, "available_minutes": 0}


def test_a_grant_account_is_filled_only_by_grants_and_reversals():
    result, statuses = run(
        ledger(alice=90),
        post("gift", "alice", "grant", 10),
        post("credit", "city", "grant", 10, kind="service_credit"),
        post("grant", "city", "grant", 120, kind="grant"),
        post("spend", "grant", "bob", 60, kind="service_credit"),
        TransferRequest("undo", REVERSE, reverses_id="spend", reason="disputed", approver="adm"))
    assert [s for s, _ in statuses] == ["failed", "failed", "posted", "posted", "posted"]
    assert statuses[0][1] == statuses[1][1] == "grant_account_not_creditable"
    assert result.state.accounts["grant"].balance == 120


def test_posting_a_reservation_for_less_releases_the_rest():
    state = ledger(alice=120)
    _, statuses = run(state, reserve("r1", "alice", "bob", 90))
    result, statuses = run(state, TransferRequest("p1", POST_PENDING, pending_id="r1",
                                                  amount_minutes=75))
    assert statuses == [("posted", None)]
    assert totals(result, "alice") == (75, 120, 0, 0)
    assert totals(result, "bob") == (0, 75, 0, 0)
    assert [e.amount_minutes for e in result.outcomes[0].entries] == [-75, 75]


def test_a_reservation_is_closed_once_and_never_after_its_timeout():
    state = ledger(alice=120)
    run(state, reserve("r1", "alice", "bob", 30), reserve("r2", "alice", "bob", 30),
        reserve("r3", "alice", "bob", 30, timeout=10))
    _, statuses = run(state, TransferRequest("p1", POST_PENDING, pending_id="r1"),
                      TransferRequest("p1b", POST_PENDING, pending_id="r1"),
                      TransferRequest("v1", VOID_PENDING, pending_id="r1"),
                      TransferRequest("amount", POST_PENDING, pending_id="r2", amount_minutes=31),
                      TransferRequest("v2", VOID_PENDING, pending_id="r2"),
                      TransferRequest("p2", POST_PENDING, pending_id="r2"),
                      TransferRequest("e3", "expire", pending_id="r3"),
                      TransferRequest("nope", POST_PENDING, pending_id="unknown"))
    assert statuses == [("posted", None), ("failed", "pending_already_posted"),
                        ("failed", "pending_already_posted"), ("failed", "amount_exceeds_pending"),
                        ("voided", None), ("failed", "pending_already_voided"),
                        ("failed", "pending_not_expired"), ("failed", "pending_not_found")]
    later = state.snapshot()
    later.now = NOW + dt.timedelta(seconds=10)
    result, statuses = run(later, TransferRequest("p3", POST_PENDING, pending_id="r3"),
                           TransferRequest("e3", "expire", pending_id="r3"),
                           TransferRequest("v3", VOID_PENDING, pending_id="r3"))
    assert statuses == [("failed", "pending_expired"), ("expired", None),
                        ("failed", "pending_expired")]
    assert totals(result, "alice") == (30, 120, 0, 0)


def test_a_linked_chain_succeeds_or_fails_as_one():
    group = [post(f"c{i}", "city", v, 60, kind="service_credit", linked=True)
             for i, v in enumerate(["alice", "bob"])]
    last = post("c2", "city", "grant", 60, kind="service_credit")  # refused: grant account
    result, statuses = run(ledger(), *group, last, post("after", "city", "carol", 5,
                                                        kind="service_credit"))
    assert statuses == [("failed", "linked_event_failed"), ("failed", "linked_event_failed"),
                        ("failed", "grant_account_not_creditable"), ("posted", None)]
    assert result.state.accounts["alice"].balance == 0
    assert result.state.accounts["city"].balance == -5
    assert result.outcomes[0].error.details == {"failed_transfer_id": "c2"}

    ok = [post("d0", "city", "alice", 60, kind="service_credit", linked=True),
          post("d1", "city", "bob", 60, kind="service_credit")]
    result, statuses = run(ledger(), *ok)
    assert statuses == [("posted", None), ("posted", None)]


def test_a_failure_in_the_middle_of_a_chain_skips_the_rest_of_it():
    result, statuses = run(ledger(alice=10),
                           post("a", "alice", "bob", 5, linked=True),
                           post("b", "alice", "bob", 50, linked=True),
                           post("c", "alice", "bob", 5),
                           post("d", "alice", "carol", 10))
    assert statuses == [("failed", "linked_event_failed"), ("failed", "insufficient_balance"),
                        ("failed", "linked_event_failed"), ("posted", None)]
    assert result.state.accounts["carol"].balance == 10


def test_a_chain_left_open_at_the_end_of_the_batch_fails():
    _, statuses = run(ledger(alice=10), post("a", "alice", "bob", 5, linked=True),
                      post("b", "alice", "bob", 5, linked=True))
    assert statuses == [("failed", "linked_event_failed"), ("failed", "linked_event_chain_open")]


def test_repeats_inside_a_batch_and_reused_ids():
    result, statuses = run(ledger(alice=90), post("g", "alice", "bob", 30),
                           post("g", "alice", "bob", 30), post("g", "alice", "bob", 31))
    assert statuses == [("posted", None), ("exists", None), ("failed", "transfer_id_reused")]
    assert result.state.accounts["bob"].balance == 30
    assert result.outcomes[1].transfer == result.outcomes[0].transfer


def test_a_reversal_mirrors_the_original_never_beyond_what_remains():
    state = ledger()
    run(state, post("credit", "city", "alice", 90, kind="service_credit"))
    undo = dict(reverses_id="credit", reason="record disputed", approver="adm-1")
    result, statuses = run(
        state,
        TransferRequest("rev1", REVERSE, amount_minutes=30, **undo),
        TransferRequest("rev2", REVERSE, amount_minutes=61, **undo),
        TransferRequest("rev3", REVERSE, **undo),  # the rest: 60
        TransferRequest("rev4", REVERSE, **undo),
        TransferRequest("rev5", REVERSE, **{**undo, "reverses_id": "rev1"}),
        TransferRequest("rev1", REVERSE, amount_minutes=30, **undo))
    assert statuses == [("posted", None), ("failed", "reversal_exceeds_remaining"),
                        ("posted", None), ("failed", "reversal_exceeds_remaining"),
                        ("failed", "reversal_of_reversal"), ("exists", None)]
    rev1 = result.outcomes[0].transfer
    assert (rev1.kind, rev1.debit_account_id, rev1.credit_account_id, rev1.reason,
            rev1.approver) == ("reversal", "alice", "city", "record disputed", "adm-1")
    assert result.state.accounts["alice"].balance == 0
    assert result.state.accounts["city"].balance == 0


def test_a_reversal_cannot_take_hours_already_spent():
    state = ledger()
    run(state, post("credit", "city", "alice", 90, kind="service_credit"),
        post("gift", "alice", "bob", 80))
    _, statuses = run(state, TransferRequest("rev", REVERSE, reverses_id="credit",
                                             reason="x", approver="adm"))
    assert statuses == [("failed", "insufficient_balance")]


def test_random_sequences_agree_with_a_simple_model():
    """Seeded random batches against a model that knows only the rules (no chains here)."""
    rng = random.Random(20261129)
    names = ["alice", "bob", "carol", "pool"]
    state = ledger()
    model = {n: [0, 0] for n in ["city", *names]}  # posted balance, pending debits
    pending, posted, reversed_, posted_pending = {}, {}, {}, set()
    for step in range(2000):
        kind = rng.choice(["credit", "gift", "reserve", "post", "void", "reverse", "repeat"])
        tid = f"t{step}"
        a, b = rng.sample(names, 2)
        amount = rng.randint(1, 120)
        if kind == "credit":
            req, expect = post(tid, "city", a, amount, kind="service_credit"), "posted"
        elif kind == "gift":
            ok = model[a][0] - model[a][1] >= amount
            req, expect = post(tid, a, b, amount), "posted" if ok else "insufficient_balance"
        elif kind == "reserve":
            ok = model[a][0] - model[a][1] >= amount
            req = reserve(tid, a, b, amount, timeout=3600)
            expect = "pending" if ok else "insufficient_balance"
        elif kind in ("post", "void") and pending:
            pid = rng.choice(sorted(pending))
            if kind == "post":
                amount = rng.randint(1, pending[pid][2])
                req = TransferRequest(tid, POST_PENDING, pending_id=pid, amount_minutes=amount)
            else:
                req = TransferRequest(tid, VOID_PENDING, pending_id=pid)
            expect = "posted" if kind == "post" else "voided"
        elif kind == "reverse" and posted:
            oid = rng.choice(sorted(posted))
            if posted[oid][3] == "reversal":
                continue
            remaining = posted[oid][2] - reversed_.get(oid, 0)
            amount = rng.randint(1, max(remaining, 1))
            debit = posted[oid][1]
            ok = remaining >= amount and (debit == "city" or
                                          model[debit][0] - model[debit][1] >= amount)
            req = TransferRequest(tid, REVERSE, reverses_id=oid, amount_minutes=amount,
                                  reason="r", approver="adm")
            expect = "posted" if ok else None
        elif kind == "repeat" and posted:
            oid = rng.choice(sorted(posted))
            d, c, amt = posted[oid][0], posted[oid][1], posted[oid][2]
            req, expect = post(oid, d, c, amt, kind=posted[oid][3]), "exists"
            if posted[oid][3] == "reversal" or oid in posted_pending:
                continue
        else:
            continue
        result = process_batch([req], state)
        state = result.state
        [outcome] = result.outcomes
        if expect is None:
            assert outcome.status == "failed", (step, kind)
            continue
        assert (outcome.code or outcome.status) == expect, (step, kind, outcome.error)
        t = outcome.transfer
        if outcome.status == "pending":
            model[a][1] += amount
            pending[tid] = (a, b, amount)
        elif outcome.status == "voided":
            d, c, amt = pending.pop(req.pending_id)
            model[d][1] -= amt
        elif outcome.status == "posted":
            if req.action == POST_PENDING:
                d, c, amt = pending.pop(req.pending_id)
                model[d][1] -= amt
                posted_pending.add(tid)
            elif req.action == REVERSE:
                reversed_[req.reverses_id] = reversed_.get(req.reverses_id, 0) + amount
            model[t.debit_account_id][0] -= t.amount_minutes
            model[t.credit_account_id][0] += t.amount_minutes
            posted[tid] = (t.debit_account_id, t.credit_account_id, t.amount_minutes, t.kind)
        for name, (balance, reserved) in model.items():
            account = state.accounts[name]
            assert (account.balance, account.debits_pending) == (balance, reserved), (step, name)
            if name != "city":
                assert account.available >= 0
    assert sum(a.balance for a in state.accounts.values()) == 0
