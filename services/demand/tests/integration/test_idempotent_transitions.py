"""The demand lifecycle's state changes with an Idempotency-Key on the real database
(``timebank_common.idempotency``, as the creates in ``test_idempotent_creates.py``): a client
whose answer was lost retries with the same key and gets the first answer (``replayed``), even
after the demand moved on, and nothing changes a second time; the same key for another request
is 422. Without a key every transition answers exactly as before."""
import datetime as dt

import pytest

from demand.adapters.tables import assignments, demand_changes
from timebank_common.errors import Conflict, RuleViolation

from .conftest import OPERATOR, PLACE, published, rows, submission, volunteer

HERE = {"lat": PLACE["lat"], "lng": PLACE["lng"]}


def about(events, demand_id):
    return [e for e in events if e["demand_id"] == demand_id]


@pytest.fixture
def demand(in_process):
    return in_process()


def test_a_retried_claim_answers_the_first_answer_after_the_demand_moved_on(
        demand, clock, uow_factory, outbox):
    made = published(demand, clock.now(), start_in_hours=2)
    v = volunteer()
    first = demand.claim(v, made["demand_id"], idempotency_key="claim-1")
    assert first["idempotency_replayed"] is False
    assert first["answer"]["status"] == "assigned"
    clock.set(dt.datetime.fromisoformat(made["window_start"]))
    assert demand.check_in(v, made["demand_id"], HERE)["status"] == "in_service"

    again = demand.claim(v, made["demand_id"], idempotency_key="claim-1")
    assert again == {"answer": first["answer"], "idempotency_replayed": True}
    assert rows(uow_factory("demand"), assignments, demand_id=made["demand_id"]) == 1
    assert len(about(outbox("demand_assigned"), made["demand_id"])) == 1
    # without a key, as before: a repeat answers the demand as it is now, changing nothing
    assert demand.claim(v, made["demand_id"])["status"] == "in_service"
    assert rows(uow_factory("demand"), assignments, demand_id=made["demand_id"]) == 1

    with pytest.raises(RuleViolation) as refused:  # the key belongs to that claim
        demand.claim(v, published(demand, clock.now())["demand_id"],
                     idempotency_key="claim-1")
    assert refused.value.code == "idempotency_key_reused"


def test_a_retried_claim_after_a_withdrawal_replays_while_a_claim_without_a_key_is_409(
        demand, clock, uow_factory):
    made = published(demand, clock.now())
    v = volunteer()
    first = demand.claim(v, made["demand_id"], idempotency_key="claim-2")
    demand.withdraw(v, made["demand_id"], {"reason": "家中临时有事"},
                    idempotency_key="withdraw-2")
    again = demand.claim(v, made["demand_id"], idempotency_key="claim-2")
    assert again == {"answer": first["answer"], "idempotency_replayed": True}
    assert again["answer"]["status"] == "assigned"
    with pytest.raises(Conflict) as err:
        demand.claim(v, made["demand_id"])
    assert err.value.code == "assignment_ended"
    with pytest.raises(Conflict) as err:  # another key is another claim
        demand.claim(v, made["demand_id"], idempotency_key="claim-3")
    assert err.value.code == "assignment_ended"

    retried = demand.withdraw(v, made["demand_id"], {"reason": "家中临时有事"},
                              idempotency_key="withdraw-2")
    assert retried["idempotency_replayed"] is True
    assert retried["answer"]["assignments"][0]["status"] == "withdrawn"
    with pytest.raises(Conflict) as err:
        demand.withdraw(v, made["demand_id"], {"reason": "家中临时有事"})
    assert err.value.code == "invalid_transition"
    assert rows(uow_factory("demand"), assignments, demand_id=made["demand_id"]) == 1


def test_a_retried_check_in_answers_the_first_check_in(demand, clock, uow_factory, outbox):
    made = published(demand, clock.now(), start_in_hours=2)
    v = volunteer()
    demand.claim(v, made["demand_id"])
    clock.set(dt.datetime.fromisoformat(made["window_start"]))
    first = demand.check_in(v, made["demand_id"], HERE, idempotency_key="in-1")
    assert first["idempotency_replayed"] is False
    [started] = first["answer"]["assignments"]
    assert (first["answer"]["status"], started["status"]) == ("in_service", "in_service")
    clock.advance(minutes=60)
    out = demand.check_out(v, made["demand_id"], HERE, idempotency_key="out-1")
    assert out["answer"]["status"] == "awaiting_record"

    clock.advance(minutes=5)
    again = demand.check_in(v, made["demand_id"], HERE, idempotency_key="in-1")
    assert again == {"answer": first["answer"], "idempotency_replayed": True}
    assert demand.check_out(v, made["demand_id"], HERE, idempotency_key="out-1") == \
        {"answer": out["answer"], "idempotency_replayed": True}
    [now] = demand.get(OPERATOR, made["demand_id"])["assignments"]
    assert (now["status"], now["checked_in_at"]) == ("awaiting_record", started["checked_in_at"])
    assert rows(uow_factory("demand"), assignments, demand_id=made["demand_id"]) == 1
    assert len(about(outbox("demand_started"), made["demand_id"])) == 1
    # without a key, as before: a repeat answers the demand as it is now
    assert demand.check_in(v, made["demand_id"], HERE)["status"] == "awaiting_record"

    with pytest.raises(RuleViolation) as refused:  # the same key with another body
        demand.check_in(v, made["demand_id"], {"lat": 38.06, "lng": 114.52},
                        idempotency_key="in-1")
    assert refused.value.code == "idempotency_key_reused"


def test_a_retried_review_answers_the_first_review_and_adjusts_once(demand, clock, uow_factory,
                                                                     outbox):
    made = demand.submit(OPERATOR, submission(clock.now(), funding_source="issuance"))
    decision = {"decision": "approve",
                "adjust": {"expected_minutes": 90, "reason": "电话核实：需要一个半小时"}}
    first = demand.review(OPERATOR, made["demand_id"], decision, idempotency_key="review-1")
    assert first["idempotency_replayed"] is False
    assert (first["answer"]["status"], first["answer"]["expected_minutes"]) == ("published", 90)
    assert len(first["answer"]["changes"]) == 1

    again = demand.review(OPERATOR, made["demand_id"], decision, idempotency_key="review-1")
    assert again == {"answer": first["answer"], "idempotency_replayed": True}
    assert rows(uow_factory("demand"), demand_changes, demand_id=made["demand_id"]) == 1
    assert len(about(outbox("demand_published"), made["demand_id"])) == 1
    assert len(about(outbox("demand_adjusted"), made["demand_id"])) == 1

    with pytest.raises(Conflict) as err:  # without a key a second review is still refused
        demand.review(OPERATOR, made["demand_id"], decision)
    assert err.value.code == "invalid_transition"
    with pytest.raises(RuleViolation) as refused:
        demand.review(OPERATOR, made["demand_id"], {"decision": "reject", "reason": "重复"},
                      idempotency_key="review-1")
    assert refused.value.code == "idempotency_key_reused"
    assert rows(uow_factory("demand"), demand_changes, demand_id=made["demand_id"]) == 1


def test_a_refused_transition_keeps_no_key(demand, clock):
    """A refusal is not remembered: once its cause is gone, the same key goes through."""
    made = demand.submit(OPERATOR, submission(clock.now(), funding_source="issuance"))
    v = volunteer()
    with pytest.raises(Conflict) as err:  # not yet published
        demand.claim(v, made["demand_id"], idempotency_key="claim-early")
    assert err.value.code == "invalid_transition"
    demand.review(OPERATOR, made["demand_id"], {"decision": "approve"})
    claimed = demand.claim(v, made["demand_id"], idempotency_key="claim-early")
    assert claimed["idempotency_replayed"] is False
    assert claimed["answer"]["status"] == "assigned"


def test_a_retried_cancel_answers_the_first_cancellation(demand, clock, outbox):
    made = published(demand, clock.now())
    reason = {"reason": "老人住院"}
    first = demand.cancel(OPERATOR, made["demand_id"], reason, idempotency_key="cancel-1")
    again = demand.cancel(OPERATOR, made["demand_id"], reason, idempotency_key="cancel-1")
    assert again == {"answer": first["answer"], "idempotency_replayed": True}
    assert first["answer"]["status"] == "cancelled"
    assert len(about(outbox("demand_cancelled"), made["demand_id"])) == 1
    with pytest.raises(Conflict) as err:
        demand.cancel(OPERATOR, made["demand_id"], reason)
    assert err.value.code == "invalid_transition"
