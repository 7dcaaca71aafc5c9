"""The demand state machine: every transition and every refusal."""
import datetime as dt

import pytest

from demand.contracts import (
    ASSIGNED,
    AWAITING_RECORD,
    CANCELLED,
    EVALUATED,
    IN_SERVICE,
    PUBLISHED,
    RECORDED,
    REJECTED,
    SUBMITTED,
)
from demand.domain.lifecycle import STATUS_ZH, Demand
from timebank_common.errors import BadInput, Conflict, Forbidden, NotFound, RuleViolation

NOW = dt.datetime(2030, 5, 1, 1, 0, tzinfo=dt.UTC)
START = NOW + dt.timedelta(hours=2)


def make(needed=1, status=SUBMITTED) -> Demand:
    d = Demand(id="d1", elder_id="elder", category="assistance", region_code="130102001001",
               window_start=START, window_end=START + dt.timedelta(hours=2),
               expected_minutes=60, volunteers_needed=needed, channel="phone")
    if status != SUBMITTED:
        d.review("approve", "op", NOW)
    return d


def in_service(volunteer="v1", needed=1) -> Demand:
    d = make(needed, PUBLISHED)
    d.assign(volunteer, "130102000000", None, NOW)
    d.check_in(volunteer, START, START)
    return d


def refused(exc_info, status):
    assert exc_info.value.code == "invalid_transition"
    assert exc_info.value.details["status"] == status
    assert status in exc_info.value.en and exc_info.value.zh


def test_approve_publishes_with_the_funding_chosen_at_submission():
    d = make()
    assert d.funding_source == "issuance"  # nobody chose: the city's public hours
    d.review("approve", "op", NOW)
    assert (d.status, d.funding_source, d.reviewed_by) == (PUBLISHED, "issuance", "op")


def test_a_shortfall_of_the_chosen_source_needs_an_explicit_fallback_reason():
    d = make(needed=2)
    d.funding_source = "own_hours"
    with pytest.raises(RuleViolation) as e:
        d.settle_funding(90, None)  # 2 × 60 needed
    assert e.value.code == "funding_shortfall"
    assert e.value.details == {"funding_source": "own_hours", "needed_minutes": 120,
                               "available_minutes": 90, "shortfall_minutes": 30}
    d.settle_funding(90, "  老人同意不足部分由公共时长补足 ")
    assert (d.fallback_reason, d.funding_shortfall_minutes) == ("老人同意不足部分由公共时长补足", 30)
    covered = make()
    covered.funding_source = "grant"
    covered.settle_funding(60, "不需要")
    assert (covered.fallback_reason, covered.funding_shortfall_minutes) == (None, 0)
    public = make()
    public.settle_funding(None, None)  # issuance: nothing to cover
    assert public.funding_shortfall_minutes == 0


def test_reject_needs_reason_and_rejects():
    with pytest.raises(BadInput):
        make().review("reject", "op", NOW, reason="  ")
    d = make()
    d.review("reject", "op", NOW, reason="无法核实")
    assert (d.status, d.reject_reason) == (REJECTED, "无法核实")


@pytest.mark.parametrize("status", [PUBLISHED, REJECTED, CANCELLED])
def test_review_only_from_submitted(status):
    d = make()
    d.status = status
    with pytest.raises(Conflict) as e:
        d.review("approve", "op", NOW)
    refused(e, status)


def test_claim_on_submitted_demand_is_refused():
    with pytest.raises(Conflict) as e:
        make().assign("v1", None, None, NOW)
    refused(e, SUBMITTED)


def test_group_demand_stays_published_until_every_slot_is_taken():
    d = make(needed=2, status=PUBLISHED)
    d.assign("v1", "130102000000", None, NOW)
    assert (d.status, d.open_slots) == (PUBLISHED, 1)
    d.assign("v2", "130102000000", None, NOW)
    assert (d.status, d.open_slots) == (ASSIGNED, 0)
    with pytest.raises(Conflict) as e:
        d.assign("v3", None, None, NOW)
    refused(e, ASSIGNED)


def test_repeat_claim_by_holder_changes_nothing():
    d = make(needed=1, status=PUBLISHED)
    assert d.assign("v1", None, None, NOW) is not None
    assert d.assign("v1", None, None, NOW) is None
    assert d.volunteer_ids() == ["v1"] and d.status == ASSIGNED


def test_full_service_path_for_one_volunteer():
    d = in_service()
    assert d.status == IN_SERVICE
    assert d.check_out("v1", START + dt.timedelta(minutes=50), START + dt.timedelta(hours=1))
    assert d.status == AWAITING_RECORD
    d.mark_recorded("v1")
    assert d.status == RECORDED


def test_check_in_and_out_are_idempotent():
    d = in_service()
    assert d.check_in("v1", START, START) is False
    later = START + dt.timedelta(hours=1)
    assert d.check_out("v1", later, later) is True
    assert d.check_out("v1", later, later) is False
    assert d.assignment_of("v1").checked_out_at == later


def test_only_the_assigned_volunteer_checks_in():
    d = in_service()
    with pytest.raises(Forbidden) as e:
        d.check_in("stranger", START, START)
    assert e.value.code == "not_assigned"


def test_check_out_before_check_in_is_refused():
    d = make(status=PUBLISHED)
    d.assign("v1", None, None, NOW)
    with pytest.raises(Conflict) as e:
        d.check_out("v1", START, START)
    refused(e, ASSIGNED)


def test_check_out_time_must_follow_check_in():
    d = in_service()  # only if the server's clock went back
    with pytest.raises(BadInput) as e:
        d.check_out("v1", START - dt.timedelta(minutes=1))
    assert e.value.code == "check_out_before_check_in"


def test_check_in_takes_the_servers_time_and_keeps_the_devices():
    d = make(status=PUBLISHED)
    d.assign("v1", None, None, NOW)
    backdated = NOW - dt.timedelta(hours=7)
    assert d.check_in("v1", NOW, device_at=backdated)
    held = d.assignment_of("v1")
    assert (held.checked_in_at, held.check_in_device_at) == (NOW, backdated)


def test_check_in_on_cancelled_demand_is_refused():
    d = make(status=PUBLISHED)
    d.assign("v1", None, None, NOW)
    d.cancel("elder", NOW, "不需要了")
    with pytest.raises(Conflict) as e:
        d.check_in("v1", NOW, NOW)
    refused(e, CANCELLED)


def test_group_demand_waits_for_every_volunteer():
    d = make(needed=2, status=PUBLISHED)
    d.assign("v1", None, None, NOW)
    d.assign("v2", None, None, NOW)
    d.check_in("v1", START, START)
    assert d.status == IN_SERVICE
    end = START + dt.timedelta(hours=1)
    d.check_out("v1", end, end)
    assert d.status == IN_SERVICE  # v2 has not started or finished
    d.check_in("v2", START, end)
    d.check_out("v2", end, end)
    assert d.status == AWAITING_RECORD
    d.mark_recorded("v1")
    assert d.status == AWAITING_RECORD
    d.mark_recorded("v2")
    assert d.status == RECORDED


def test_record_needs_check_out_and_happens_once():
    d = in_service()
    with pytest.raises(Conflict) as e:
        d.mark_recorded("v1")
    refused(e, IN_SERVICE)
    end = START + dt.timedelta(hours=1)
    d.check_out("v1", end, end)
    d.mark_recorded("v1")
    with pytest.raises(Conflict) as e:
        d.mark_recorded("v1")
    refused(e, RECORDED)
    with pytest.raises(NotFound):
        d.mark_recorded("stranger")


@pytest.mark.parametrize("setup", ["submitted", "published", "assigned"])
def test_cancel_allowed_before_service_starts(setup):
    d = make(status=SUBMITTED if setup == "submitted" else PUBLISHED)
    if setup == "assigned":
        d.assign("v1", None, None, NOW)
    d.cancel("op", NOW, "老人住院")
    assert (d.status, d.cancel_reason) == (CANCELLED, "老人住院")


def test_cancel_refused_once_service_started_or_ended():
    d = in_service()
    with pytest.raises(Conflict) as e:
        d.cancel("op", NOW, "x")
    refused(e, IN_SERVICE)
    rejected = make()
    rejected.review("reject", "op", NOW, reason="重复")
    with pytest.raises(Conflict) as e:
        rejected.cancel("op", NOW, "x")
    refused(e, REJECTED)


def recorded(volunteers=("v1",)) -> Demand:
    d = make(needed=len(volunteers), status=PUBLISHED)
    end = START + dt.timedelta(hours=1)
    for v in volunteers:
        d.assign(v, None, None, NOW)
    for v in volunteers:
        d.check_in(v, START, START)
        d.check_out(v, end, end)
        d.mark_recorded(v)
    return d


def test_evaluating_the_recorded_service_moves_the_demand_to_evaluated():
    d = recorded()
    assert STATUS_ZH[EVALUATED] == "已评价"
    assert d.follow_evaluations(set()) is False and d.status == RECORDED
    assert d.follow_evaluations({"v1"}) is True and d.status == EVALUATED
    assert d.follow_evaluations({"v1"}) is False and d.status == EVALUATED  # a repeat


def test_a_group_demand_is_evaluated_once_every_counting_record_is():
    d = recorded(("v1", "v2", "v3"))
    assert not d.follow_evaluations({"v1", "v2"}) and d.status == RECORDED
    # v3's record was rejected (or voided by a dispute): nothing to evaluate there
    assert d.follow_evaluations({"v1", "v2"}, not_counted={"v3"}) and d.status == EVALUATED


def test_a_demand_with_no_counting_record_and_no_evaluation_stays_recorded():
    d = recorded(("v1", "v2"))
    assert not d.follow_evaluations(set(), not_counted={"v1", "v2"})
    assert d.status == RECORDED
    # an evaluation given before the record was voided still counts (given once)
    assert d.follow_evaluations({"v1"}, not_counted={"v1", "v2"}) and d.status == EVALUATED


def test_withdrawn_volunteers_are_not_waited_for():
    d = make(status=PUBLISHED)
    d.assign("gone", None, None, NOW)
    d.withdraw("gone", "有事", NOW)
    end = START + dt.timedelta(hours=1)
    d.assign("v1", None, None, NOW)
    d.check_in("v1", START, START)
    d.check_out("v1", end, end)
    d.mark_recorded("v1")
    assert d.status == RECORDED and d.follow_evaluations({"v1"}) and d.status == EVALUATED


@pytest.mark.parametrize("status", [PUBLISHED, IN_SERVICE, AWAITING_RECORD, CANCELLED])
def test_only_a_recorded_demand_becomes_evaluated(status):
    d = make(needed=2, status=PUBLISHED)
    end = START + dt.timedelta(hours=1)
    if status == CANCELLED:
        d.cancel("op", NOW, "老人住院")
    elif status != PUBLISHED:
        d.assign("v1", None, None, NOW)
        d.assign("v2", None, None, NOW)
        d.check_in("v1", START, START)
    if status == AWAITING_RECORD:
        d.check_in("v2", START, START)
        d.check_out("v1", end, end)
        d.check_out("v2", end, end)
        d.mark_recorded("v1")
    assert d.status == status
    assert d.follow_evaluations({"v1", "v2"}) is False and d.status == status


def test_an_evaluated_demand_refuses_every_move_and_repeats_change_nothing():
    d = recorded()
    d.follow_evaluations({"v1"})
    with pytest.raises(Conflict) as e:
        d.cancel("op", NOW, "x")
    refused(e, EVALUATED)
    with pytest.raises(Conflict) as e:
        d.assign("v2", None, None, NOW)
    refused(e, EVALUATED)
    with pytest.raises(Conflict) as e:
        d.mark_recorded("v1")
    assert e.value.details["subject"] == "assignment"
    assert d.check_in("v1", START, START) is False and d.check_out("v1", START, START) is False
    assert d.assign("v1", None, None, NOW) is None  # the holder's repeat
    assert d.no_show_due(START + dt.timedelta(hours=5), dt.timedelta(0)) == []
    assert d.status == EVALUATED


def test_nobody_reviews_a_demand_they_asked_for():
    """Four eyes: not the elder, nor whoever asked in the app; staff who typed in a phone
    request may review it."""
    with pytest.raises(Forbidden) as e:
        make().review("approve", "elder", NOW)
    assert e.value.code == "own_demand_review"
    in_app = make()
    in_app.channel, in_app.submitted_by = "app", "proxy-1"
    with pytest.raises(Forbidden):
        in_app.review("reject", "proxy-1", NOW, reason="x")
    assert in_app.status == SUBMITTED
    in_app.review("approve", "op", NOW)
    by_phone = make()
    by_phone.submitted_by = "op"
    by_phone.review("approve", "op", NOW)
    assert by_phone.status == PUBLISHED
