"""The hash-chained journal on its own database: clean chains verify, tampering is named,
and migration 0002 turns 0001 data into totals and a chain."""
import datetime as dt
import uuid

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from timebank_testing import PG_BASE

from ledger.adapters import accounts as repo
from ledger.adapters import invariants
from ledger.app import posting
from ledger.commands.verify_journal import main as verify_command
from ledger.contracts.kinds import ISSUANCE, PENDING, PERSONAL, POST, POST_PENDING, REVERSE
from ledger.domain.transfers import TransferRequest
from timebank_common.db import UnitOfWork, drop_database, ensure_database
from timebank_common.migrations import alembic_config, upgrade

NOW = dt.datetime(2026, 6, 15, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def database(run_id):
    url = f"{PG_BASE}/tbtest_{run_id}_ledger_{uuid.uuid4().hex[:6]}"
    ensure_database(url)
    yield url
    drop_database(url)


@pytest.fixture
def engine(database):
    upgrade("ledger", database)
    engine = create_engine(database)
    yield engine
    engine.dispose()


def some_history(engine) -> list[str]:
    """Eight transfers of every phase; returns their ids in chain order."""
    with UnitOfWork(engine) as uow:
        city = repo.open_account(uow, ISSUANCE, "130100000000")
        a = repo.open_account(uow, PERSONAL, "130102001001", owner_person_id="p-a")
        b = repo.open_account(uow, PERSONAL, "130102001001", owner_person_id="p-b")
        uow.commit()
    batches = [
        [TransferRequest("c1", POST, "service_credit", city.id, a.id, 90, memo="陪伴聊天"),
         TransferRequest("c2", POST, "service_credit", city.id, b.id, 60)],
        [TransferRequest("r1", PENDING, "gift_to_relative", a.id, b.id, 30,
                         timeout_seconds=600)],
        [TransferRequest("p1", POST_PENDING, pending_id="r1", amount_minutes=20),
         TransferRequest("g1", POST, "gift_to_relative", b.id, a.id, 10)],
        [TransferRequest("x1", REVERSE, reverses_id="c2", amount_minutes=5, reason="dispute",
                         approver="adm-1")],
        [TransferRequest("c3", POST, "service_credit", city.id, a.id, 15),
         TransferRequest("c4", POST, "service_credit", city.id, b.id, 15)],
    ]
    for batch in batches:
        with UnitOfWork(engine) as uow:
            assert all(o.status != "failed" for o in posting.create_transfers(uow, batch, NOW))
            uow.commit()
    return ["c1", "c2", "r1", "p1", "g1", "x1", "c3", "c4"]


def verify(engine) -> dict:
    with UnitOfWork(engine) as uow:
        return invariants.verify_journal(uow)


def tamper(engine, statement, **params):
    """Edit history behind the ledger's back (triggers off for this session, as an
    attacker with database access could)."""
    with engine.begin() as c:
        c.execute(text("SET LOCAL session_replication_role = replica"))
        c.execute(text(statement), params)


def test_a_clean_chain_verifies_by_rpc_code_and_command(engine, database, capsys):
    ids = some_history(engine)
    report = verify(engine)
    last = report.pop("last")
    assert report == {"ok": True, "checked": len(ids), "first_broken": None,
                      "unchained_transfers": []}
    assert last["seq"] == len(ids)
    with engine.connect() as c:
        assert c.execute(text("SELECT transfer_id FROM journal ORDER BY seq")).scalars().all() \
            == ids
    assert verify_command(["--database-url", database]) == 0
    assert "intact" in capsys.readouterr().out


def test_an_edited_transfer_amount_is_named_at_its_seq(engine, database, capsys):
    some_history(engine)
    tamper(engine, "UPDATE transfers SET amount_minutes = 900 WHERE id = 'g1'")
    report = verify(engine)
    assert not report["ok"]
    assert report["first_broken"]["seq"] == 5
    assert report["first_broken"]["transfer_id"] == "g1"
    assert report["first_broken"]["problem"] == "hash_mismatch"
    assert verify_command(["--database-url", database]) == 1
    out = capsys.readouterr().out
    assert "seq 5" in out and "g1" in out


def test_an_edited_entry_is_named_at_its_transfer(engine):
    some_history(engine)
    tamper(engine, "UPDATE entries SET amount_minutes = 25 WHERE transfer_id = 'p1' "
                   "AND amount_minutes = 20")
    broken = verify(engine)["first_broken"]
    assert (broken["seq"], broken["transfer_id"]) == (4, "p1")


def test_a_deleted_journal_row_and_a_deleted_entry_are_found(engine):
    some_history(engine)
    tamper(engine, "DELETE FROM entries WHERE transfer_id = 'c3' AND amount_minutes > 0")
    tamper(engine, "DELETE FROM journal WHERE seq = 3")
    broken = verify(engine)["first_broken"]
    assert (broken["seq"], broken["problem"]) == (3, "seq_gap")
    with UnitOfWork(engine) as uow:
        report = invariants.verify_balances(uow)
    assert not report["ok"] and report["total_sum"] == -15
    assert [t["transfer_id"] for t in report["unbalanced_transfers"]] == ["c3"]
    assert report["journal"]["unchained_transfers"] == ["r1"]


def test_a_rehashed_row_still_breaks_the_next_link_and_a_deleted_tail_shows(engine):
    some_history(engine)
    tamper(engine, "UPDATE journal SET hash = repeat('f', 64) WHERE seq = 2")
    assert verify(engine)["first_broken"]["seq"] == 2
    tamper(engine, "UPDATE journal SET hash = (SELECT prev_hash FROM journal WHERE seq = 3) "
                   "WHERE seq = 2")
    tamper(engine, "DELETE FROM journal WHERE seq = 8")
    assert verify(engine)["first_broken"]["problem"] == "head_mismatch"


def test_migration_0002_keeps_0001_balances_and_chains_the_old_transfers(database):
    config = alembic_config("ledger", database)
    command.upgrade(config, "0001")
    engine = create_engine(database)
    city, person = str(uuid.uuid4()), str(uuid.uuid4())
    with engine.begin() as c:
        c.execute(text("INSERT INTO accounts (id, kind, region_code, balance_minutes) "
                       "VALUES (:i, 'issuance', '130100000000', -120)"), {"i": city})
        c.execute(text("INSERT INTO accounts (id, kind, owner_person_id, region_code, "
                       "balance_minutes) VALUES (:i, 'personal', 'v-1', '130102001001', 120)"),
                  {"i": person})
        for n, minutes, balance in (("a", 90, 90), ("b", 30, 120)):
            c.execute(text("INSERT INTO transfers (id, kind, debit_account_id, "
                           "credit_account_id, amount_minutes, reference) VALUES "
                           "(:t, 'service_credit', :d, :c, :m, '{\"record_id\": \"r\"}')"),
                      {"t": f"service_record:{n}", "d": city, "c": person, "m": minutes})
            c.execute(text("INSERT INTO entries (transfer_id, account_id, amount_minutes, "
                           "balance_after) VALUES (:t, :d, :m1, :b1), (:t, :c, :m2, :b2)"),
                      {"t": f"service_record:{n}", "d": city, "c": person, "m1": -minutes,
                       "m2": minutes, "b1": -balance, "b2": balance})
    command.upgrade(config, "head")
    with UnitOfWork(engine) as uow:
        assert repo.get_account(uow, person).credits_posted == 120
        assert repo.get_account(uow, city).debits_posted == 120
    with UnitOfWork(engine) as uow:
        report = invariants.verify_balances(uow)
    assert report["ok"], report
    assert report["journal"]["checked"] == 2
    with UnitOfWork(engine) as uow:  # new transfers continue the migrated chain
        posting.create_transfers(uow, [TransferRequest("c", POST, "service_credit", city,
                                                       person, 5)], NOW)
        uow.commit()
    assert verify(engine)["checked"] == 3
    engine.dispose()


def test_the_yearly_cap_sums_follow_the_credits_and_an_edit_is_reported(engine):
    some_history(engine)
    with UnitOfWork(engine) as uow:
        report = invariants.verify_balances(uow)
    assert report["ok"] and report["yearly_sum_mismatches"] == []
    with engine.connect() as c:
        kept = c.execute(text("SELECT a.owner_person_id, y.minutes FROM service_minutes_by_year y "
                              "JOIN accounts a ON a.id = y.account_id")).all()
    assert sorted(kept) == [("p-a", 105), ("p-b", 75)]  # a reversal gives no room back
    tamper(engine, "UPDATE service_minutes_by_year SET minutes = minutes - 60 "
                   "WHERE account_id = (SELECT id FROM accounts WHERE owner_person_id = 'p-a')")
    with UnitOfWork(engine) as uow:
        report = invariants.verify_balances(uow)
    assert not report["ok"]
    assert [(m["kept_minutes"], m["credited_minutes"])
            for m in report["yearly_sum_mismatches"]] == [(45, 105)]


def test_an_edited_running_balance_is_reported(engine):
    some_history(engine)
    tamper(engine, "UPDATE entries SET balance_after = balance_after + 1 "
                   "WHERE transfer_id = 'c3' AND amount_minutes > 0")
    with UnitOfWork(engine) as uow:
        report = invariants.verify_balances(uow)
    assert not report["ok"]
    assert [(m["transfer_id"], m["balance_after"] - m["running_sum"])
            for m in report["running_balance_mismatches"]] == [("c3", 1)]
