"""Demand's creates with an Idempotency-Key on the real database (``timebank_common.
idempotency``): a retried submission or record answers the first answer and creates nothing
more; another body under the same key is 422; two submissions with one key at once create one
demand."""
import eventlet
import pytest
from nameko.testing.services import worker_factory
from timebank_testing.identity_fake import IdentityFake

from demand.adapters.tables import demands, service_records
from demand.service import DemandService
from timebank_common.db import UnitOfWork, make_engine
from timebank_common.errors import RuleViolation

from .conftest import OPERATOR, InProcess, LedgerStandIn, rows, served, submission


def test_a_retried_submission_creates_one_demand_and_answers_the_first(in_process, clock,
                                                                       uow_factory, outbox):
    demand = in_process()
    data = submission(clock.now())
    first = demand.submit(OPERATOR, data, idempotency_key="submit-1")
    again = demand.submit(OPERATOR, data, idempotency_key="submit-1")
    assert (first["idempotency_replayed"], again["idempotency_replayed"]) == (False, True)
    assert again["answer"] == first["answer"]
    assert rows(uow_factory("demand"), demands, elder_id=data["elder_id"]) == 1
    assert len(outbox("demand_submitted")) == 1

    with pytest.raises(RuleViolation) as refused:
        demand.submit(OPERATOR, {**data, "expected_minutes": 90}, idempotency_key="submit-1")
    assert refused.value.code == "idempotency_key_reused"
    assert rows(uow_factory("demand"), demands, elder_id=data["elder_id"]) == 1


def test_a_retried_record_answers_the_first_record(in_process, clock, uow_factory, outbox):
    demand = in_process()
    made, [v] = served(demand, clock.now())
    data = {"volunteer_id": v["person_id"], "minutes": 60, "confirmation": "phone"}
    first = demand.record(OPERATOR, made["demand_id"], data, idempotency_key="record-1")
    again = demand.record(OPERATOR, made["demand_id"], data, idempotency_key="record-1")
    assert again == {"answer": first["answer"], "idempotency_replayed": True}
    assert rows(uow_factory("demand"), service_records, demand_id=made["demand_id"]) == 1
    assert len(outbox("service_recorded")) == 1
    with pytest.raises(RuleViolation):  # the same key for another demand's record
        demand.record(OPERATOR, "another-demand", data, idempotency_key="record-1")


def test_two_submissions_with_one_key_at_once_create_one_demand(own_database_url, clock):
    """Two workers (as two requests reaching two demand workers), each with its own
    committing transaction: the second waits on the first's key row, then answers its answer."""
    engine = make_engine(own_database_url("demand"), pool_size=4)
    try:
        def db():
            return UnitOfWork(engine)

        def worker():
            return InProcess(worker_factory(DemandService, db=db, clock=clock,
                                            identity=IdentityFake(clock=clock),
                                            ledger=LedgerStandIn(),
                                            config={"CHECK_CONTRACTS": True}))

        data = submission(clock.now())
        calls = [eventlet.spawn(w.submit, OPERATOR, data, idempotency_key="together-1")
                 for w in (worker(), worker())]
        answers = [c.wait() for c in calls]
        assert answers[0]["answer"] == answers[1]["answer"]
        assert sorted(a["idempotency_replayed"] for a in answers) == [False, True]
        assert rows(db, demands, elder_id=data["elder_id"]) == 1
    finally:
        engine.dispose()
