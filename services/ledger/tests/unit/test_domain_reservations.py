"""The reservation rules of the saga with demand (pure)."""
import datetime as dt

from ledger.contracts.kinds import EXPIRE, PENDING, POST_PENDING, VOID_PENDING
from ledger.domain import reservations as r

NOW = dt.datetime(2030, 5, 1, 1, 0, tzinfo=dt.UTC)


def test_ids_follow_the_assignment():
    assert r.release_id("reservation:a1") == "release:a1"
    assert r.release("reservation:a1").action == VOID_PENDING
    assert r.release("reservation:a1") == r.release("reservation:a1")  # any releaser: same
    assert r.expire("reservation:a1").transfer_id == "expire:reservation:a1"
    assert r.expire("reservation:a1").action == EXPIRE


def test_timeout_is_whole_seconds_until_expiry_or_none():
    assert r.timeout_seconds(NOW + dt.timedelta(hours=1, milliseconds=500), NOW) == 3600
    assert r.timeout_seconds(NOW + dt.timedelta(milliseconds=500), NOW) is None
    assert r.timeout_seconds(NOW - dt.timedelta(hours=1), NOW) is None


def test_settlement_posts_only_what_fits():
    assert r.settlement(credited=45, paid=45, reserved=60, timed_out=False) == r.POST_IT
    assert r.settlement(60, 60, 60, False) == r.POST_IT
    assert r.settlement(90, 90, 60, False) == r.VOID_IT  # longer: paid whole, afresh
    assert r.settlement(0, 0, 60, False) == r.VOID_IT  # rounded to nothing
    assert r.settlement(30, 45, 60, False) == r.VOID_IT  # excess to the pool: afresh
    assert r.settlement(45, 45, 60, True) == r.EXPIRE_IT


def test_requests():
    reserve = r.reserve("reservation:a1", "elder-acc", "vol-acc", 60, 3600, "assistance",
                        {"demand_id": "d1"})
    assert (reserve.action, reserve.kind, reserve.amount_minutes, reserve.timeout_seconds) == \
        (PENDING, "service_credit", 60, 3600)
    post = r.post("reservation:a1", "service_record:rec1", 45, "assistance", {"record_id": "rec1"})
    assert (post.action, post.pending_id, post.amount_minutes) == (POST_PENDING,
                                                                   "reservation:a1", 45)
