"""Confirmation and hold rules of a service record (demand/domain/recording.py)."""
import datetime as dt
import random

import pytest

from demand.contracts import AWAITING_CONFIRMATION, HELD, SENT
from demand.contracts import RECORD_REJECTED as REJECTED
from demand.domain.recording import Record, confirmation_overdue
from timebank_common.errors import BadInput, Conflict, DomainError, Forbidden

NOW = dt.datetime(2026, 11, 20, 2, 0, tzinfo=dt.UTC)
FLAG = {"code": "direct_relatives", "zh": "直系亲属", "en": "relatives", "details": {}}


def test_a_clean_record_waits_for_the_elder_then_is_ready():
    record = Record("r", 60)
    assert record.status == AWAITING_CONFIRMATION and not record.ready_to_send
    assert record.confirm("app", "elder", "elder-1", NOW)
    assert record.ready_to_send
    record.mark_sent(NOW)
    assert record.status == SENT and not record.ready_to_send


def test_a_repeated_confirmation_keeps_the_first():
    record = Record("r", 60)
    record.confirm("phone", "proxy", "op-1", NOW, "女儿代为确认")
    assert not record.confirm("app", "elder", "elder-1", NOW + dt.timedelta(hours=1))
    assert (record.confirmation, record.confirmed_by, record.confirmed_by_person) == (
        "phone", "proxy", "op-1")


def test_a_flagged_record_is_held_even_when_confirmed_until_released():
    record = Record("r", 60, [FLAG])
    record.confirm("phone", "elder", "op-1", NOW)
    assert record.status == HELD and not record.ready_to_send
    with pytest.raises(Conflict):
        record.mark_sent(NOW)
    record.release("reviewer", NOW, "核实为同住亲属以外的邻居")
    assert record.ready_to_send and record.review == "released"


def test_the_recorder_cannot_release_their_own_held_record():
    record = Record("r", 60, [FLAG])
    with pytest.raises(Forbidden) as e:
        record.release("op-1", NOW, None, recorded_by="op-1")
    assert e.value.code == "second_look_required" and record.status == HELD
    record.release("township-1", NOW, None, recorded_by="op-1")
    assert record.review == "released"


def test_a_released_record_still_needs_the_confirmation():
    record = Record("r", 60, [FLAG])
    record.release("reviewer", NOW, None)
    assert record.status == AWAITING_CONFIRMATION and not record.ready_to_send


def test_a_rejected_record_never_gets_hours():
    record = Record("r", 60, [FLAG])
    with pytest.raises(BadInput) as e:
        record.reject("reviewer", NOW, " ")
    assert e.value.code == "reason_required" and record.status == HELD
    record.reject("reviewer", NOW, "签到地点不符")
    assert record.status == REJECTED
    with pytest.raises(Conflict):
        record.confirm("app", "elder", "elder-1", NOW)
    with pytest.raises(Conflict):
        record.release("reviewer", NOW, None)


def test_only_a_held_record_is_released_or_rejected():
    with pytest.raises(Conflict) as e:
        Record("r", 60).release("reviewer", NOW, None)
    assert e.value.code == "invalid_record_transition"


def test_an_unconfirmed_record_is_overdue_after_the_days():
    record = Record("r", 60)
    assert not confirmation_overdue(record, NOW, NOW + dt.timedelta(days=2), days=3)
    assert confirmation_overdue(record, NOW, NOW + dt.timedelta(days=3), days=3)
    record.confirm("app", "elder", "e", NOW)
    assert not confirmation_overdue(record, NOW, NOW + dt.timedelta(days=9), days=3)


def test_random_action_sequences_never_send_what_must_not_be_sent():
    """Whatever the order of confirmations, reviews and send attempts, a record is sent at most
    once, and only when confirmed and released (or never flagged); a rejected one never."""
    rng = random.Random(20261129)
    for _ in range(500):
        record = Record("r", 60, [FLAG] if rng.random() < 0.5 else [])
        sends = 0
        for _ in range(rng.randint(1, 8)):
            action = rng.choice(("confirm", "release", "reject", "send"))
            try:
                if action == "confirm":
                    record.confirm(rng.choice(("app", "phone")), "elder", "p", NOW)
                elif action == "release":
                    record.release("reviewer", NOW, None, recorded_by="op-1")
                elif action == "reject":
                    record.reject("reviewer", NOW, "不符")
                elif record.ready_to_send:
                    record.mark_sent(NOW)
                    sends += 1
                else:
                    with pytest.raises(Conflict):
                        record.mark_sent(NOW)
            except DomainError:
                pass
            assert sends <= 1
            if record.sent_at is not None:
                assert record.confirmed_at is not None and record.review != "rejected"
                assert not record.flags or record.review == "released"
            if record.review == "rejected":
                assert record.sent_at is None and record.status == REJECTED
