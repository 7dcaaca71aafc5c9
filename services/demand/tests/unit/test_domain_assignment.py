"""Withdrawal, no-shows and the reservation rules (pure, no I/O)."""
import datetime as dt

import pytest

from demand.contracts import (
    ASSIGNED,
    CANCELLED,
    EVALUATED,
    EXPIRED_REASON,
    IN_SERVICE,
    NO_SHOW,
    PUBLISHED,
    RECORDED,
    SUBMITTED,
    WITHDRAWN,
)
from demand.domain import payments
from demand.domain.lifecycle import Demand
from timebank_common.errors import BadInput, Conflict, NotFound

NOW = dt.datetime(2030, 5, 1, 1, 0, tzinfo=dt.UTC)
START = NOW + dt.timedelta(hours=2)
END = START + dt.timedelta(hours=2)
GRACE = dt.timedelta(minutes=30)


def published(needed=1) -> Demand:
    d = Demand(id="d1", elder_id="elder", category="assistance", region_code="130102001001",
               window_start=START, window_end=END, expected_minutes=60,
               volunteers_needed=needed, channel="phone", funding_source="own_hours")
    d.review("approve", "op", NOW)
    return d


def test_withdraw_before_start_reopens_the_slot():
    d = published()
    d.assign("v1", None, None, NOW)
    assert d.status == "assigned"
    a = d.withdraw("v1", " 身体不适 ", NOW)
    assert (a.status, a.end_reason, a.ended_at) == (WITHDRAWN, "身体不适", NOW)
    assert (d.status, d.open_slots) == (PUBLISHED, 1)
    assert d.volunteer_ids() == []
    d.assign("v2", None, None, NOW)  # someone else takes it
    assert d.status == "assigned"


def test_withdraw_needs_a_reason_and_must_be_before_start():
    d = published()
    d.assign("v1", None, None, NOW)
    with pytest.raises(BadInput):
        d.withdraw("v1", "  ", NOW)
    with pytest.raises(Conflict) as e:
        d.withdraw("v1", "late", START)
    assert e.value.code == "window_started"
    assert d.assignment_of("v1").status == ASSIGNED


def test_withdraw_after_check_in_is_refused():
    d = published()
    d.assign("v1", None, None, NOW)
    d.check_in("v1", NOW, NOW)
    with pytest.raises(Conflict) as e:
        d.withdraw("v1", "reason", NOW)
    assert e.value.details["status"] == IN_SERVICE


def test_a_withdrawn_volunteer_cannot_claim_again_or_check_in():
    d = published()
    d.assign("v1", None, None, NOW)
    d.withdraw("v1", "reason", NOW)
    with pytest.raises(Conflict) as e:
        d.assign("v1", None, None, NOW)
    assert e.value.code == "assignment_ended"
    with pytest.raises(Conflict):
        d.check_in("v1", NOW, NOW)


def test_no_show_only_after_start_plus_grace():
    d = published()
    d.assign("v1", None, None, NOW)
    assert d.no_show_due(START + GRACE - dt.timedelta(seconds=1), GRACE) == []
    with pytest.raises(Conflict):
        d.mark_no_show("v1", START, GRACE)
    [due] = d.no_show_due(START + GRACE, GRACE)
    assert due.volunteer_id == "v1"
    d.mark_no_show("v1", START + GRACE, GRACE)
    assert (d.assignment_of("v1").status, d.status, d.open_slots) == (NO_SHOW, PUBLISHED, 1)
    assert d.no_show_due(START + GRACE, GRACE) == []


def test_checked_in_volunteer_is_never_a_no_show():
    d = published(needed=2)
    d.assign("v1", None, None, NOW)
    d.assign("v2", None, None, NOW)
    d.check_in("v1", START, START)
    [due] = d.no_show_due(START + GRACE, GRACE)
    assert due.volunteer_id == "v2"
    d.mark_no_show("v2", START + GRACE, GRACE)
    # the service is under way: v2's slot is not reopened (nobody could claim it)
    assert d.status == IN_SERVICE and d.open_slots == 0


def test_a_group_completes_with_those_who_served_when_one_is_a_no_show():
    d = published(needed=3)
    for v in ("v1", "v2", "v3"):
        d.assign(v, None, None, NOW)
    d.check_in("v1", START, START)
    d.check_in("v2", START, START)
    d.mark_no_show("v3", START + GRACE, GRACE)
    assert (d.status, d.open_slots) == (IN_SERVICE, 0)
    with pytest.raises(Conflict):  # the service is under way: no new volunteer
        d.assign("v4", None, None, START + GRACE)
    for v in ("v1", "v2"):
        d.check_out(v, END, END)
        d.mark_recorded(v)
    assert (d.status, d.open_slots, d.volunteer_ids()) == (RECORDED, 0, ["v1", "v2"])
    assert not d.follow_evaluations({"v1"})  # each volunteer who served is evaluated
    assert d.follow_evaluations({"v1", "v2"}) and (d.status, d.open_slots) == (EVALUATED, 0)


def test_a_withdrawal_before_the_start_reopens_unless_the_others_already_started():
    d = published(needed=2)
    d.assign("v1", None, None, NOW)
    d.assign("v2", None, None, NOW)
    d.withdraw("v2", "有事", NOW)  # nobody started: v3 may take the slot
    assert (d.status, d.open_slots) == (PUBLISHED, 1)
    d.assign("v3", None, None, NOW)
    d.check_in("v1", NOW, NOW)  # v1 starts early, v3 serves too but v1 is done first
    d.check_out("v1", NOW + dt.timedelta(hours=1), NOW + dt.timedelta(hours=1))
    d.mark_recorded("v1")
    assert (d.status, d.open_slots) == (IN_SERVICE, 0)
    d.withdraw("v3", "临时有事", NOW + dt.timedelta(hours=1))  # still before the start
    # not reopened: the demand is complete with the volunteer who served
    assert (d.status, d.open_slots, d.volunteer_ids()) == (RECORDED, 0, ["v1"])
    with pytest.raises(Conflict):
        d.assign("v4", None, None, NOW + dt.timedelta(hours=1))


def test_a_no_show_with_nobody_else_reopens_while_the_window_lasts():
    d = published(needed=2)
    d.assign("v1", None, None, NOW)
    d.assign("v2", None, None, NOW)
    d.mark_no_show("v1", START + GRACE, GRACE)
    d.mark_no_show("v2", START + GRACE, GRACE)
    assert (d.status, d.open_slots) == (PUBLISHED, 2)  # the station may send others


def test_no_show_after_the_window_with_nobody_left_cancels():
    d = published()
    d.assign("v1", None, None, NOW)
    d.mark_no_show("v1", END, GRACE)
    assert (d.status, d.cancel_reason, d.cancelled_at) == (CANCELLED, "no_show", END)


def test_an_early_check_in_puts_a_group_demand_under_way_and_closes_its_slots():
    """One of three volunteers checks in before the window: the service is under way, the two
    open slots close (matching must hear of it: ``demand_started``) and claims are refused."""
    d = published(needed=3)
    d.assign("v1", None, None, NOW)
    assert (d.status, d.open_slots, d.under_way) == (PUBLISHED, 2, False)
    early = START - dt.timedelta(minutes=20)
    assert d.check_in("v1", early, early)
    assert (d.status, d.open_slots, d.under_way) == (IN_SERVICE, 0, True)
    with pytest.raises(Conflict) as e:
        d.assign("v2", None, None, early)
    assert e.value.code == "invalid_transition"
    assert not d.check_in("v1", early, early)  # a repeat: not a second start


# --- expiry: nobody served the demand in its window ------------------------------------------
def test_a_demand_nobody_claimed_expires_when_its_window_ends():
    d = published()
    assert not d.expiry_due(END - dt.timedelta(seconds=1))  # the window still lasts
    with pytest.raises(Conflict) as e:
        d.expire(END - dt.timedelta(seconds=1))
    assert e.value.code == "invalid_transition" and d.status == PUBLISHED
    assert d.expiry_due(END)
    d.expire(END + dt.timedelta(minutes=1))
    assert (d.status, d.cancel_reason, d.cancelled_at, d.cancelled_by) == (
        CANCELLED, EXPIRED_REASON, END + dt.timedelta(minutes=1), None)
    assert d.open_slots == 0 and not d.expiry_due(END + dt.timedelta(hours=1))
    with pytest.raises(Conflict):  # expired once: a second sweep is refused, changes nothing
        d.expire(END + dt.timedelta(hours=1))
    with pytest.raises(Conflict):  # and nobody can take it any more
        d.assign("v1", None, None, END + dt.timedelta(hours=1))


def test_a_demand_never_reviewed_expires_too():
    d = Demand(id="d2", elder_id="elder", category="assistance", region_code="130102001001",
               window_start=START, window_end=END, expected_minutes=60, volunteers_needed=1,
               channel="phone")
    assert d.status == SUBMITTED and d.expiry_due(END)
    d.expire(END)
    assert (d.status, d.cancel_reason) == (CANCELLED, EXPIRED_REASON)


def test_a_demand_reopened_with_nobody_left_expires_at_the_window_end():
    d = published(needed=2)
    d.assign("v1", None, None, NOW)
    d.assign("v2", None, None, NOW)
    d.withdraw("v1", "有事", NOW)
    d.mark_no_show("v2", START + GRACE, GRACE)  # the window lasts: reopened, nobody came
    assert (d.status, d.volunteer_ids()) == (PUBLISHED, [])
    assert not d.expiry_due(END - dt.timedelta(minutes=1))
    d.expire(END)
    assert (d.status, d.cancel_reason) == (CANCELLED, EXPIRED_REASON)
    # the ended assignments are kept, for the volunteers' reliability
    assert [a.status for a in d.assignments] == [WITHDRAWN, NO_SHOW]


def test_a_volunteer_still_on_the_demand_is_left_to_the_no_show_rule():
    """Published with one of two slots taken, nobody checked in: not expired while the
    volunteer is on it — the no-show sweep marks them and, the window being over, cancels
    the demand with reason no_show (each unserved demand is closed once, by one rule)."""
    d = published(needed=2)
    d.assign("v1", None, None, NOW)
    assert d.status == PUBLISHED and not d.expiry_due(END + dt.timedelta(hours=1))
    with pytest.raises(Conflict):
        d.expire(END + dt.timedelta(hours=1))
    d.mark_no_show("v1", END + dt.timedelta(hours=1), GRACE)
    assert (d.status, d.cancel_reason) == (CANCELLED, "no_show")
    assert not d.expiry_due(END + dt.timedelta(hours=1))


@pytest.mark.parametrize("setup", ["assigned", "in_service", "awaiting_record", "recorded",
                                   "cancelled", "rejected"])
def test_only_an_unserved_demand_expires(setup):
    late = END + dt.timedelta(days=1)
    d = published()
    if setup == "rejected":
        d = Demand(id="d3", elder_id="elder", category="assistance",
                   region_code="130102001001", window_start=START, window_end=END,
                   expected_minutes=60, volunteers_needed=1, channel="phone")
        d.review("reject", "op", NOW, reason="非本辖区")
    elif setup == "cancelled":
        d.cancel("op", NOW, "老人住院")
    else:
        d.assign("v1", None, None, NOW)
        if setup != "assigned":
            d.check_in("v1", START, START)
        if setup in ("awaiting_record", "recorded"):
            d.check_out("v1", END, END)
        if setup == "recorded":
            d.mark_recorded("v1")
    before = (d.status, d.cancel_reason)
    assert d.status == setup and not d.expiry_due(late)
    with pytest.raises(Conflict):
        d.expire(late)
    assert (d.status, d.cancel_reason) == before


def test_no_show_of_someone_not_assigned():
    with pytest.raises(NotFound):
        published().mark_no_show("nobody", END, GRACE)


def test_reservation_rules():
    assert payments.needs_reservation("own_hours") and payments.needs_reservation("grant")
    assert not payments.needs_reservation("issuance")
    assert not payments.needs_reservation("donation_pool")
    assert payments.reservation_id("a1") == "reservation:a1"
    assert payments.expires_at(END, 3600) == END + dt.timedelta(hours=1)
    assert [s for s in (None, "requested", "reserved", "refused", "released", "settled")
            if payments.must_release(s)] == ["requested", "reserved", "refused"]
    assert payments.after_reply("requested", "reserved") == "reserved"
    assert payments.after_reply("released", "reserved") == "released"
    assert payments.after_reply("settled", "refused") == "settled"
