"""The ledger's creates with an Idempotency-Key on the real database (``timebank_common.
idempotency``): a gift or donation keeps its transfer id from the key and, retried, answers
the first answer (``posted``, not ``exists``); another body under the key is 422; a policy row
is added once; two donations with one key at once move the hours once."""
import datetime as dt

import eventlet
import pytest
from nameko.testing.services import worker_factory
from sqlalchemy import func, select, text
from timebank_testing.identity_fake import IdentityFake

from ledger.service import LedgerService
from timebank_common import idempotency
from timebank_common.clock import china_date
from timebank_common.db import UnitOfWork, make_engine
from timebank_common.errors import RuleViolation

from .test_policies import CAP_TO_POOL, CHANG_AN_ADMIN, earned, fund, new_id, person


def test_a_retried_donation_answers_the_first_answer_and_moves_hours_once(ledger, emitted):
    donor = new_id("donor")
    fund(ledger, "personal", CAP_TO_POOL, donor, 90)
    gift = {"kind": "donation", "minutes": 60}
    first = ledger.give(person(donor), gift, idempotency_key="d-1")
    again = ledger.give(person(donor), gift, idempotency_key="d-1")
    assert (first["idempotency_replayed"], again["idempotency_replayed"]) == (False, True)
    assert again["answer"] == first["answer"]
    assert first["answer"]["status"] == "posted"  # the first status, not "exists"
    assert first["answer"]["transfer"]["id"] == f"donation:{donor}:d-1"  # exact by the key
    assert earned(ledger, donor) == 30
    assert len([p for p in emitted("hours_given") if p["from_person_id"] == donor]) == 1
    with pytest.raises(RuleViolation) as refused:
        ledger.give(person(donor), {**gift, "minutes": 15}, idempotency_key="d-1")
    assert refused.value.code == "idempotency_key_reused"
    assert earned(ledger, donor) == 30


def test_a_retried_policy_row_is_added_once(ledger, ledger_db, clock):
    later = (china_date(clock.now()) + dt.timedelta(days=40)).isoformat()
    row = {"region_code": "130102000000", "effective_from": later,
           "values": {"yearly_cap_minutes": 15000}, "reason": "区级调整"}

    def rows():
        with ledger_db() as uow:
            return uow.execute(text("SELECT count(*) FROM policies WHERE created_by = 'adm-3'")
                               ).scalar_one()

    before = rows()
    first = ledger.add_policy(CHANG_AN_ADMIN, row, idempotency_key="policy-1")
    again = ledger.add_policy(CHANG_AN_ADMIN, row, idempotency_key="policy-1")
    assert again == {"answer": first["answer"], "idempotency_replayed": True}
    assert rows() == before + 1


def test_two_donations_with_one_key_at_once_move_the_hours_once(own_database_url, clock):
    engine = make_engine(own_database_url("ledger"), pool_size=4)
    try:
        def db():
            return UnitOfWork(engine)

        def worker():
            return worker_factory(LedgerService, db=db, clock=clock,
                                  identity=IdentityFake(clock=clock),
                                  config={"CHECK_CONTRACTS": True})

        donor = new_id("donor")
        fund(worker(), "personal", CAP_TO_POOL, donor, 90)
        gift = {"kind": "donation", "minutes": 60}
        calls = [eventlet.spawn(w.give, person(donor), gift, idempotency_key="together-1")
                 for w in (worker(), worker())]
        answers = [idempotency.unwrap(c.wait()) for c in calls]
        assert answers[0][0] == answers[1][0] and answers[0][0]["status"] == "posted"
        assert sorted(replayed for _, replayed in answers) == [False, True]
        assert earned(worker(), donor) == 30
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(
                idempotency.idempotency_keys_table)).scalar_one() == 1
    finally:
        engine.dispose()


def test_the_purge_timer_deletes_keys_a_day_old_by_the_service_clock(ledger, ledger_db, clock):
    donor = new_id("donor")
    fund(ledger, "personal", CAP_TO_POOL, donor, 90)
    ledger.give(person(donor), {"kind": "donation", "minutes": 15}, idempotency_key="old-1")

    def kept():
        with ledger_db() as uow:
            return uow.execute(select(idempotency.idempotency_keys_table.c.key).where(
                idempotency.idempotency_keys_table.c.caller == f"person:{donor}")).scalars().all()

    clock.advance(hours=23)
    ledger.purge_idempotency_keys()
    assert kept() == ["old-1"]
    clock.advance(hours=1, seconds=1)
    ledger.purge_idempotency_keys()
    assert kept() == []
