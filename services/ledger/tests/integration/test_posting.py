"""The batch path and the tables' guarantees on a real PostgreSQL database (no broker)."""
import datetime as dt
import uuid

import eventlet
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from timebank_testing import wait_for

from ledger.adapters import accounts as repo
from ledger.adapters import invariants
from ledger.adapters.transfers import timed_out_reservations
from ledger.app import posting
from ledger.contracts.kinds import (
    DONATION_POOL,
    GRANT,
    ISSUANCE,
    PENDING,
    PERSONAL,
    POST,
    POST_PENDING,
    REVERSE,
    VOID_PENDING,
)
from ledger.domain.transfers import TransferRequest
from timebank_common.clock import FixedClock
from timebank_common.db import UnitOfWork
from timebank_common.errors import Conflict

HANDAN = "130402001001"
CLOCK = FixedClock(dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC))  # the instant of every posting


@pytest.fixture(scope="module")
def engine(database_url):
    engine = create_engine(database_url("ledger"))
    yield engine
    engine.dispose()


def new_id(prefix="t"):
    return f"{prefix}-{uuid.uuid4().hex}"


def submit(engine, *requests, now=None):
    with UnitOfWork(engine) as uow:
        outcomes = posting.create_transfers(uow, list(requests), now or CLOCK.now())
        uow.commit()
    return outcomes


def statuses(outcomes):
    return [o.code or o.status for o in outcomes]


def people(engine, n=2, region=HANDAN):
    with UnitOfWork(engine) as uow:
        issuance = repo.open_account(uow, ISSUANCE, "130400000000")
        held = [repo.open_account(uow, PERSONAL, region, owner_person_id=new_id("p"))
                for _ in range(n)]
        uow.commit()
    return issuance, *held


def credit(engine, issuance, account, minutes):
    [outcome] = submit(engine, TransferRequest(new_id(), POST, "service_credit", issuance.id,
                                               account.id, minutes))
    assert outcome.status == "posted"


def totals(engine, account):
    with UnitOfWork(engine) as uow:
        found = repo.get_account(uow, account.id)
    return (found.debits_posted, found.credits_posted, found.debits_pending,
            found.credits_pending)


def waiting_on_a_lock(engine) -> bool:
    with engine.connect() as c:
        return bool(c.execute(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'")).scalar())


def verified(engine):
    with UnitOfWork(engine) as uow:
        report = invariants.verify_balances(uow)
    assert report["ok"], report
    return report


def test_repeat_returns_the_first_result_and_changed_content_is_refused(engine):
    issuance, a, _ = people(engine)
    transfer = TransferRequest(new_id(), POST, "service_credit", issuance.id, a.id, 60)
    [first] = submit(engine, transfer)
    credit(engine, issuance, a, 30)
    [repeat] = submit(engine, transfer)
    assert (first.status, repeat.status) == ("posted", "exists")
    assert repeat.transfer.amount_minutes == 60 and repeat.transfer.transfer_id == \
        transfer.transfer_id
    [changed] = submit(engine, TransferRequest(transfer.transfer_id, POST, "service_credit",
                                               issuance.id, a.id, 61))
    assert changed.code == "transfer_id_reused"
    assert changed.error.details["different_fields"] == ["amount_minutes"]
    assert totals(engine, a) == (0, 90, 0, 0)


def test_overdraft_is_refused_and_leaves_no_trace(engine):
    issuance, a, b = people(engine)
    credit(engine, issuance, a, 30)
    gift = TransferRequest(new_id(), POST, "gift_to_relative", a.id, b.id, 31)
    assert statuses(submit(engine, gift)) == ["insufficient_balance"]
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM transfers WHERE id = :i"),
                         {"i": gift.transfer_id}).scalar() == 0
    retry = TransferRequest(gift.transfer_id, POST, "gift_to_relative", a.id, b.id, 30)
    assert statuses(submit(engine, retry)) == ["posted"]  # the refused id was never taken
    assert totals(engine, a) == (30, 30, 0, 0) and totals(engine, b) == (0, 30, 0, 0)


def test_reserve_post_part_and_void_move_the_pending_totals(engine):
    issuance, elder, volunteer = people(engine)
    credit(engine, issuance, elder, 120)
    r1, r2 = new_id("r"), new_id("r")
    outcomes = submit(engine,
                      TransferRequest(r1, PENDING, "gift_to_relative", elder.id, volunteer.id, 60,
                                      timeout_seconds=600),
                      TransferRequest(r2, PENDING, "gift_to_relative", elder.id, volunteer.id, 60,
                                      timeout_seconds=600),
                      TransferRequest(new_id(), PENDING, "gift_to_relative", elder.id,
                                      volunteer.id, 1, timeout_seconds=600))
    assert statuses(outcomes) == ["pending", "pending", "insufficient_balance"]
    assert totals(engine, elder) == (0, 120, 120, 0)
    assert totals(engine, volunteer) == (0, 0, 0, 120)
    verified(engine)

    post, void = new_id("post"), new_id("void")
    assert statuses(submit(engine, TransferRequest(post, POST_PENDING, pending_id=r1,
                                                   amount_minutes=45),
                           TransferRequest(void, VOID_PENDING, pending_id=r2))) == \
        ["posted", "voided"]
    assert totals(engine, elder) == (45, 120, 0, 0)
    assert totals(engine, volunteer) == (0, 45, 0, 0)
    again = submit(engine, TransferRequest(new_id(), POST_PENDING, pending_id=r1),
                   TransferRequest(new_id(), VOID_PENDING, pending_id=r2),
                   TransferRequest(post, POST_PENDING, pending_id=r1, amount_minutes=45))
    assert statuses(again) == ["pending_already_posted", "pending_already_voided", "exists"]
    with engine.connect() as c:  # entries exist only for what was posted, at post time
        rows = c.execute(text("SELECT transfer_id, amount_minutes FROM entries "
                              "WHERE transfer_id IN (:a, :b, :c, :d) ORDER BY amount_minutes"),
                         {"a": r1, "b": r2, "c": post, "d": void}).all()
    assert [tuple(r) for r in rows] == [(post, -45), (post, 45)]
    verified(engine)


def test_a_timed_out_reservation_is_refused_and_expired_by_the_sweep(engine):
    issuance, elder, volunteer = people(engine)
    credit(engine, issuance, elder, 60)
    rid = new_id("r")
    submit(engine, TransferRequest(rid, PENDING, "gift_to_relative", elder.id, volunteer.id, 60,
                                   timeout_seconds=30))
    later = CLOCK.now() + dt.timedelta(seconds=31)
    [late] = submit(engine, TransferRequest(new_id(), POST_PENDING, pending_id=rid), now=later)
    assert late.code == "pending_expired"
    with UnitOfWork(engine) as uow:
        assert rid not in timed_out_reservations(uow, CLOCK.now(), 10_000)
        expired = posting.expire_reservations(uow, 10_000, now=later)
        uow.commit()
    assert rid in [o.transfer.pending_id for o in expired if o.status == "expired"]
    assert totals(engine, elder) == (0, 60, 0, 0)
    with UnitOfWork(engine) as uow:  # a second sweeper finds nothing left
        assert rid not in [o.transfer.pending_id
                           for o in posting.expire_reservations(uow, 10_000, now=later)
                           if o.transfer]
    verified(engine)


def test_a_group_service_credits_every_volunteer_or_none(engine):
    issuance, *volunteers = people(engine, 4)
    with UnitOfWork(engine) as uow:
        grant = repo.open_account(uow, GRANT, HANDAN, owner_person_id=new_id("elder"))
        uow.commit()
    chain = [TransferRequest(new_id("g"), POST, "service_credit", issuance.id, v.id, 90,
                             linked=True) for v in volunteers]
    bad = TransferRequest(new_id("g"), POST, "service_credit", issuance.id, grant.id, 90)
    assert statuses(submit(engine, *chain, bad)) == ["linked_event_failed"] * 4 + [
        "grant_account_not_creditable"]
    assert [totals(engine, v)[1] for v in volunteers] == [0, 0, 0, 0]
    good = [TransferRequest(new_id("g"), POST, "service_credit", issuance.id, v.id, 90,
                            linked=i < 3) for i, v in enumerate(volunteers)]
    assert statuses(submit(engine, *good)) == ["posted"] * 4
    assert [totals(engine, v)[1] for v in volunteers] == [90] * 4
    verified(engine)


def test_reversal_mirrors_the_original_with_reason_and_approver(engine):
    issuance, volunteer = people(engine, 1)
    original = TransferRequest(new_id(), POST, "service_credit", issuance.id, volunteer.id, 90)
    submit(engine, original)
    undo = dict(reverses_id=original.transfer_id, reason="服务记录有争议 / disputed",
                approver="auditor-1")
    outcomes = submit(engine, TransferRequest(new_id("rev"), REVERSE, amount_minutes=30, **undo),
                      TransferRequest(new_id("rev"), REVERSE, amount_minutes=61, **undo))
    assert statuses(outcomes) == ["posted", "reversal_exceeds_remaining"]
    reversal = outcomes[0].transfer
    assert (reversal.kind, reversal.debit_account_id, reversal.credit_account_id) == (
        "reversal", volunteer.id, issuance.id)
    assert totals(engine, volunteer) == (30, 90, 0, 0)
    with engine.connect() as c:
        row = c.execute(text("SELECT reason, approver, reverses_id FROM transfers WHERE id = :i"),
                        {"i": reversal.transfer_id}).one()
        original_count = c.execute(text("SELECT count(*) FROM entries WHERE transfer_id = :i"),
                                   {"i": original.transfer_id}).scalar()
    assert tuple(row) == ("服务记录有争议 / disputed", "auditor-1", original.transfer_id)
    assert original_count == 2  # the original is untouched
    verified(engine)


def test_donation_pool_and_grant_accounts_obey_the_balance_rules(engine):
    issuance, person = people(engine, 1)
    with UnitOfWork(engine) as uow:
        pool = repo.open_account(uow, DONATION_POOL, "130400000000")
        uow.commit()
    credit(engine, issuance, person, 30)
    before = totals(engine, pool)
    outcomes = submit(engine, TransferRequest(new_id(), POST, "donation", person.id, pool.id, 30),
                      TransferRequest(new_id(), POST, "pool_allocation", pool.id, person.id,
                                      before[1] - before[0] + 31))
    assert statuses(outcomes) == ["posted", "insufficient_balance"]


@pytest.mark.parametrize("statement", [
    "UPDATE entries SET amount_minutes = amount_minutes + 1",
    "DELETE FROM entries",
    "UPDATE transfers SET amount_minutes = amount_minutes + 1",
    "DELETE FROM journal",
    "UPDATE journal SET hash = prev_hash",
    "UPDATE accounts SET debits_posted = credits_posted + 1 WHERE kind = 'personal'",
    "UPDATE accounts SET debits_pending = credits_posted + 1 - debits_posted "
    "WHERE kind = 'personal'",
])
def test_history_cannot_be_edited_and_balances_cannot_go_negative(engine, statement):
    issuance, a = people(engine, 1)
    credit(engine, issuance, a, 5)
    with pytest.raises(DBAPIError), engine.begin() as c:
        c.execute(text(statement))


def test_the_same_new_id_raced_on_other_accounts_refuses_the_later_batch(engine):
    issuance, a, b, c = people(engine, 3)
    credit(engine, issuance, b, 10)
    tid = new_id("race")
    first = UnitOfWork(engine).__enter__()
    try:
        posting.create_transfers(first, [TransferRequest(tid, POST, "service_credit",
                                                         issuance.id, a.id, 10)], CLOCK.now())
        second = eventlet.spawn(submit, engine, TransferRequest(tid, POST, "gift_to_relative",
                                                                b.id, c.id, 10))
        wait_for(lambda: waiting_on_a_lock(engine))  # the second batch waits for the first's id
        first.commit()
    finally:
        first.__exit__(None, None, None)
    with pytest.raises(Conflict) as err:
        second.wait()
    assert err.value.code == "transfer_id_race"
    [retry] = submit(engine, TransferRequest(tid, POST, "gift_to_relative", b.id, c.id, 10))
    assert retry.code == "transfer_id_reused"
    verified(engine)
